"""`station retention`: an administrator sets the days, brings the office's acknowledgements back and purges;
nothing goes before the acknowledgement, nor without the confirming word, nor by a clerk."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from station.cli.main import main
from station.db.rows import AuditEventRow, HouseholdRow
from station.domain.roles import Role
from station.services import accounts, retention
from station.services import pack_import as im
from tests.conftest import PASSPHRASE
from tests.station.export.test_merge import add_household, export


def _households(st) -> int:  # type: ignore[no-untyped-def]
    with st.db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(HouseholdRow)) or 0)


@pytest.fixture
def desk(ctx, make_station, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    st = make_station("MKH", 3)
    monkeypatch.setenv("STATION_HOME", str(st.home))
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    return st


def test_set_show_acknowledge_and_purge(ctx, desk, office_keys, tmp_path: Path,  # type: ignore[no-untyped-def]
                                        capsys: pytest.CaptureFixture[str]) -> None:
    for seed in range(2):
        add_household(desk, seed)
    assert main(["retention", "show"]) == 0
    out = capsys.readouterr().out
    assert "no retention period" in out and "2 households" in out
    with pytest.raises(SystemExit):  # no days set: nothing can go
        main(["retention", "purge", "--confirm", "PURGE"])
    assert "No retention period" in capsys.readouterr().err

    assert main(["retention", "set", "--days", "0"]) == 0
    assert retention.keep_days(desk.db) == 0
    stick = tmp_path / "usb"
    pack = export(desk, stick)
    assert main(["retention", "purge", "--confirm", "PURGE"]) == 0
    assert "not acknowledged" in capsys.readouterr().out and _households(desk) == 2

    im.import_pack(ctx.db, ctx.actor, pack, office_keys.private)  # the office writes <pack>.ack on the stick
    with pytest.raises(SystemExit):
        main(["retention", "purge"])  # the confirming word is required
    assert _households(desk) == 2
    assert main(["retention", "acks", str(stick)]) == 0
    assert "1 new acknowledgement" in capsys.readouterr().out
    assert main(["retention", "purge", "--confirm", "PURGE"]) == 0
    assert "2 households purged" in capsys.readouterr().out
    assert _households(desk) == 0
    with desk.db.reader() as uow:
        actions = set(uow.session.scalars(select(AuditEventRow.action)))
    assert {"retention.set", "retention.ack", "retention.purge"} <= actions


def test_a_clerk_can_neither_set_nor_purge(desk, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                           capsys: pytest.CaptureFixture[str]) -> None:
    accounts.create_account(desk, "sara", Role.CLERK, "sara passphrase 1")
    monkeypatch.setenv("STATION_USER", "sara")
    monkeypatch.setenv("STATION_PASSPHRASE", "sara passphrase 1")
    for argv in (["retention", "set", "--days", "0"], ["retention", "purge", "--confirm", "PURGE"],
                 ["retention", "show"]):
        with pytest.raises(SystemExit):
            main(argv)
    assert retention.keep_days(desk.db) is None


def test_days_out_of_range_are_refused(desk, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit):
        main(["retention", "set", "--days", "-1"])
    assert "between 0 and 3650" in capsys.readouterr().err
    assert main(["retention", "set", "--days", "90"]) == 0
    assert main(["retention", "set", "--never"]) == 0
    assert retention.keep_days(desk.db) is None
