"""Portraits and document images sealed with the site key (AES-256-GCM), so a database dump shows no faces.

On PostgreSQL the server holds the rows as the station writes them: without this, `pg_dump` (or a copy of
the server's disk) gives every face. `SealedBytes` is the column type of the image columns: it seals each
value on its way to the database and opens it on the way back, so no reader or writer of those columns
changes (services, packs, the office's merge: a merged portrait is sealed under the office's own key).

The keys live on the engine's dialect object: each engine has its own, so two stations open in one process
never share one. Two forms of value:
- `MAGIC` (version 1): sealed under a key derived (HKDF-SHA256, `attach_key`) from the secret that opens the
  database: on the embedded SQLCipher file the database key itself (unwrapped by every account of the desk);
  on a PostgreSQL site of an older version the server's password (which a database administrator knows:
  those values are re-sealed in the second form when the site gets its own key, station.services.site_join).
- `MAGIC_SITE` (version 2, PostgreSQL sites): sealed under the site's own random key (`attach_site_key`),
  made when the site is set up and held only wrapped (station.security.site_key): the server's password
  alone opens none of them, and changing it strands none.
Opening tries the key the value names. A value with neither prefix is a plain row of an older version and
reads as it is (revision 0006 seals them). A desk of a site that has its own key, but which does not hold it
yet (`require_site_key`), neither writes images (they would be sealed under the password) nor opens the new
ones: StationError('security.error.site_key_missing').
"""

from __future__ import annotations

import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Engine, LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from station.errors import StationError

MAGIC = b"RSsealed1:"  # format version 1; a JPEG starts with FF D8 FF, so a plain image never starts so
MAGIC_SITE = b"RSsealed2:"  # format version 2: under the site's own random key (PostgreSQL sites)
_NONCE = 12
_ATTR = "station_site_key"
_SITE_ATTR = "station_site_key_v2"
_NEEDS_ATTR = "station_site_key_required"
_SALT = b"registration-station site key"
SOURCE_DB_KEY = b"sqlcipher database key"
SOURCE_SERVER_PASSWORD = b"postgresql server password"


def derive_key(secret: bytes, source: bytes) -> bytes:
    """The 32-byte site key from the database's secret (HKDF-SHA256; `source` names which secret it is)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=b"image seal v1: " + source).derive(secret)


def attach_key(engine: Engine, key: bytes | None) -> None:
    """Hold the key derived from the database's secret (the first form) on this engine's dialect (None: no
    key; without a site key either, values are written plain)."""
    setattr(engine.dialect, _ATTR, AESGCM(key) if key is not None else None)


def attach_site_key(engine: Engine, key: bytes | None) -> None:
    """Hold the site's own key on this engine's dialect: values are written in the second form from now on."""
    setattr(engine.dialect, _SITE_ATTR, AESGCM(key) if key is not None else None)
    if key is not None:
        setattr(engine.dialect, _NEEDS_ATTR, False)


def require_site_key(engine: Engine) -> None:
    """The site has its own key but this engine does not hold it: refuse to write images under the other key."""
    if getattr(engine.dialect, _SITE_ATTR, None) is None:
        setattr(engine.dialect, _NEEDS_ATTR, True)


def _cipher(dialect: Dialect) -> AESGCM | None:
    cipher: AESGCM | None = getattr(dialect, _ATTR, None)
    return cipher


def _site_cipher(dialect: Dialect) -> AESGCM | None:
    cipher: AESGCM | None = getattr(dialect, _SITE_ATTR, None)
    return cipher


def has_key(dialect: Dialect) -> bool:
    return _cipher(dialect) is not None or _site_cipher(dialect) is not None


def has_site_key(dialect: Dialect) -> bool:
    return _site_cipher(dialect) is not None


def is_sealed(value: bytes) -> bool:
    return value.startswith(MAGIC) or value.startswith(MAGIC_SITE)


def is_site_sealed(value: bytes) -> bool:
    return value.startswith(MAGIC_SITE)


def seal(dialect: Dialect, value: bytes) -> bytes:
    """`value` sealed under the dialect's site key (as it is when the engine holds no key, or already sealed)."""
    if is_sealed(value):
        return value
    magic, cipher = MAGIC_SITE, _site_cipher(dialect)
    if cipher is None:
        if getattr(dialect, _NEEDS_ATTR, False):
            raise StationError("security.error.site_key_missing")
        magic, cipher = MAGIC, _cipher(dialect)
    if cipher is None:
        return value
    nonce = os.urandom(_NONCE)
    return magic + nonce + cipher.encrypt(nonce, value, magic)


def reseal(dialect: Dialect, value: bytes) -> bytes:
    """A value of the first form sealed again under the site's own key (others as they are)."""
    if not value.startswith(MAGIC) or _site_cipher(dialect) is None:
        return value
    return seal(dialect, unseal(dialect, value))


def unseal(dialect: Dialect, value: bytes) -> bytes:
    """The plain value of a sealed one (a plain value of an older version as it is)."""
    if value.startswith(MAGIC_SITE):
        magic, cipher = MAGIC_SITE, _site_cipher(dialect)
        if cipher is None:
            raise StationError("security.error.site_key_missing")
    elif value.startswith(MAGIC):
        magic, cipher = MAGIC, _cipher(dialect)
        if cipher is None:
            raise StationError("error.keyring_damaged")  # a sealed image but no key to open it
    else:
        return value
    body = value[len(magic):]
    try:
        return cipher.decrypt(body[:_NONCE], body[_NONCE:], magic)
    except InvalidTag:
        raise StationError("fault.db_damaged") from None


class SealedBytes(TypeDecorator[bytes]):
    """A binary column whose values are sealed with the engine's site key (see the module's note)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return seal(dialect, bytes(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return unseal(dialect, bytes(value))
