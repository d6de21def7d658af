"""The PostgreSQL server's password, never in a plain file: sealed under the database key (issue 15).

On a PostgreSQL site the key file still wraps a database key per account (and for the recovery sheet);
here that key seals the server password (AES-256-GCM, `database-secret.json`, owner-only), and
settings.json keeps the URL without it. Signing in unwraps the key, which opens the password, which opens
the server: a thief with the laptop and no passphrase learns the server's address and user, not its
password. A URL that still carries its password (set up by an older version) is moved into the sealed
file at the next sign-in (`seal_from_settings_url`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import URL, make_url

from station.errors import StationError
from station.fsutil import atomic_write_bytes
from station.security.signing import b64, unb64

SECRET_FILE = "database-secret.json"
_AAD = b"station database password v1"


def split_password(url: str) -> tuple[str, str | None]:
    """(the URL without its password, the password or None)."""
    if not url:
        return url, None
    parsed = make_url(url)
    if parsed.password is None:
        return url, None
    bare = URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database,
                      parsed.query)  # URL.set(password=None) would keep the password
    return bare.render_as_string(hide_password=False), str(parsed.password)


def with_password(url: str, password: str) -> str:
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def seal(home: Path, db_key: bytes, password: str) -> None:
    nonce = os.urandom(12)
    sealed = AESGCM(db_key).encrypt(nonce, password.encode("utf-8"), _AAD)
    atomic_write_bytes(home / SECRET_FILE, json.dumps({"format": 1, "nonce": b64(nonce),
                                                       "sealed": b64(sealed)}).encode())


def unseal(home: Path, db_key: bytes) -> str | None:
    path = home / SECRET_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return AESGCM(db_key).decrypt(unb64(data["nonce"]), unb64(data["sealed"]), _AAD).decode("utf-8")
    except (OSError, ValueError, KeyError, TypeError, InvalidTag):
        raise StationError("error.keyring_damaged") from None


def full_url(home: Path, url: str, db_key: bytes | None) -> str:
    """The URL to connect with: as stored if it carries a password (older set-ups), else with the sealed one."""
    _bare, password = split_password(url)
    if password is not None or db_key is None:
        return url
    sealed = unseal(home, db_key)
    return with_password(url, sealed) if sealed is not None else url


def seal_from_settings_url(home: Path, url: str, db_key: bytes) -> str | None:
    """Move a password out of a stored URL into the sealed file; returns the URL to store instead (or None
    when there was nothing to move)."""
    bare, password = split_password(url)
    if password is None:
        return None
    seal(home, db_key, password)
    return bare
