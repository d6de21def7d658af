"""Duress passphrase (optional, set by an administrator): typed at sign-in under coercion, it erases the
station and opens an empty-looking one in its place (issue 15).

The duress entry in the key file wraps a random value, never the database key, so the duress passphrase
opens nothing by itself. It is tried only after a sign-in failed with the account's own passphrase, so
ordinary sign-ins cost no extra key derivation. When it matches: the station is erased (station.services
.erase: keys first, then files), and a fresh station with the same site and desk numbers is set up with
the coerced account name and the duress passphrase as an administrator, and signed in. Its recovery code
is thrown away. What is erased is gone: the real records survive only in packs already at the office.

The site and desk numbers are sealed (issue 15) under the database key, which the duress passphrase does not
open: setting a duress passphrase also seals a copy of them under a key derived from the duress entry's
random value, in the spare slot of the identity file (station/settings.py; random bytes of the same size
when no duress passphrase is set, so the file does not say whether one is).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from station import settings as station_settings_module
from station.domain.roles import Permission
from station.errors import StationError
from station.security import sealed
from station.security.keyring import DURESS_ENTRY, Keyring
from station.services import audit
from station.services.authz import require
from station.services.station import StationContext, initialize, validate_passphrase, validate_username
from station.settings import SPARE_BYTES, StationSettings

_SPARE_AAD = b"duress identity v1"
_PLAIN_BYTES = SPARE_BYTES - 16  # AES-GCM adds its 16-byte tag


def _spare_key(value: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SPARE_AAD).derive(value)


def _seal_identity_copy(ctx: StationContext, value: bytes) -> None:
    who = json.dumps({"site_code": ctx.settings.site_code, "station_number": ctx.settings.station_number})
    plain = who.encode().ljust(_PLAIN_BYTES)  # always the same size as the random filler
    station_settings_module.keep_identity_spare(ctx.home, sealed.seal_bytes(_spare_key(value), plain, _SPARE_AAD))


def _identity_copy(home: Path, value: bytes) -> tuple[str, int] | None:
    try:
        spare = station_settings_module.identity_spare(home)
        doc = json.loads(sealed.unseal_bytes(_spare_key(value), spare, _SPARE_AAD))
        return str(doc["site_code"]), int(doc["station_number"])
    except (StationError, ValueError, KeyError, TypeError):
        return None


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
    value = os.urandom(32)
    with ctx.db.uow() as uow:
        audit.record(uow, ctx.actor, "station.duress_set", "station", ctx.station_code)
        keyring.wrap(DURESS_ENTRY, passphrase, value)
        _seal_identity_copy(ctx, value)
        keyring.save()


def clear_duress_passphrase(ctx: StationContext) -> None:
    require(ctx.actor, Permission.MANAGE_SETTINGS)
    keyring = Keyring.load(ctx.home)
    with ctx.db.uow() as uow:
        audit.record(uow, ctx.actor, "station.duress_clear", "station", ctx.station_code)
        keyring.remove(DURESS_ENTRY)
        keyring.save()
        station_settings_module.keep_identity_spare(ctx.home, None)


def duress_value(keyring: Keyring, passphrase: str) -> bytes | None:
    """The duress entry's value if `passphrase` is the duress passphrase, else None.

    Tried after every failed sign-in, whether a duress passphrase is set or not: the key file does not say
    (its entries are nameless), and a failure costing the same either way does not tell a coercer either."""
    try:
        return keyring.unwrap(DURESS_ENTRY, passphrase)
    except StationError:
        return None


def is_duress(keyring: Keyring, passphrase: str) -> bool:
    return duress_value(keyring, passphrase) is not None


# A station whose duress passphrase was set before the identity was sealed has no copy: its empty station
# takes the older plain settings if they are still there, else this neutral desk.
_NO_COPY = ("XX", 1)


def erase_and_open_empty(home: Path, settings: StationSettings, username: str, passphrase: str,
                         value: bytes | None = None, contexts: tuple[StationContext, ...] = ()) -> StationContext:
    """Erase the station, then set up and sign in to an empty one that looks like it (same site and desk:
    from the copy sealed under the duress entry's `value`). `contexts`: sessions open in this process (a
    locked desk), whose keys and connections the erase destroys first."""
    from station.services.erase import ERASED_MARKER, erase

    site, number = (_identity_copy(home, value) if value is not None else None) or (
        (settings.site_code, settings.station_number) if settings.site_code else _NO_COPY)
    erase(home, contexts)
    (home / ERASED_MARKER).unlink(missing_ok=True)  # an empty station, not an erased one
    try:
        username = validate_username(username)
    except StationError:
        username = "admin"
    ctx, _code = initialize(site_code=site, station_number=number,
                            admin_username=username, admin_passphrase=passphrase, language=settings.language,
                            home=home)
    return ctx
