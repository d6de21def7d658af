"""The key file: the database key, wrapped once per account (and once for the recovery sheet).

Nothing in this file opens the database by itself. Each entry holds Argon2id parameters and the
database key encrypted with AES-256-GCM under the key derived from that account's passphrase; the
account name is bound as associated data so entries cannot be swapped. Removing an entry revokes
that account's access. Failed sign-in counters live here too, because a wrong passphrase never
reaches the database; they are updated under a lock on the file (re-read, count, write), so parallel
wrong passphrases each count.

Each entry also holds the account's own Ed25519 signing key ("sk"), sealed under the same derived key
(its public half, "pub", beside it): the audit trail and role grants are signed with it (see
station/services/trail_guard.py). Wrapping an entry again (a new passphrase) makes a new signing key;
an entry from before signing keys existed gets one at its next unwrap ("sign on next sign-in").
Unwrapped signing keys stay in this object's memory only, until `forget()`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from station.errors import StationError
from station.fsutil import atomic_write_bytes
from station.security import signing
from station.security.kdf import KdfParams, derive_key

KEYRING_FILE = "keyring.json"
LOCK_FILE = "keyring.lock"
FORMAT_VERSION = 1
RECOVERY_ENTRY = "__recovery__"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


def _lock(fh: BinaryIO) -> None:
    # A few lines of fcntl/msvcrt rather than a new dependency (filelock/portalocker) for one lock.
    if sys.platform != "win32":
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    else:  # pragma: no cover - Windows
        import msvcrt

        fh.seek(0)
        while True:
            try:
                msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
                return
            except OSError:
                continue


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (and threads: each call opens its own descriptor)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+b") as fh:
        _lock(fh)
        try:
            yield
        finally:
            if sys.platform != "win32":
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            else:  # pragma: no cover
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise StationError("error.keyring_damaged") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise StationError("error.keyring_damaged")
    return data


@dataclass
class Keyring:
    path: Path
    data: dict[str, Any]
    # account name -> raw signing key, unwrapped in this process (never written in plain form)
    _unlocked: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    needs_save: bool = False  # unwrap() gave an entry its first signing key: save() to keep it

    @classmethod
    def load(cls, home: Path) -> Keyring:
        path = home / KEYRING_FILE
        if not path.exists():
            raise StationError("error.not_set_up")
        return cls(path, _read(path))

    @classmethod
    def create(cls, home: Path, station_id: str) -> Keyring:
        path = home / KEYRING_FILE
        if path.exists():
            raise StationError("error.already_set_up")
        return cls(path, {"format": FORMAT_VERSION, "station_id": station_id, "entries": {}, "failures": {}})

    def save(self) -> None:
        with file_lock(self.path.parent / LOCK_FILE):
            self._write()

    def _write(self) -> None:
        atomic_write_bytes(self.path, json.dumps(self.data, indent=1).encode("utf-8"))

    @property
    def entries(self) -> dict[str, Any]:
        return self.data["entries"]

    def has(self, name: str) -> bool:
        return name in self.entries

    def _aad(self, name: str) -> bytes:
        return f"{self.data['station_id']}\x00{name}".encode()

    def wrap(self, name: str, secret: str, db_key: bytes, params: KdfParams | None = None) -> None:
        """(Re)make `name`'s entry: the database key and a new signing key, sealed under `secret`."""
        params = params or KdfParams.fresh()
        kek = derive_key(secret, params)
        nonce = os.urandom(12)
        wrapped = AESGCM(kek).encrypt(nonce, db_key, self._aad(name))
        self.entries[name] = {"kdf": params.to_dict(), "nonce": _b64(nonce), "wrapped": _b64(wrapped)}
        self._new_signing_key(name, kek)

    def _new_signing_key(self, name: str, kek: bytes) -> None:
        sk = signing.new_private_key()
        sk_nonce, sealed = signing.seal(kek, sk, self._aad(name) + b"\x00sk")
        self.entries[name].update({"pub": signing.public_of(sk), "sk_nonce": sk_nonce, "sk": sealed})
        self._unlocked[name] = sk

    def unwrap(self, name: str, secret: str) -> bytes:
        """The database key, or StationError('error.bad_credentials') (same for unknown name and bad secret).

        Also unseals the account's signing key into memory (`signing_key`); an entry without one gets one
        now (call `save()` afterwards: `needs_save` says so)."""
        entry = self.entries.get(name)
        if entry is None:
            derive_key(secret, KdfParams.fresh())  # same time for unknown names
            raise StationError("error.bad_credentials")
        kek = derive_key(secret, KdfParams.from_dict(entry["kdf"]))
        try:
            key = AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]), self._aad(name))
        except InvalidTag:
            raise StationError("error.bad_credentials") from None
        sk = None
        if "sk" in entry:
            sk = signing.unseal(kek, entry.get("sk_nonce", ""), entry["sk"], self._aad(name) + b"\x00sk")
        if sk is not None and signing.public_of(sk) == entry.get("pub"):
            self._unlocked[name] = sk
        else:  # an entry from before signing keys (or a damaged one): a new key, bound at the next grant
            self._new_signing_key(name, kek)
            self.needs_save = True
        return key

    def signing_key(self, name: str) -> bytes | None:
        """`name`'s signing key if it was unwrapped (or made) in this process."""
        return self._unlocked.get(name)

    def public_key(self, name: str) -> str | None:
        entry = self.entries.get(name)
        pub = entry.get("pub") if isinstance(entry, dict) else None
        return pub if isinstance(pub, str) else None

    def forget(self) -> None:
        """Drop (and overwrite in place, best effort) the signing keys unwrapped by this object."""
        from station.security.wipe import wipe

        for sk in self._unlocked.values():
            wipe(sk)
        self._unlocked.clear()

    def remove(self, name: str) -> None:
        self.entries.pop(name, None)
        self.forget_failures(name)
        self._unlocked.pop(name, None)

    # Failed sign-in throttling (growing delay, then a temporary lock). Counters are kept under a keyed
    # hash of the name typed, never the name: people type passphrases into the account field (issue 15).
    def _failure_key(self, name: str) -> str:
        return hmac.new(str(self.data.get("station_id", "")).encode(), name.encode("utf-8"),
                        hashlib.sha256).hexdigest()[:32]

    def failures(self, name: str) -> tuple[int, float]:
        fails = self.data["failures"]
        rec = fails.get(self._failure_key(name)) or fails.get(name) or {"count": 0, "last": 0.0}
        return int(rec["count"]), float(rec["last"])

    def name_tag(self, name: str) -> str:
        """A keyed hash standing for a typed account name in files readable without a passphrase."""
        return "#" + self._failure_key(name)

    def name_for_tag(self, tag: str) -> str | None:
        """The account (or recovery entry) a tag stands for; None for a name no entry has (never shown)."""
        return next((n for n in self.entries if self.name_tag(n) == tag), None)

    def forget_failures(self, name: str) -> None:
        """Clear `name`'s counter in memory (written by the next save())."""
        self.data["failures"].pop(self._failure_key(name), None)
        self.data["failures"].pop(name, None)  # as older versions kept it

    def record_failure(self, name: str, now: float | None = None) -> None:
        """Count one failure: re-read the file under the lock, so parallel failures all count."""
        with file_lock(self.path.parent / LOCK_FILE):
            fresh = _read(self.path) if self.path.exists() else self.data
            failures = fresh.setdefault("failures", {})
            rec = failures.pop(name, None) or failures.get(self._failure_key(name)) or {"count": 0, "last": 0.0}
            failures[self._failure_key(name)] = {"count": int(rec["count"]) + 1,
                                                 "last": now if now is not None else time.time()}
            self.data["failures"] = failures
            atomic_write_bytes(self.path, json.dumps(fresh, indent=1).encode("utf-8"))

    def clear_failures(self, name: str) -> None:
        keys = (name, self._failure_key(name))
        on_disk = _read(self.path).get("failures", {}) if self.path.exists() else {}
        if not any(k in self.data["failures"] or k in on_disk for k in keys):
            return
        with file_lock(self.path.parent / LOCK_FILE):
            fresh = _read(self.path) if self.path.exists() else self.data
            for k in keys:
                fresh.setdefault("failures", {}).pop(k, None)
            self.data["failures"] = fresh["failures"]
            atomic_write_bytes(self.path, json.dumps(fresh, indent=1).encode("utf-8"))


def new_database_key() -> bytes:
    return os.urandom(32)
