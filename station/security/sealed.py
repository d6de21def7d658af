"""Station files only a passphrase holder can read: small JSON documents sealed under keys derived from the
database key (issue 15: a thief with the laptop and no passphrase reads no account name, role or station code).

A sign-in unwraps the database key; `open_station(home, db_key)` then derives this station folder's file key
(HKDF-SHA256) and keeps it in this process's memory, and `seal`/`unseal` encrypt a document with AES-256-GCM
under a per-purpose subkey of it (the purpose is also bound as associated data, so one sealed file cannot be
passed off as another). The authority file, the trail heads, the account names in the key file and the
report key of the failed sign-in log are sealed this way. `forget(home)` drops (and overwrites in place, best
effort) the keys: at sign-out and at an emergency erase.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from station import settings as _settings
from station.errors import StationError
from station.security.signing import b64, unb64

SEALED_FORMAT = 1
_ROOT_INFO = b"station files v1"
_keys: dict[str, bytes] = {}  # resolved station folder -> its file key (never written anywhere)


def _id(home: Path) -> str:
    return str(Path(home).resolve())


def _hkdf(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


def open_station(home: Path, db_key: bytes) -> None:
    """Keep the file key of the station in `home` (derived from its database key) for this process."""
    _keys[_id(home)] = _hkdf(db_key, _ROOT_INFO)


def is_open(home: Path) -> bool:
    return _id(home) in _keys


def subkey(home: Path, purpose: str) -> bytes:
    """The key for `purpose` in this station folder; StationError when nobody signed in (nothing unwrapped)."""
    root = _keys.get(_id(home))
    if root is None:
        raise StationError("security.error.station_locked")
    return _hkdf(root, b"purpose:" + purpose.encode())


def forget(home: Path | None = None) -> None:
    """Drop the file key of `home` (every station folder when None)."""
    from station.security.wipe import wipe

    for ident in [_id(home)] if home is not None else list(_keys):
        key = _keys.pop(ident, None)
        if key is not None:
            wipe(key)


def is_sealed(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("sealed") == SEALED_FORMAT


def seal_bytes(key: bytes, data: bytes, aad: bytes) -> dict[str, Any]:
    nonce = os.urandom(12)
    return {"sealed": SEALED_FORMAT, "nonce": b64(nonce), "data": b64(AESGCM(key).encrypt(nonce, data, aad))}


def unseal_bytes(key: bytes, doc: Any, aad: bytes) -> bytes:
    """The plain bytes; StationError('error.keyring_damaged') when `doc` was not sealed under `key` for `aad`."""
    try:
        return AESGCM(key).decrypt(unb64(doc["nonce"]), unb64(doc["data"]), aad)
    except (InvalidTag, ValueError, KeyError, TypeError):
        raise StationError("error.keyring_damaged") from None


def seal(home: Path, purpose: str, obj: Any) -> dict[str, Any]:
    """`obj` (JSON-able) sealed for `purpose` under the open station's file key."""
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return seal_bytes(subkey(home, purpose), data, purpose.encode())


def unseal(home: Path, purpose: str, doc: Any) -> Any:
    try:
        return json.loads(unseal_bytes(subkey(home, purpose), doc, purpose.encode()).decode("utf-8"))
    except ValueError:
        raise StationError("error.keyring_damaged") from None


# The failed sign-in log is written before anybody signed in (no file key yet): each line is sealed to the
# station's report key (X25519, its public half in the key file, its private half sealed under the file key),
# so it is read back only after the next successful sign-in.
def box_seal(public_b64: str, data: bytes) -> str:
    """`data` encrypted to an X25519 public key (ephemeral key, HKDF, AES-256-GCM), as one base64 line."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    eph = X25519PrivateKey.generate()
    eph_pub = eph.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = _hkdf(eph.exchange(X25519PublicKey.from_public_bytes(unb64(public_b64))), b"box v1" + eph_pub)
    nonce = os.urandom(12)
    return b64(eph_pub + nonce + AESGCM(key).encrypt(nonce, data, b"box v1"))


def box_open(private_raw: bytes, line: str) -> bytes | None:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

    try:
        raw = unb64(line.strip())
        eph_pub, nonce, ct = raw[:32], raw[32:44], raw[44:]
        shared = X25519PrivateKey.from_private_bytes(private_raw).exchange(X25519PublicKey.from_public_bytes(eph_pub))
        return AESGCM(_hkdf(shared, b"box v1" + eph_pub)).decrypt(nonce, ct, b"box v1")
    except (InvalidTag, ValueError):
        return None


def new_box_key() -> tuple[bytes, str]:
    """(private raw bytes, public base64) of a fresh X25519 key."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

    sk = X25519PrivateKey.generate()
    return (sk.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
            b64(sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)))


_settings.use_sealer(sys.modules[__name__])  # the settings that say who the station is are sealed (settings.py)
