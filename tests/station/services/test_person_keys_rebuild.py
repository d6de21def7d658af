"""The person keys rebuilt at start-up (after an upgrade that changes them) are exactly those saving writes,
in one transaction: a failure leaves the old keys and the old mark."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from station.db.engine import CACHE_KIB
from station.db.rows import MetaRow, PersonKeyRow
from station.services import matching
from station.services.registration import register_household
from tests.factories import family_of_five


def _keys(ctx) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with ctx.db.reader() as uow:
        return {(k, i) for k, i in uow.session.execute(select(PersonKeyRow.key, PersonKeyRow.individual_id))}


def test_rebuilt_keys_are_those_saving_wrote(ctx) -> None:  # type: ignore[no-untyped-def]
    with ctx.db.uow() as uow:
        for _ in range(3):
            register_household(uow, ctx.actor, family_of_five())
    saved = _keys(ctx)
    assert len(saved) > 30
    with ctx.db.uow() as uow:  # as after an upgrade that changes the keys: the mark is gone
        uow.session.execute(delete(MetaRow).where(MetaRow.key == matching.VERSION_KEY))
        uow.session.execute(delete(PersonKeyRow).where(PersonKeyRow.key < "k"))  # and some keys with it
    reports: list[tuple[int, int]] = []
    assert matching.ensure_current(ctx.db, lambda d, t: reports.append((d, t))) == 15
    assert _keys(ctx) == saved
    assert reports and reports[-1][0] == reports[-1][1] and all(d <= t for d, t in reports)
    assert matching.ensure_current(ctx.db) == 0  # once
    assert "ix_person_keys_individual" in _indexes(ctx)  # made again after the rows


def _indexes(ctx) -> set[str]:  # type: ignore[no-untyped-def]
    sql = ("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='person_keys'" if ctx.db.dialect == "sqlite"
           else "SELECT indexname FROM pg_indexes WHERE tablename='person_keys'")
    with ctx.db.reader() as uow:
        return {r[0] for r in uow.session.connection().exec_driver_sql(sql)}


def test_a_failed_rebuild_leaves_the_old_keys(ctx, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, family_of_five())
    saved = _keys(ctx)
    with ctx.db.uow() as uow:
        uow.session.execute(delete(MetaRow).where(MetaRow.key == matching.VERSION_KEY))

    def power_cut(done: int, total: int) -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        matching.ensure_current(ctx.db, power_cut)
    assert _keys(ctx) == saved and not matching.is_current(ctx.db)
    if ctx.db.dialect == "sqlite":  # every pooled connection has its usual settings back
        conns = [ctx.db.engine.connect() for _ in range(4)]
        try:
            settings = {(c.exec_driver_sql("PRAGMA secure_delete").scalar(),
                         c.exec_driver_sql("PRAGMA cache_size").scalar()) for c in conns}
            assert settings == {(1, -CACHE_KIB)}
        finally:
            for c in conns:
                c.close()
    assert matching.ensure_current(ctx.db) == 5 and _keys(ctx) == saved
