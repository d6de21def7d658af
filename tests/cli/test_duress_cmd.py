"""`station duress status|set|clear`: an administrator sets the duress passphrase from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.cli.main import main
from station.domain.roles import Role
from station.errors import StationError
from station.services import accounts
from station.services.station import initialize, sign_in
from tests.conftest import PASSPHRASE

DURESS = "the weather is fine today"


@pytest.fixture
def station(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ctx, _code = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                            home=home)
    accounts.create_account(ctx, "sara", Role.CLERK, "sara passphrase 1")
    ctx.close()
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    return home


def test_set_status_clear(station: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["duress", "status"]) == 0
    assert "No duress passphrase" in capsys.readouterr().out
    monkeypatch.setenv("STATION_DURESS_PASSPHRASE", DURESS)
    assert main(["duress", "set"]) == 0
    assert main(["duress", "status"]) == 0
    assert "A duress passphrase is set" in capsys.readouterr().out
    assert main(["duress", "clear"]) == 0
    assert main(["duress", "status"]) == 0
    assert "No duress passphrase" in capsys.readouterr().out
    sign_in("admin", PASSPHRASE, station).close()  # the station is untouched


def test_the_set_passphrase_opens_an_empty_station(station: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATION_DURESS_PASSPHRASE", DURESS)
    assert main(["duress", "set"]) == 0
    forced = sign_in("admin", DURESS, station)
    forced.close()
    with pytest.raises(StationError):  # the real station, with its clerk, is gone
        sign_in("sara", "sara passphrase 1", station)


def test_refused_to_a_clerk_and_without_a_passphrase(station: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(SystemExit):  # no terminal to ask on and no variable
        main(["duress", "set"])
    assert "STATION_DURESS_PASSPHRASE" in capsys.readouterr().err
    monkeypatch.setenv("STATION_USER", "sara")
    monkeypatch.setenv("STATION_PASSPHRASE", "sara passphrase 1")
    monkeypatch.setenv("STATION_DURESS_PASSPHRASE", DURESS)
    for action in ("set", "clear", "status"):
        with pytest.raises(SystemExit):
            main(["duress", action])
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    capsys.readouterr()
    assert main(["duress", "status"]) == 0
    assert "No duress passphrase" in capsys.readouterr().out
