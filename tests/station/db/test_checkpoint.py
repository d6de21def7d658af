"""The write-ahead log is copied into the database file in the background once the station is quiet, never
inside a save's commit; the copying thread ends with the database."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from station.services.registration import register_household
from tests.factories import family_of_five


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _wait(predicate, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_saves_reach_the_file_after_a_quiet_moment_not_in_the_commit(sqlite_ctx, home: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    db_file = home / "station.db"
    checkpoint = ctx.db.checkpoint
    assert checkpoint is not None
    checkpoint.idle = 2.0  # long enough that the digest below is read before it
    with ctx.db.uow() as uow:  # settle: whatever sign-in wrote reaches the file first
        pass
    assert _wait(lambda: checkpoint.done >= 1)
    before, done = _digest(db_file), checkpoint.done
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, family_of_five())
    # the commit wrote the log only (well under the engine's autocheckpoint threshold)...
    assert _digest(db_file) == before and (home / "station.db-wal").stat().st_size > 0
    # ...and the quiet moment after it copies the log into the file
    assert _wait(lambda: checkpoint.done > done)
    assert _digest(db_file) != before


def test_the_thread_ends_with_the_database(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, family_of_five())
    thread = ctx.db.checkpoint._thread
    assert thread is not None and thread.is_alive()
    ctx.db.dispose()
    assert not thread.is_alive()
    ctx.db.checkpoint.nudge()  # a late nudge starts nothing
    assert ctx.db.checkpoint._thread is thread and not thread.is_alive()
