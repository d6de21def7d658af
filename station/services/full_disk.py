"""Signing in on a full disk: the clerk must still get in, look records up and export to a stick.

Two measures, in order. A space reserve (setup_files) is released when the disk is found full, before
the database is opened (SQLite needs a little room just to open a file in WAL mode) and again if the
sign-in event does not fit; the event is then written as usual and the audit trail stays complete. If
even that fails, the event is kept in memory (`ctx.pending_audit`) and written, with the time it really
happened, by the next lock, unlock or sign-out that finds room (`flush_pending_audit`). Only a kill
before then loses it: an audit gap is better than a clerk locked out while a family waits at the desk.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from station.db.engine import LOW_SPACE
from station.errors import is_disk_full
from station.services import audit, setup_files

if TYPE_CHECKING:
    from station.services.station import StationContext


def make_room(home: Path) -> bool:
    """On a (nearly) full disk, release the space reserve; True when the disk was found full."""
    try:
        if shutil.disk_usage(home).free >= LOW_SPACE:
            return False
    except OSError:
        return False
    setup_files.release_reserve(home)
    return True


def record_signin(ctx: StationContext, pending_failures: list[tuple[str, str]]) -> bool:
    """Write the sign-in event (and failed sign-ins noted while the database was closed).

    True when written; False when the disk is full and the event waits in `ctx.pending_audit`."""
    name = ctx.actor.username
    for attempt in range(2):
        try:
            with ctx.db.uow() as uow:
                for failed_name, at in pending_failures:
                    audit.record(uow, failed_name, "signin.failed", "account", failed_name, {"at": at},
                                 station=ctx.station_code)
                audit.record(uow, ctx.actor, "signin", "account", name)
        except (SQLAlchemyError, OSError) as exc:
            if not is_disk_full(exc):
                raise
            ctx.disk_full = True
            if attempt == 0 and setup_files.release_reserve(ctx.home):
                continue
            ctx.pending_audit.append(("signin", name, {"deferred": True, "at": audit.utcnow().isoformat()}))
            return False
        if not ctx.disk_full:
            setup_files.ensure_reserve(ctx.home)
        return True
    return False  # pragma: no cover - the loop always returns


def flush_pending_audit(ctx: StationContext) -> bool:
    """Write events kept in memory while the disk was full; True when none is left."""
    if not ctx.pending_audit:
        return True
    try:
        with ctx.db.uow() as uow:
            for action, entity, details in ctx.pending_audit:
                audit.record(uow, ctx.actor, action, "account", entity, details)
    except (SQLAlchemyError, OSError) as exc:
        if not is_disk_full(exc):
            raise
        return False
    ctx.pending_audit.clear()
    return True
