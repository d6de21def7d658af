"""Set-up and account creation interrupted part-way never leave a stuck station (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.db.engine import DB_FILE
from station.domain.roles import Role
from station.errors import StationError
from station.security.keyring import Keyring
from station.services import setup_files, station
from station.services.accounts import create_account, list_accounts
from station.services.station import initialize, is_set_up, sign_in
from tests.conftest import PASSPHRASE

CLERK_PW = "clerk passphrase 123"


def _init(home: Path, **kw: object) -> station.StationContext:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home, **kw)  # type: ignore[arg-type]
    return ctx


def test_failure_during_setup_leaves_nothing_and_setup_runs_again(home: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: object, **_kw: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(station, "save_section", broken)  # after the database was made and seeded
    with pytest.raises(OSError):
        _init(home)
    assert not is_set_up(home)
    assert sorted(p.name for p in home.iterdir() if p.suffix not in (".json", ".lock")) == []
    assert not any((home / n).exists() for n in ("keyring.json", setup_files.SETUP_KEYRING, "authority.json"))
    monkeypatch.undo()
    _init(home).close()
    sign_in("admin", PASSPHRASE, home).close()


def test_setup_killed_before_its_commit_is_cleared_and_run_again(home: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """What a kill just before the key file's rename leaves: database, staging key file, settings."""
    monkeypatch.setattr(setup_files, "commit_setup", lambda home: None)
    ctx = _init(home)
    ctx.close()
    assert (home / setup_files.SETUP_KEYRING).exists() and (home / DB_FILE).exists()
    assert not is_set_up(home)  # sign-in says "not set up", and set-up ...
    with pytest.raises(StationError) as err:
        sign_in("admin", PASSPHRASE, home)
    assert err.value.code == "error.not_set_up"
    monkeypatch.undo()
    _init(home).close()  # ... is not "already set up": it clears the unfinished one and finishes
    assert is_set_up(home) and not (home / setup_files.SETUP_KEYRING).exists()
    sign_in("admin", PASSPHRASE, home).close()


def test_database_without_key_file_from_an_older_program_is_set_aside(home: Path) -> None:
    """The stuck state of issue 16 (database present, key file missing) no longer blocks set-up."""
    _init(home).close()
    (home / "keyring.json").unlink()
    old = (home / DB_FILE).read_bytes()
    _init(home).close()
    aside = list((home / setup_files.SET_ASIDE).rglob(DB_FILE))
    assert len(aside) == 1 and aside[0].read_bytes() == old  # moved, never deleted
    sign_in("admin", PASSPHRASE, home).close()


def test_finished_station_is_never_cleared(home: Path) -> None:
    _init(home).close()
    with pytest.raises(StationError) as err:
        _init(home)
    assert err.value.code == "error.already_set_up"
    sign_in("admin", PASSPHRASE, home).close()


def test_recovery_code_is_handed_out_before_the_commit(home: Path) -> None:
    seen: list[tuple[str, bool]] = []
    ctx, code = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home, on_recovery_code=lambda c: seen.append((c, is_set_up(home))))
    ctx.close()
    assert seen == [(code, False)]


def test_crash_between_key_file_and_commit_does_not_block_the_name(sqlite_ctx: station.StationContext,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """keyring.save() succeeded, then the process died before the commit: only a key entry remains."""
    real_save = Keyring.save

    def save_then_die(self: Keyring) -> None:
        real_save(self)
        raise KeyboardInterrupt  # the commit never happens

    monkeypatch.setattr(Keyring, "save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        create_account(sqlite_ctx, "clerk1", Role.CLERK, CLERK_PW)
    monkeypatch.undo()
    assert Keyring.load(sqlite_ctx.home).has("clerk1")  # the leftover entry
    assert "clerk1" not in {a.username for a in list_accounts(sqlite_ctx)}
    with pytest.raises(StationError):  # the leftover entry opens nothing
        sign_in("clerk1", CLERK_PW, sqlite_ctx.home)
    create_account(sqlite_ctx, "clerk1", Role.CLERK, CLERK_PW)  # was "already exists" forever
    sign_in("clerk1", CLERK_PW, sqlite_ctx.home).close()
