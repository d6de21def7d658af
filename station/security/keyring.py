"""The key file: the database key, wrapped once per account (and once for the recovery sheet).

Nothing in this file opens the database by itself. Each entry holds Argon2id parameters and the
database key encrypted with AES-256-GCM under the key derived from that account's passphrase; the
account name is bound as associated data so entries cannot be swapped. Removing an entry revokes
that account's access. Failed sign-in counters live here too, because a wrong passphrase never
reaches the database.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from station.errors import StationError
from station.fsutil import atomic_write_bytes
from station.security.kdf import KdfParams, derive_key

KEYRING_FILE = "keyring.json"
FORMAT_VERSION = 1
RECOVERY_ENTRY = "__recovery__"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


@dataclass
class Keyring:
    path: Path
    data: dict[str, Any]

    @classmethod
    def load(cls, home: Path) -> Keyring:
        path = home / KEYRING_FILE
        if not path.exists():
            raise StationError("error.not_set_up")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise StationError("error.keyring_damaged") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
            raise StationError("error.keyring_damaged")
        return cls(path, data)

    @classmethod
    def create(cls, home: Path, station_id: str) -> Keyring:
        path = home / KEYRING_FILE
        if path.exists():
            raise StationError("error.already_set_up")
        return cls(path, {"format": FORMAT_VERSION, "station_id": station_id, "entries": {}, "failures": {}})

    def save(self) -> None:
        atomic_write_bytes(self.path, json.dumps(self.data, indent=1).encode("utf-8"))

    @property
    def entries(self) -> dict[str, Any]:
        return self.data["entries"]  # type: ignore[no-any-return]

    def has(self, name: str) -> bool:
        return name in self.entries

    def _aad(self, name: str) -> bytes:
        return f"{self.data['station_id']}\x00{name}".encode()

    def wrap(self, name: str, secret: str, db_key: bytes, params: KdfParams | None = None) -> None:
        params = params or KdfParams.fresh()
        kek = derive_key(secret, params)
        nonce = os.urandom(12)
        wrapped = AESGCM(kek).encrypt(nonce, db_key, self._aad(name))
        self.entries[name] = {"kdf": params.to_dict(), "nonce": _b64(nonce), "wrapped": _b64(wrapped)}

    def unwrap(self, name: str, secret: str) -> bytes:
        """The database key, or StationError('error.bad_credentials') (same for unknown name and bad secret)."""
        entry = self.entries.get(name)
        if entry is None:
            derive_key(secret, KdfParams.fresh())  # same time for unknown names
            raise StationError("error.bad_credentials")
        kek = derive_key(secret, KdfParams.from_dict(entry["kdf"]))
        try:
            return AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]), self._aad(name))
        except InvalidTag:
            raise StationError("error.bad_credentials") from None

    def remove(self, name: str) -> None:
        self.entries.pop(name, None)
        self.data["failures"].pop(name, None)

    # Failed sign-in throttling (growing delay, then a temporary lock).
    def failures(self, name: str) -> tuple[int, float]:
        rec = self.data["failures"].get(name) or {"count": 0, "last": 0.0}
        return int(rec["count"]), float(rec["last"])

    def record_failure(self, name: str, now: float | None = None) -> None:
        count, _ = self.failures(name)
        self.data["failures"][name] = {"count": count + 1, "last": now if now is not None else time.time()}
        self.save()

    def clear_failures(self, name: str) -> None:
        if self.data["failures"].pop(name, None) is not None:
            self.save()


def new_database_key() -> bytes:
    return os.urandom(32)
