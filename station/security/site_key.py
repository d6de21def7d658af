"""A PostgreSQL site's own image key: random, made once, held only wrapped (issue 15).

Portraits and document images on a site server were sealed under a key derived from the server's password,
which every database administrator knows (and whose change stranded them). The site key is 32 random bytes
made when the site is set up. It exists in two wrapped forms only:
- on each desk, in `site-key.json`, sealed under the station's file key (station/security/sealed.py), like
  the desk's pack key: readable only in a process where someone signed in at that desk;
- on the server, once per site administrator, under a key derived (Argon2id, parameters and salt of its
  own) from the administrator's name and passphrase (`wrap` / `unwrap`). A desk that joins the site is set
  up by an administrator typing that name and passphrase (station/services/site_join.py): the same typing
  unwraps the site key there. Someone holding the server's password, or a dump, holds no passphrase.
`key_id` names a key without revealing it (kept on the server, so a desk never takes a different key for
the site's).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from station.errors import StationError
from station.fsutil import atomic_write_bytes
from station.security import sealed
from station.security.kdf import KdfParams, derive_key
from station.security.signing import b64, unb64

SITE_KEY_FILE = "site-key.json"
FORMAT = 1
_PURPOSE = "site image key"
_WRAP_AAD = b"site image key v1\x00"


def new_key() -> bytes:
    return os.urandom(32)


def key_id(key: bytes) -> str:
    """A name for the key (SHA-256 of a label and the key, 16 bytes in hex): says which, opens nothing."""
    return hashlib.sha256(b"registration-station site key id\x00" + key).hexdigest()[:32]


def save(home: Path, key: bytes) -> None:
    """Keep the key on this desk, sealed under the station's file key (someone signed in)."""
    doc = sealed.seal(home, _PURPOSE, {"format": FORMAT, "key": b64(key), "id": key_id(key)})
    atomic_write_bytes(home / SITE_KEY_FILE, json.dumps(doc).encode("utf-8"))


def load(home: Path) -> bytes | None:
    """This desk's site key, or None when it holds none (yet). StationError when the file is damaged or
    nobody signed in in this process."""
    path = home / SITE_KEY_FILE
    if not path.exists():
        return None
    try:
        doc = sealed.unseal(home, _PURPOSE, json.loads(path.read_text(encoding="utf-8")))
        key = unb64(doc["key"])
    except (OSError, ValueError, KeyError, TypeError):
        raise StationError("error.keyring_damaged") from None
    if len(key) != 32 or doc.get("id") != key_id(key):
        raise StationError("error.keyring_damaged")
    return key


def _secret(username: str, passphrase: str) -> str:
    return f"{username}\x00{passphrase}"


def wrap(key: bytes, username: str, passphrase: str, params: KdfParams | None = None) -> dict[str, Any]:
    """The site key wrapped for one administrator (a JSON-able document for the server)."""
    params = params or KdfParams.fresh()
    nonce = os.urandom(12)
    sealed_key = AESGCM(derive_key(_secret(username, passphrase), params)).encrypt(
        nonce, key, _WRAP_AAD + username.encode("utf-8"))
    return {"format": FORMAT, "kdf": params.to_dict(), "nonce": b64(nonce), "key": b64(sealed_key),
            "id": key_id(key)}


def unwrap(doc: Any, username: str, passphrase: str) -> bytes | None:
    """The site key from an administrator's wrapped copy; None when the passphrase does not open it."""
    try:
        params = KdfParams.from_dict(doc["kdf"])
        key = AESGCM(derive_key(_secret(username, passphrase), params)).decrypt(
            unb64(doc["nonce"]), unb64(doc["key"]), _WRAP_AAD + username.encode("utf-8"))
    except (InvalidTag, KeyError, ValueError, TypeError):
        return None
    return key if len(key) == 32 else None
