"""Every failure reaches the command line as one sentence in the user's language and a non-zero exit,
never a traceback (issue 16: the CLI caught only StationError)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from sqlalchemy.exc import DatabaseError, OperationalError

from station.cli.commands import doctor as doctor_cmd
from station.cli.main import main
from station.errors import StationError
from station.i18n import set_language
from tests.conftest import PASSPHRASE


def _fail_with(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    def run(_args: object) -> int:
        raise exc

    monkeypatch.setattr(doctor_cmd, "run", run)


@pytest.mark.parametrize(("exc", "key"), [
    (OSError(errno.ENOSPC, "No space left on device"), "error.disk_full"),
    (OperationalError("INSERT", {}, Exception("database or disk is full")), "error.disk_full"),
    (DatabaseError("SELECT", {}, Exception("database disk image is malformed")), "fault.db_damaged"),
    (OSError(errno.EIO, "Input/output error"), "fault.file_error"),
    (MemoryError(), "fault.out_of_memory"),
    (RuntimeError("boom with a name: Fatima"), "fault.unexpected"),
])
def test_any_failure_is_one_sentence(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                     exc: BaseException, key: str) -> None:
    _fail_with(monkeypatch, exc)
    with pytest.raises(SystemExit) as exit_:
        main(["doctor"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "Fatima" not in err  # an exception's text may quote saved values: never shown
    from station.errors import from_exception

    assert from_exception(exc).code == key
    assert err.strip() == from_exception(exc).message()


def test_messages_come_in_the_users_language(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _fail_with(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    try:
        with pytest.raises(SystemExit):
            main(["--lang", "ar", "doctor"])
    finally:
        set_language("en")
    assert capsys.readouterr().err.strip() == StationError("error.disk_full").message("ar")


def test_debug_switch_keeps_the_traceback_for_developers(monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_with(monkeypatch, RuntimeError("x"))
    monkeypatch.setenv("STATION_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["doctor"])


def test_init_twice_and_recovery_file_written_before_commit(home: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    rec = tmp_path / "recovery.txt"
    argv = ["init", "--site", "MKH", "--station", "2", "--admin", "admin", "--recovery-out", str(rec)]
    assert main(argv) == 0
    assert rec.stat().st_mode & 0o077 == 0 and len(rec.read_text().strip()) > 20
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 1
    assert capsys.readouterr().err.strip() == StationError("error.already_set_up").message()


def test_demo_is_refused_on_a_production_station_for_a_clerk(sqlite_ctx: object, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from station.domain.roles import Role
    from station.services.accounts import create_account

    create_account(sqlite_ctx, "clerk1", Role.CLERK, "clerk passphrase 123")  # type: ignore[arg-type]
    monkeypatch.setenv("STATION_USER", "clerk1")
    monkeypatch.setenv("STATION_PASSPHRASE", "clerk passphrase 123")
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--households", "3", "--confirm-training-station"])
    assert exit_.value.code == 1
    assert capsys.readouterr().err.strip() == StationError("fault.demo_production").message()
