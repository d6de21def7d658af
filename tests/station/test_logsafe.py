"""Failures are logged without personal data: no values in database errors, no messages in log lines."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from sqlalchemy.exc import IntegrityError

from station.db.rows import HouseholdRow
from station.logsafe import describe, log_failure
from station.services.registration import register_household
from tests.factories import family_of_five


def test_database_errors_do_not_quote_saved_values(sqlite_ctx, caplog: pytest.LogCaptureFixture) -> None:
    with sqlite_ctx.db.uow() as uow:
        saved = register_household(uow, sqlite_ctx.actor, family_of_five())
    with pytest.raises(IntegrityError) as err, sqlite_ctx.db.uow() as uow:
        row = uow.session.get(HouseholdRow, saved.id)
        uow.session.expunge(row)
        clone = replace(family_of_five(), notes="Fatima searching for her son")
        dup = register_household(uow, sqlite_ctx.actor, clone)
        uow.session.get(HouseholdRow, dup.id).registration_number = saved.registration_number  # type: ignore[union-attr]
        uow.session.flush()
    text = str(err.value)
    assert "UNIQUE" in text.upper()
    for value in ("Fatima", "searching", "Al-Jubouri", saved.registration_number):
        assert value not in text
    with caplog.at_level(logging.ERROR):
        log_failure(logging.getLogger("t"), "save failed", err.value)
    assert "IntegrityError at" in caplog.text and "searching" not in caplog.text


def test_describe_leaves_the_message_out() -> None:
    try:
        raise ValueError("Zainab Al-Obaidi, born 2012")
    except ValueError as exc:
        line = describe(exc)
    assert line.startswith("builtins.ValueError at test_logsafe.py:")
    assert "Zainab" not in line
