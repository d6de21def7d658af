"""Duress passphrase (optional, set by an administrator): typed at sign-in under coercion, it erases the
station and opens an empty-looking one in its place (issue 15).

The duress entry in the key file wraps a random value, never the database key, so the duress passphrase
opens nothing by itself. It is tried only after a sign-in failed with the account's own passphrase, so
ordinary sign-ins cost no extra key derivation. When it matches: the station is erased (station.services
.erase: keys first, then files), and a fresh station with the same site and desk numbers is set up with
the coerced account name and the duress passphrase as an administrator, and signed in. Its recovery code
is thrown away. What is erased is gone: the real records survive only in packs already at the office.
"""

from __future__ import annotations

import os
from pathlib import Path

from station.domain.roles import Permission
from station.errors import StationError
from station.security.keyring import DURESS_ENTRY, Keyring
from station.services import audit
from station.services.authz import require
from station.services.station import StationContext, initialize, validate_passphrase, validate_username
from station.settings import StationSettings


def set_duress_passphrase(ctx: StationContext, passphrase: str) -> None:
    """Administrators only. Must differ from the administrator's own passphrase."""
    require(ctx.actor, Permission.MANAGE_SETTINGS)
    if ctx.settings.database_url:
        # The records are on the site server, shared by every desk: erasing this laptop would not touch them,
        # and an "empty-looking" station cannot be shown from a server that holds them. Refused, not ignored.
        raise StationError("duress.error.server_site")
    validate_passphrase(passphrase)
    keyring = Keyring.load(ctx.home)
    try:
        keyring.unwrap(ctx.actor.username, passphrase)
    except StationError:
        pass
    else:
        raise StationError("duress.error.same_as_own")
    with ctx.db.uow() as uow:
        audit.record(uow, ctx.actor, "station.duress_set", "station", ctx.station_code)
        keyring.wrap(DURESS_ENTRY, passphrase, os.urandom(32))
        keyring.save()


def clear_duress_passphrase(ctx: StationContext) -> None:
    require(ctx.actor, Permission.MANAGE_SETTINGS)
    keyring = Keyring.load(ctx.home)
    with ctx.db.uow() as uow:
        audit.record(uow, ctx.actor, "station.duress_clear", "station", ctx.station_code)
        keyring.remove(DURESS_ENTRY)
        keyring.save()


def is_duress(keyring: Keyring, passphrase: str) -> bool:
    """Tried after every failed sign-in, whether a duress passphrase is set or not: the key file does not say
    (its entries are nameless), and a failure costing the same either way does not tell a coercer either."""
    try:
        keyring.unwrap(DURESS_ENTRY, passphrase)
    except StationError:
        return False
    return True


def erase_and_open_empty(home: Path, settings: StationSettings, username: str, passphrase: str) -> StationContext:
    """Erase the station, then set up and sign in to an empty one that looks like it."""
    from station.services.erase import ERASED_MARKER, erase

    erase(home)
    (home / ERASED_MARKER).unlink(missing_ok=True)  # an empty station, not an erased one
    try:
        username = validate_username(username)
    except StationError:
        username = "admin"
    ctx, _code = initialize(site_code=settings.site_code, station_number=settings.station_number,
                            admin_username=username, admin_passphrase=passphrase, language=settings.language,
                            home=home)
    return ctx
