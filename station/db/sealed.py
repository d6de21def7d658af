"""Portraits and document images sealed with the site key (AES-256-GCM), so a database dump shows no faces.

On PostgreSQL the server holds the rows as the station writes them: without this, `pg_dump` (or a copy of
the server's disk) gives every face. `SealedBytes` is the column type of the image columns: it seals each
value on its way to the database and opens it on the way back, so no reader or writer of those columns
changes (services, packs, the office's merge: a merged portrait is sealed under the office's own key).

The key lives on the engine's dialect object (`attach_key`): each engine has its own, so two stations open
in one process never share one. It is derived (HKDF-SHA256) from the secret that opens the database and that
every desk of a site holds alike:
- the embedded SQLCipher file: the database key itself (unwrapped by every account of the desk);
- a PostgreSQL site: the server's password, which every desk of the site holds sealed under its own
  database key (station.security.db_secret) and which a joining desk receives the same way.
A value is `MAGIC + nonce + ciphertext`; a value without MAGIC is a plain row of an older version and reads
as it is (revision 0006 seals them).
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
_NONCE = 12
_ATTR = "station_site_key"
_SALT = b"registration-station site key"
SOURCE_DB_KEY = b"sqlcipher database key"
SOURCE_SERVER_PASSWORD = b"postgresql server password"


def derive_key(secret: bytes, source: bytes) -> bytes:
    """The 32-byte site key from the database's secret (HKDF-SHA256; `source` names which secret it is)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=b"image seal v1: " + source).derive(secret)


def attach_key(engine: Engine, key: bytes | None) -> None:
    """Hold the site key on this engine's dialect (None: no key, values are written plain)."""
    setattr(engine.dialect, _ATTR, AESGCM(key) if key is not None else None)


def _cipher(dialect: Dialect) -> AESGCM | None:
    cipher: AESGCM | None = getattr(dialect, _ATTR, None)
    return cipher


def has_key(dialect: Dialect) -> bool:
    return _cipher(dialect) is not None


def is_sealed(value: bytes) -> bool:
    return value.startswith(MAGIC)


def seal(dialect: Dialect, value: bytes) -> bytes:
    """`value` sealed under the dialect's site key (as it is when the engine holds no key, or already sealed)."""
    cipher = _cipher(dialect)
    if cipher is None or is_sealed(value):
        return value
    nonce = os.urandom(_NONCE)
    return MAGIC + nonce + cipher.encrypt(nonce, value, MAGIC)


def unseal(dialect: Dialect, value: bytes) -> bytes:
    """The plain value of a sealed one (a plain value of an older version as it is)."""
    if not is_sealed(value):
        return value
    cipher = _cipher(dialect)
    if cipher is None:
        raise StationError("error.keyring_damaged")  # a sealed image but no key to open it
    body = value[len(MAGIC):]
    try:
        return cipher.decrypt(body[:_NONCE], body[_NONCE:], MAGIC)
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
