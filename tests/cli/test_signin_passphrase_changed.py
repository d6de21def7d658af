"""Scripts at a desk whose passphrase was changed at another desk of the site: STATION_PREVIOUS_PASSPHRASE
(or its _FILE) beside the new one, once (issue 15). Before, no option: neither passphrase opened the desk.
Two real desks of one site (PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from station import i18n
from station.cli.main import main
from tests.conftest import PASSPHRASE
from tests.pg_site import NEW, passphrase_changed_at_desk_two

pytestmark = pytest.mark.postgres




def _run(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)


def test_the_previous_passphrase_given_once_brings_the_desk_to_the_new_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _desk2, desk3 = passphrase_changed_at_desk_two(tmp_path)
    monkeypatch.setenv("STATION_HOME", str(desk3))
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", NEW)
    assert _run("accounts", "list") == 1  # this desk's key file still holds the previous passphrase
    assert i18n.tr("error.bad_credentials") in capsys.readouterr().err

    monkeypatch.setenv("STATION_PREVIOUS_PASSPHRASE", "not the previous one")
    assert _run("accounts", "list") == 1
    assert i18n.tr("error.bad_credentials") in capsys.readouterr().err

    monkeypatch.delenv("STATION_PREVIOUS_PASSPHRASE")
    previous = tmp_path / "previous.txt"
    previous.write_text(PASSPHRASE + "\n", encoding="utf-8")
    monkeypatch.setenv("STATION_PREVIOUS_PASSPHRASE_FILE", str(previous))
    assert _run("accounts", "list") == 0
    said = capsys.readouterr()
    assert "admin" in said.out
    assert said.err.strip() == i18n.tr("cli.passphrase_taken", name="STATION_PREVIOUS_PASSPHRASE")

    monkeypatch.delenv("STATION_PREVIOUS_PASSPHRASE_FILE")
    assert _run("accounts", "list") == 0  # the new passphrase alone from now on
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    assert _run("accounts", "list") == 1
