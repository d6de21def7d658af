"""`station accounts rotate-recovery`: a new code on a new sheet; the old sheet stops working; administrators only."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.cli.main import main
from station.domain.roles import Role
from station.errors import StationError
from station.services import accounts
from station.services.recovery import recover
from station.services.station import initialize
from tests.conftest import PASSPHRASE
from tests.station.printing.print_helpers import pdf_text


@pytest.fixture
def station(home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    ctx, code = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    accounts.create_account(ctx, "sara", Role.CLERK, "sara passphrase 1")
    ctx.close()
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    return code


def test_rotate_recovery_writes_a_new_sheet_and_retires_the_old_code(
        station: str, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet, out = tmp_path / "sheet.pdf", tmp_path / "code.txt"
    assert main(["accounts", "rotate-recovery", "--sheet", str(sheet), "--out", str(out)]) == 0
    new = out.read_text().strip()
    assert new != station and "no longer opens" in capsys.readouterr().out
    assert (sheet.stat().st_mode & 0o077) == 0 and (out.stat().st_mode & 0o077) == 0
    assert all(group in pdf_text(sheet) for group in new.split("-"))
    with pytest.raises(StationError) as err:
        recover(station, "admin2", "another long passphrase", home)
    assert err.value.code == "accounts.error.recovery_code_wrong"
    recover(new, "admin2", "another long passphrase", home).close()


def test_rotate_recovery_shows_the_code_when_no_file_is_given(station: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accounts", "rotate-recovery"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines[1].replace("-", "")) == 32 and lines[1] != station


def test_a_clerk_cannot_rotate_the_recovery_code(station: str, home: Path, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("STATION_USER", "sara")
    monkeypatch.setenv("STATION_PASSPHRASE", "sara passphrase 1")
    with pytest.raises(SystemExit) as ex:
        main(["accounts", "rotate-recovery", "--out", str(tmp_path / "code.txt")])
    assert ex.value.code != 0 and not (tmp_path / "code.txt").exists()
    recover(station, "admin2", "another long passphrase", home).close()  # the sheet still works
