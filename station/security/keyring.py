"""The key file: the database key, wrapped once per account (and once for the recovery sheet).

Nothing in this file opens the database by itself, and nothing in it names anybody (issue 15: a thief with
the laptop and no passphrase reads no account name). Each entry holds the database key encrypted with
AES-256-GCM under a key derived (Argon2id, the station's parameters and salt) from the account name and its
passphrase together, with both bound as associated data; the entries carry random ids, and the account
name of each is sealed under the station's file key (station/security/sealed.py), readable only once a
sign-in has unwrapped the database key. Signing in derives one key from the typed name and passphrase and
tries it on every entry (a few AES operations): unknown names and wrong passphrases cost the same.
(One salt per station rather than per entry: a guesser's single derivation is tried on every entry, a
factor of the number of accounts, traded for a sign-in that does not need the name in plain text.)
Removing an entry revokes that account's access.

Each entry also holds the account's own Ed25519 signing key ("sk"), sealed under the same derived key
(its public half, "pub", beside it): the audit trail and role grants are signed with it (see
station/services/trail_guard.py). Wrapping an entry again (a new passphrase) makes a new signing key.

Failed sign-ins are throttled before any key is unwrapped, so their counters must be readable without a
passphrase: they are kept per bucket (one of 16, chosen by a keyed hash of the typed name), not per
account, so they say neither which accounts exist nor who failed (a good sign-in clears its bucket). Each
attempt is counted before its key derivation, under a lock on the file (read, check, count, write):
parallel attempts cannot slip past it.

A key file from before (format 1, entries under their names) is read as is: each such entry moves to the
nameless form at its account's next sign-in, keeping its signing key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from station.errors import StationError
from station.fsutil import atomic_write_bytes
from station.security import sealed, signing
from station.security.kdf import KdfParams, derive_key
from station.security.signing import b64 as _b64
from station.security.signing import unb64 as _unb64

KEYRING_FILE = "keyring.json"
LOCK_FILE = "keyring.lock"
FORMAT_VERSION = 2
LEGACY_FORMAT = 1
RECOVERY_ENTRY = "__recovery__"
DURESS_ENTRY = "__duress__"  # wraps a random value, never the database key (services/duress.py)
THROTTLE_BUCKETS = 16
_NAMES = "keyring names"
_REPORT = "signin report"
_DURESS_FLAG = "duress flag"

# policy(count, last, now) -> seconds still to wait (<= 0: go ahead); raises StationError when locked
ThrottlePolicy = Callable[[int, float, float], float]


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
    if not isinstance(data, dict) or data.get("format") not in (FORMAT_VERSION, LEGACY_FORMAT):
        raise StationError("error.keyring_damaged")
    if data["format"] == LEGACY_FORMAT:  # entries under their names; failure counters dropped (re-counted)
        data = {"format": FORMAT_VERSION, "station_id": data.get("station_id", ""), "entries": [],
                "legacy": dict(data.get("entries") or {}), "throttle": {}}
    data.setdefault("entries", [])
    data.setdefault("legacy", {})
    data.setdefault("throttle", {})
    return data


@dataclass
class Keyring:
    path: Path
    data: dict[str, Any]
    # account name -> raw signing key, unwrapped in this process (never written in plain form)
    _unlocked: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    _ids: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # name -> entry id, once unsealed
    _cleared: set[str] = field(default_factory=set, repr=False, compare=False)  # buckets cleared, for save()
    needs_save: bool = False  # unwrap() changed an entry (first signing key, new form): save() to keep it

    @classmethod
    def load(cls, home: Path) -> Keyring:
        path = home / KEYRING_FILE
        if not path.exists():
            raise StationError("error.not_set_up")
        ring = cls(path, _read(path))
        ring._open_names()
        return ring

    @classmethod
    def create(cls, home: Path, station_id: str) -> Keyring:
        path = home / KEYRING_FILE
        if path.exists():
            raise StationError("error.already_set_up")
        sealed.forget(home)  # a new station: its first wrap opens its own file key
        return cls(path, {"format": FORMAT_VERSION, "station_id": station_id, "entries": [], "legacy": {},
                          "throttle": {}})

    @property
    def home(self) -> Path:
        return self.path.parent

    def save(self) -> None:
        """Write the entries; the failure counters are the file's (each count is written as it happens), less
        those this object cleared."""
        with file_lock(self.home / LOCK_FILE):
            try:
                throttle = _read(self.path)["throttle"] if self.path.exists() else dict(self.data["throttle"])
            except StationError:
                throttle = dict(self.data["throttle"])
            for bucket in self._cleared:
                throttle.pop(bucket, None)
            self.data["throttle"] = throttle
            self._cleared.clear()
            self._write(self.data)

    def _write(self, data: dict[str, Any]) -> None:
        atomic_write_bytes(self.path, json.dumps(data, indent=1).encode("utf-8"))

    # -- entries ---------------------------------------------------------------------------------------
    def _aad(self, entry_id: str, name: str) -> bytes:
        return f"{self.data['station_id']}\x00{entry_id}\x00{name}".encode()

    @staticmethod
    def _secret(name: str, secret: str) -> str:
        return f"{name}\x00{secret}"

    def _entry(self, name: str) -> dict[str, Any] | None:
        eid = self._ids.get(name)
        return next((e for e in self.data["entries"] if e.get("id") == eid), None) if eid else None

    def _open_names(self) -> None:
        """Learn which entry is whose, if this process holds the station's file key (someone signed in)."""
        if not sealed.is_open(self.home):
            return
        key = sealed.subkey(self.home, _NAMES)
        for entry in self.data["entries"]:
            try:
                name = sealed.unseal_bytes(key, entry.get("who"), self._aad(str(entry.get("id")), "")).decode()
            except (StationError, UnicodeDecodeError):
                continue  # sealed under another station's key: not ours to name
            self._ids[name] = str(entry["id"])

    @property
    def entries(self) -> dict[str, Any]:
        """The entries whose account this process can name (all of them once someone signed in); the duress
        slot only while a duress passphrase is set (not its decoy)."""
        named = {n: e for n in self._ids if (e := self._entry(n)) is not None
                 and (n != DURESS_ENTRY or self.duress_set())}
        return {**self.data["legacy"], **named}

    def has(self, name: str) -> bool:
        """Whether `name` has an entry; for DURESS_ENTRY, whether a duress passphrase is set (its slot always
        holds an entry: a decoy when none is set, see `keep_duress_slot`)."""
        if name == DURESS_ENTRY:
            return self.duress_set()
        return self._present(name)

    def _present(self, name: str) -> bool:
        return self._entry(name) is not None or name in self.data["legacy"]

    # -- the duress slot (issue 15) ---------------------------------------------------------------------
    # The key file always holds one entry in the duress entry's place: the real one (a random value wrapped by
    # the duress passphrase, services/duress.py) or, while none is set, a decoy of the same shape wrapped by a
    # random passphrase nobody knows. Counting entries or comparing their shapes does not tell whether a
    # duress passphrase is set; only a flag sealed under the station's file key (same size either way) does.
    def keep_duress_slot(self) -> None:
        """Put a decoy in the duress slot if it is empty (needs the station open: call `save()` afterwards)."""
        if not sealed.is_open(self.home) or self._present(DURESS_ENTRY):
            return
        self._wrap_decoy()

    def _wrap_decoy(self) -> None:
        self._wrap(DURESS_ENTRY, secrets.token_urlsafe(32), os.urandom(32))
        self._set_duress_flag(False)
        self._unlocked.pop(DURESS_ENTRY, None)
        self.needs_save = True

    def _set_duress_flag(self, on: bool) -> None:
        self.data["duress"] = sealed.seal_bytes(sealed.subkey(self.home, _DURESS_FLAG), b"1" if on else b"0",
                                                b"duress")

    def duress_set(self) -> bool:
        """Whether a duress passphrase is set (readable once the station is open in this process)."""
        if "duress" in self.data and sealed.is_open(self.home):
            try:
                return sealed.unseal_bytes(sealed.subkey(self.home, _DURESS_FLAG), self.data["duress"],
                                           b"duress") == b"1"
            except StationError:
                pass
        return "duress" not in self.data and self._present(DURESS_ENTRY)  # a key file from before the decoy

    def _kdf(self, params: KdfParams | None = None) -> KdfParams:
        if "kdf" not in self.data:
            self.data["kdf"] = (params or KdfParams.fresh()).to_dict()
        return KdfParams.from_dict(self.data["kdf"])

    def wrap(self, name: str, secret: str, db_key: bytes, params: KdfParams | None = None) -> None:
        """(Re)make `name`'s entry: the database key and a new signing key, sealed under `secret`.

        `params` only matter for a station's first entry (the station's key derivation parameters)."""
        self._wrap(name, secret, db_key, params)
        if name == DURESS_ENTRY:
            self._set_duress_flag(True)
            self._unlocked.pop(DURESS_ENTRY, None)  # no signing key of its own in use

    def _wrap(self, name: str, secret: str, value: bytes, params: KdfParams | None = None,
              sk: bytes | None = None) -> None:
        if not sealed.is_open(self.home):  # a new station's first entry: its database key opens its files
            if name == DURESS_ENTRY:
                raise StationError("security.error.station_locked")
            sealed.open_station(self.home, value)
        kek = derive_key(self._secret(name, secret), self._kdf(params))
        self._drop(name)
        eid = secrets.token_hex(8)
        nonce = os.urandom(12)
        entry = {"id": eid, "nonce": _b64(nonce),
                 "wrapped": _b64(AESGCM(kek).encrypt(nonce, value, self._aad(eid, name))),
                 "who": sealed.seal_bytes(sealed.subkey(self.home, _NAMES), name.encode(), self._aad(eid, ""))}
        self.data["entries"].append(entry)
        self.data["entries"].sort(key=lambda e: str(e.get("id")))  # the order tells nothing either
        self._ids[name] = eid
        sk = sk or signing.new_private_key()
        sk_nonce, sealed_sk = signing.seal(kek, sk, self._aad(eid, name) + b"\x00sk")
        entry.update({"pub": signing.public_of(sk), "sk_nonce": sk_nonce, "sk": sealed_sk})
        self._unlocked[name] = sk
        self._ensure_report_key()

    def _drop(self, name: str) -> None:
        eid = self._ids.pop(name, None)
        if eid is not None:
            self.data["entries"] = [e for e in self.data["entries"] if e.get("id") != eid]
        self.data["legacy"].pop(name, None)

    def unwrap(self, name: str, secret: str) -> bytes:
        """The database key, or StationError('error.bad_credentials') (same for unknown name and bad secret).

        Also unseals the account's signing key into memory (`signing_key`) and opens the station's sealed
        files for this process; an entry without a signing key gets one now, an entry of the old form moves
        to the new one (call `save()` afterwards: `needs_save` says so)."""
        if name in self.data["legacy"]:
            return self._unwrap_legacy(name, secret)
        kek = derive_key(self._secret(name, secret), KdfParams.from_dict(self.data["kdf"]) if "kdf" in self.data
                         else KdfParams.fresh())
        for entry in self.data["entries"]:
            try:
                value = AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]),
                                            self._aad(str(entry["id"]), name))
            except (InvalidTag, KeyError, ValueError, TypeError):
                continue
            break
        else:
            raise StationError("error.bad_credentials")
        if name == DURESS_ENTRY:
            return value
        sealed.open_station(self.home, value)
        self._open_names()
        self._ids[name] = str(entry["id"])
        sk = signing.unseal(kek, entry.get("sk_nonce", ""), entry.get("sk", ""),
                            self._aad(str(entry["id"]), name) + b"\x00sk") if "sk" in entry else None
        if sk is not None and signing.public_of(sk) == entry.get("pub"):
            self._unlocked[name] = sk
        else:  # a damaged signing key: a new one, bound at the next grant
            self._wrap(name, secret, value)
            self.needs_save = True
        if "report_pub" not in self.data:
            self._ensure_report_key()
            self.needs_save = True
        self.keep_duress_slot()  # a key file from before the decoy gets one at its next sign-in
        return value

    def _unwrap_legacy(self, name: str, secret: str) -> bytes:
        entry = self.data["legacy"][name]
        kek = derive_key(secret, KdfParams.from_dict(entry["kdf"]))
        aad = f"{self.data['station_id']}\x00{name}".encode()
        try:
            value = AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]), aad)
        except (InvalidTag, KeyError, ValueError, TypeError):
            raise StationError("error.bad_credentials") from None
        if name == DURESS_ENTRY:
            return value
        sk = signing.unseal(kek, entry.get("sk_nonce", ""), entry["sk"], aad + b"\x00sk") if "sk" in entry else None
        if sk is not None and signing.public_of(sk) != entry.get("pub"):
            sk = None
        sealed.open_station(self.home, value)
        self._open_names()
        self._wrap(name, secret, value, sk=sk)  # the nameless form, same signing key (if it had one)
        self.needs_save = True
        return value

    def signing_key(self, name: str) -> bytes | None:
        """`name`'s signing key if it was unwrapped (or made) in this process."""
        return self._unlocked.get(name)

    def public_key(self, name: str) -> str | None:
        entry = self._entry(name) or self.data["legacy"].get(name)
        pub = entry.get("pub") if isinstance(entry, dict) else None
        return pub if isinstance(pub, str) else None

    def forget(self) -> None:
        """Drop (and overwrite in place, best effort) the signing keys unwrapped by this object."""
        from station.security.wipe import wipe

        for sk in self._unlocked.values():
            wipe(sk)
        self._unlocked.clear()

    def remove(self, name: str) -> None:
        if name == DURESS_ENTRY:  # cleared: a decoy takes its place, the count and shapes stay the same
            self._drop(name)
            self._wrap_decoy()
            return
        self._drop(name)
        self.forget_failures(name)
        self._unlocked.pop(name, None)

    # -- the failed sign-in log's report key ------------------------------------------------------------
    def _ensure_report_key(self) -> None:
        if "report_pub" in self.data or not sealed.is_open(self.home):
            return
        private, public = sealed.new_box_key()
        self.data["report_pub"] = public
        self.data["report_sk"] = sealed.seal_bytes(sealed.subkey(self.home, _REPORT), private, b"report")

    def seal_report(self, text: str) -> str | None:
        """`text` sealed for the next person who signs in; None on a key file without a report key yet."""
        pub = self.data.get("report_pub")
        return sealed.box_seal(pub, text.encode("utf-8")) if isinstance(pub, str) else None

    def open_report(self, line: str) -> str | None:
        if "report_sk" not in self.data or not sealed.is_open(self.home):
            return None
        try:
            private = sealed.unseal_bytes(sealed.subkey(self.home, _REPORT), self.data["report_sk"], b"report")
        except StationError:
            return None
        opened = sealed.box_open(private, line)
        return opened.decode("utf-8", "replace") if opened is not None else None

    # -- failed sign-in throttling (see the module docstring) --------------------------------------------
    def _bucket(self, name: str) -> str:
        digest = hmac.new(str(self.data.get("station_id", "")).encode(), name.encode("utf-8"), hashlib.sha256)
        return str(digest.digest()[0] % THROTTLE_BUCKETS)

    def failures(self, name: str) -> tuple[int, float]:
        """(failures counted, time of the last) for the bucket `name` falls in."""
        rec = self.data["throttle"].get(self._bucket(name)) or {"count": 0, "last": 0.0}
        return int(rec["count"]), float(rec["last"])

    def forget_failures(self, name: str) -> None:
        """Clear `name`'s counter in memory (written by the next save())."""
        bucket = self._bucket(name)
        self.data["throttle"].pop(bucket, None)
        self._cleared.add(bucket)

    def _counted(self, name: str, change: Callable[[dict[str, Any]], float]) -> float:
        """Re-read the file under the lock, let `change(record)` update `name`'s bucket record, write."""
        with file_lock(self.home / LOCK_FILE):
            fresh = _read(self.path) if self.path.exists() else self.data
            bucket = self._bucket(name)
            rec = dict(fresh["throttle"].get(bucket) or {"count": 0, "last": 0.0})
            before = dict(rec)
            result = change(rec)
            if rec != before:
                if rec["count"]:
                    fresh["throttle"][bucket] = rec
                else:
                    fresh["throttle"].pop(bucket, None)
                if self.path.exists():
                    self._write(fresh)
            self.data["throttle"] = fresh["throttle"]
            return result

    def record_failure(self, name: str, now: float | None = None) -> None:
        """Count one failure: re-read the file under the lock, so parallel failures all count."""
        def count(rec: dict[str, Any]) -> float:
            rec.update(count=int(rec["count"]) + 1, last=now if now is not None else time.time())
            return 0.0

        self._counted(name, count)

    def reserve_attempt(self, name: str, policy: ThrottlePolicy, now: float | None = None) -> float:
        """Count an attempt before it is made (read, check, count, write, all under the lock): returns 0 when
        it may go ahead (counted: a success clears it), else the seconds to wait first (not counted).
        `policy` (asked as at `now`, default the clock) raises when the bucket is locked; the count is stamped
        with the clock's time."""
        def reserve(rec: dict[str, Any]) -> float:
            wait = policy(int(rec["count"]), float(rec["last"]), now if now is not None else time.time())
            if wait <= 0:
                rec.update(count=int(rec["count"]) + 1, last=time.time())
            return wait

        return self._counted(name, reserve)

    def clear_failures(self, name: str) -> None:
        if self._bucket(name) not in self.data["throttle"] and not self.path.exists():
            return
        self._counted(name, lambda rec: float(rec.update(count=0, last=0.0) or 0))


def new_database_key() -> bytes:
    return os.urandom(32)
