"""On a full disk the clerk can still sign in, look records up and export to a stick (issue 16).

With root, the station lives on a real 64 MB tmpfs that is filled to the last byte; without root the
same paths are driven by making the audit write fail as SQLite does on a full disk (SQLITE_FULL).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from station.db import checkpoint
from station.db.rows import AuditEventRow
from station.errors import StationError
from station.services import setup_files
from station.services.registration import get_household, register_household
from station.services.station import flush_pending_audit, initialize, lock_session, sign_in
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(folder: Path, name: str = "filler") -> Path:
    """Write until the filesystem refuses another byte."""
    filler = folder / name
    with open(filler, "wb", buffering=0) as fh:
        for size in (65536, 512, 1):
            try:
                while True:
                    fh.write(b"\1" * size)
            except OSError:
                pass
    return filler


def _events(home: Path, action: str) -> list[AuditEventRow]:
    ctx = sign_in("admin", PASSPHRASE, home)
    try:
        with ctx.db.reader() as uow:
            return list(uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))
    finally:
        ctx.close()


def _station(home: Path) -> str:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, family_of_five())
    ctx.close()
    return saved.id


def test_full_disk_sign_in_lookup_and_wrong_passphrase(small_disk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No background checkpoint here: one copies the write-ahead log into the file once commits pause, after
    # which the log's pages are reused and a small write needs no new room; this test needs the write that
    # does need room (a full disk under a log not yet copied), so the log stays as SQLite alone leaves it.
    monkeypatch.setattr(checkpoint, "IDLE_SECONDS", 3600.0)
    home = small_disk / "home"
    home.mkdir()
    hh = _station(home)
    assert (home / setup_files.RESERVE_FILE).exists()
    filler = _fill(small_disk)
    assert shutil.disk_usage(small_disk).free < 64 * 1024
    with pytest.raises(StationError) as err:  # a wrong passphrase: the right message, not an OSError
        sign_in("admin", "not the passphrase at all", home)
    assert err.value.code == "error.bad_credentials"
    ctx = sign_in("admin", PASSPHRASE, home)  # the reserve is released so the database opens, event written
    try:
        assert ctx.disk_full and not (home / setup_files.RESERVE_FILE).exists()
        assert ctx.pending_audit == []
        with ctx.db.reader() as uow:
            assert get_household(uow, ctx.actor, hh).id == hh  # look-up works
        # the disk fills up again while this session is open (the reserve is gone now): a second
        # sign-in still opens, its event waits in memory until there is room
        second = _fill(small_disk, "filler2")
        other = sign_in("admin", PASSPHRASE, home)
        try:
            assert other.disk_full and [a for a, _, _ in other.pending_audit] == ["signin"]
            with other.db.reader() as uow:
                assert get_household(uow, ctx.actor, hh).id == hh
            with pytest.raises(OperationalError):  # saving is what a full disk refuses
                with other.db.uow() as uow:
                    register_household(uow, other.actor, family_of_five())
            assert flush_pending_audit(other) is False
            filler.unlink()
            second.unlink()
            lock_session(other)  # room again: the pending sign-in is written first
            assert other.pending_audit == []
        finally:
            other.close()
    finally:
        ctx.close()
    deferred = [e for e in _events(home, "signin") if e.details.get("deferred")]
    assert len(deferred) == 1 and deferred[0].actor == "admin"


def test_full_disk_with_nothing_left_says_so(small_disk: Path) -> None:
    home = small_disk / "home"
    home.mkdir()
    _station(home)
    (home / setup_files.RESERVE_FILE).unlink()
    _fill(small_disk)
    with pytest.raises(StationError) as err:  # not "does not belong to this station"
        sign_in("admin", PASSPHRASE, home)
    assert err.value.code == "error.disk_full"


def test_sign_in_survives_an_audit_write_refused_for_space(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without root: the same path, with the audit write failing as SQLite does on a full disk."""
    _station(home)
    (home / setup_files.RESERVE_FILE).unlink()
    from station.services import audit

    real = audit.record

    def full(uow: object, actor: object, action: str, *a: object, **kw: object) -> object:
        if action == "signin":
            raise OperationalError("INSERT", {}, Exception("database or disk is full"))
        return real(uow, actor, action, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "record", full)
    ctx = sign_in("admin", PASSPHRASE, home)
    assert ctx.disk_full and len(ctx.pending_audit) == 1
    monkeypatch.setattr(audit, "record", real)
    assert flush_pending_audit(ctx) and ctx.pending_audit == []
    ctx.close()
    assert len([e for e in _events(home, "signin") if e.details.get("deferred")]) == 1


def test_other_database_errors_still_fail_the_sign_in(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _station(home)
    from station.services import audit

    def broken(*_a: object, **_kw: object) -> object:
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(OperationalError):
        sign_in("admin", PASSPHRASE, home)
