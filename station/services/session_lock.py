"""Screen lock and unlock. The lock itself is the window's business; the core records it and checks who may
unlock: the same person, or a supervisor or administrator (who then takes over). Re-exported by
station.services.station, whose sign-in helpers it uses (imported when called: that module imports this one)."""

from __future__ import annotations

import hmac
import time
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from station.domain.roles import Actor, Role
from station.errors import PermissionDenied, StationError, is_disk_full
from station.security.keyring import Keyring
from station.security.signin_guard import FAILURE_UNSAVED_DELAY, reserve_attempt
from station.services import audit, trail_guard
from station.services.full_disk import flush_pending_audit

if TYPE_CHECKING:
    from station.services.station import StationContext

UNLOCK_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def lock_session(ctx: StationContext, reason: str = "idle") -> None:
    """Record that the screen was locked (reason: idle | shortcut)."""
    ctx.locked = True
    flush_pending_audit(ctx)
    with ctx.db.uow() as uow:
        audit.record(uow, ctx.actor, "session.lock", "account", ctx.actor.username, {"reason": reason})


def verify_passphrase(ctx: StationContext, username: str, passphrase: str) -> Actor:
    """Check `username`'s passphrase against this session (throttled like sign-in); the account's Actor."""
    username = username.strip().lower()
    keyring = Keyring.load(ctx.home)
    reserve_attempt(keyring, username)
    try:
        key = keyring.unwrap(username, passphrase)
        if ctx.db_key is not None and not hmac.compare_digest(key, ctx.db_key):
            raise StationError("error.bad_credentials")
        from station.services.station import _active_account

        with ctx.db.reader() as uow:
            role = Role(_active_account(uow, username, passphrase).role)
        role = trail_guard.remember(ctx.db, ctx.home, keyring, username, role)  # granted role; key for switch()
    except StationError:
        try:  # counted by reserve_attempt
            from station.services.station import USERNAME_CHARS

            with ctx.db.uow() as uow:
                safe = "".join(ch for ch in username if ch in USERNAME_CHARS)[:32] or "?"
                audit.record(uow, safe, "signin.failed", "account", safe, {"during": "unlock"},
                             station=ctx.station_code)
        except (SQLAlchemyError, OSError) as exc:
            if not is_disk_full(exc):
                raise
            time.sleep(FAILURE_UNSAVED_DELAY)  # a full disk: the failure cannot be kept, so slow the answer
        raise
    keyring.clear_failures(username)
    return Actor(username, role, ctx.station_code)


def unlock_session(ctx: StationContext, username: str, passphrase: str) -> Actor | StationContext:
    """Unlock a locked screen. The same person, or a supervisor/administrator who then takes over the session.

    The duress passphrase (issue 15) does here what it does at sign-in: the station is erased (this session's
    keys and connections first) and an empty-looking one opened; its context is returned instead of an Actor,
    and the caller shows it in place of the desk (ui/lock/overlay.py: `duress_opened`)."""
    previous = ctx.actor
    try:
        actor = verify_passphrase(ctx, username, passphrase)
    except StationError as exc:
        opened = _duress_unlock(ctx, username, passphrase) if exc.code == "error.bad_credentials" else None
        if opened is None:
            raise
        return opened
    if actor.username != previous.username and actor.role not in UNLOCK_ROLES:
        with ctx.db.uow() as uow:
            audit.record(uow, actor, "session.unlock_denied", "account", previous.username)
        raise PermissionDenied("error.permission_denied", permission="unlock_other_session")
    trail_guard.switch(ctx.db, actor.username)  # from now on events are signed by whoever unlocked
    with ctx.db.uow() as uow:
        audit.record(uow, actor, "session.unlock", "account", actor.username, {"locked_user": previous.username})
    ctx.actor = actor
    ctx.locked = False
    return actor


def _duress_unlock(ctx: StationContext, username: str, passphrase: str) -> StationContext | None:
    if ctx.settings.database_url:  # never on a server site, as at sign-in (services/duress.py)
        return None
    from station.services import duress  # tried only after a failure, as at sign-in

    value = duress.duress_value(Keyring.load(ctx.home), passphrase)
    if value is None:
        return None
    return duress.erase_and_open_empty(ctx.home, ctx.settings, username or ctx.actor.username, passphrase, value,
                                       contexts=(ctx,))
