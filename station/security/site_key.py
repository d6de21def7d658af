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


def seal_for(value: bytes, username: str, passphrase: str, aad: bytes, field: str,
             params: KdfParams | None = None) -> dict[str, Any]:
    """`value` sealed under Argon2id of one account's name and passphrase, for the server: {"kdf", "nonce",
    `field`} (the site key here; an account's signing key in site_authority)."""
    params = params or KdfParams.fresh()
    nonce = os.urandom(12)
    box = AESGCM(derive_key(_secret(username, passphrase), params)).encrypt(nonce, value,
                                                                          aad + username.encode("utf-8"))
    return {"kdf": params.to_dict(), "nonce": b64(nonce), field: b64(box)}


def open_for(doc: Any, username: str, passphrase: str, aad: bytes, field: str) -> bytes | None:
    """What `seal_for` sealed; None when the passphrase does not open it (or the document is damaged)."""
    try:
        return AESGCM(derive_key(_secret(username, passphrase), KdfParams.from_dict(doc["kdf"]))).decrypt(
            unb64(doc["nonce"]), unb64(doc[field]), aad + username.encode("utf-8"))
    except (InvalidTag, KeyError, ValueError, TypeError):
        return None


def wrap(key: bytes, username: str, passphrase: str, params: KdfParams | None = None) -> dict[str, Any]:
    """The site key wrapped for one administrator (a JSON-able document for the server)."""
    return {"format": FORMAT, **seal_for(key, username, passphrase, _WRAP_AAD, "key", params), "id": key_id(key)}


def unwrap(doc: Any, username: str, passphrase: str) -> bytes | None:
    """The site key from an administrator's wrapped copy; None when the passphrase does not open it."""
    key = open_for(doc, username, passphrase, _WRAP_AAD, "key")
    return key if key is not None and len(key) == 32 else None
