"""Who may do what, signed: the station's authority file (`authority.json`), kept outside the database.

Holding the database key lets one rewrite any row, so roles and the audit trail cannot rest on the
database alone. This file holds signed statements, checked in order:

- the anchor: the founding administrator's public key (self-signed), the recovery key if known, and from
  which audit event on every event must carry its actor's signature (`signed_from`);
- account statements: (account, role, active, public key), each signed by an administrator whose own
  statement is valid at that point, or (`rotate`) by the account's previous key for its own new key, or
  (`claim`) by the account's first key when an administrator granted the role before the account had one
  (stations upgraded from before signing keys: "sign on next sign-in");
- the newest audit event of each station (its head), signed by whoever wrote it.

A statement that does not verify is reported, never used. The file can be edited by anyone holding the
database key, but not signed: whoever rewrites it wholesale needs a new anchor, which the office refuses
(packs carry the anchor's key; the office pins it at the first accepted pack).

On a PostgreSQL site the accounts live on the server, shared by every desk, so the site's authority is kept
there instead (the same statements, checked by the same `trust()`): station/security/site_authority.py and
station/services/trail_site.py. A desk of a site never has an `authority.json`.

Both files name accounts, roles and station codes, so they are sealed under the station's file key
(station/security/sealed.py): only a process in which someone signed in reads or writes them. A file of the
older, plain form is read as is and sealed when next written (or read in a signed-in process).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from station.errors import StationError
from station.fsutil import atomic_write_bytes
from station.security import sealed, signing
from station.security.keyring import file_lock

AUTHORITY_FILE = "authority.json"
HEADS_FILE = "trail-heads.json"
LOCK_FILE = "authority.lock"
FORMAT_VERSION = 1
ADMIN = "administrator"
_AUTHORITY = "authority"
_HEADS = "trail heads"


def _read_json(home: Path, path: Path, purpose: str) -> Any:
    """A sealed (or older plain) JSON file's content; None when missing or unreadable. StationError when sealed
    and nobody signed in in this process."""
    return _read_sealed(home, path, purpose)[0]


def _read_sealed(home: Path, path: Path, purpose: str) -> tuple[Any, bool]:
    """(content, whether the file was sealed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, False
    if sealed.is_sealed(data):
        return sealed.unseal(home, purpose, data), True
    return data, False


def _is_sealed_file(path: Path) -> bool:
    try:
        return sealed.is_sealed(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return False


def _write_sealed(home: Path, path: Path, purpose: str, obj: Any, *, flush: bool = True) -> None:
    blob = json.dumps(sealed.seal(home, purpose, obj)).encode("utf-8")
    if flush:
        atomic_write_bytes(path, blob)
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(blob)
    os.replace(tmp, path)


@dataclass
class Trust:
    """What the file proves: current grants, every key ever bound (for old signatures), problems."""

    anchor_ok: bool
    station_id: str = ""
    anchor_pub: str = ""
    signed_from: dict[str, int] = field(default_factory=dict)
    current: dict[str, dict[str, Any]] = field(default_factory=dict)  # account -> its valid statement body
    owner: dict[str, str] = field(default_factory=dict)  # public key -> account it was bound to
    admins: set[str] = field(default_factory=set)  # public keys allowed to grant now
    forged: list[str] = field(default_factory=list)  # accounts named by statements that did not verify
    desk_recovery: dict[str, str] = field(default_factory=dict)  # site desk's code -> its recovery key

    def by_fingerprint(self, fp: str) -> str | None:
        for pub in self.owner:
            if signing.fingerprint(pub) == fp:
                return pub
        return None


class AuthorityFile:
    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    @classmethod
    def load(cls, home: Path) -> AuthorityFile | None:
        """None when the station has no authority yet (set up by an older version, no administrator signed in
        since)."""
        path = home / AUTHORITY_FILE
        if not path.exists():
            return None
        data, was_sealed = _read_sealed(home, path, _AUTHORITY)
        if not isinstance(data, dict):
            data = {}
        data.setdefault("statements", [])
        data.setdefault("heads", {})
        af = cls(path, data)
        if data.get("anchor") and not was_sealed and sealed.is_open(home):
            with file_lock(home / LOCK_FILE):  # a plain file from an older version: sealed now
                if not _is_sealed_file(path):
                    af._write()
        return af

    @classmethod
    def create(cls, home: Path, station_id: str, founder: str, founder_sk: bytes, *, recovery_pub: str | None,
               signed_from: dict[str, int], at: str) -> AuthorityFile:
        body = {"kind": "anchor", "station_id": station_id, "founder": founder,
                "pub": signing.public_of(founder_sk), "recovery": recovery_pub, "signed_from": signed_from,
                "at": at}
        af = cls(home / AUTHORITY_FILE, {"format": FORMAT_VERSION, "anchor": signing.sign_statement(founder_sk, body),
                                         "statements": [], "heads": {}})
        with file_lock(home / LOCK_FILE):
            af._write()
        return af

    def _write(self) -> None:
        _write_sealed(self.path.parent, self.path, _AUTHORITY, self.data)

    def _update(self, change: Any) -> None:
        """Re-read under the lock, apply `change(data)`, write: parallel writers lose nothing."""
        with file_lock(self.path.parent / LOCK_FILE):
            fresh = AuthorityFile.load(self.path.parent)
            if fresh is not None and fresh.data.get("anchor") == self.data.get("anchor"):
                self.data = fresh.data
            change(self.data)
            self._write()

    def add(self, statement: dict[str, Any]) -> None:
        self._update(lambda d: d["statements"].append(statement))

    # The signed heads live in a file of their own, rewritten after every commit that records an event:
    # replaced by a rename but not flushed (a crash leaves the previous head, which verify tolerates: the
    # events after it are signed one by one), so saving a household costs no extra disk flush.
    def heads(self) -> dict[str, Any]:
        data = _read_json(self.path.parent, self.path.parent / HEADS_FILE, _HEADS)
        return data if isinstance(data, dict) else {}

    def set_heads(self, heads: dict[str, dict[str, Any]]) -> None:
        with file_lock(self.path.parent / LOCK_FILE):
            current = self.heads()
            for station, st in heads.items():
                old = current.get(station)
                if not isinstance(old, dict) or int(old.get("body", {}).get("seq", 0)) <= int(st["body"]["seq"]):
                    current[station] = st
            _write_sealed(self.path.parent, self.path.parent / HEADS_FILE, _HEADS, current, flush=False)

    def head(self, station: str) -> dict[str, Any] | None:
        st = self.heads().get(station)
        return st if signing.statement_ok(st) else None

    def anchor_pub(self) -> str:
        anchor: dict[str, Any] = self.data.get("anchor") or {}
        return str(anchor["body"].get("pub", "")) if signing.statement_ok(anchor) else ""

    def trust(self) -> Trust:
        anchor: dict[str, Any] = self.data.get("anchor") or {}
        if not signing.statement_ok(anchor) or anchor["by"] != anchor["body"].get("pub"):
            return Trust(False)
        body = anchor["body"]
        t = Trust(True, str(body.get("station_id", "")), anchor["by"],
                  {str(k): int(v) for k, v in (body.get("signed_from") or {}).items()})
        founder = str(body.get("founder", ""))
        t.current[founder] = {"username": founder, "role": ADMIN, "active": True, "pub": anchor["by"]}
        t.owner[anchor["by"]] = founder
        t.admins.add(anchor["by"])
        if body.get("recovery"):
            t.admins.add(str(body["recovery"]))
            t.owner[str(body["recovery"])] = "__recovery__"
        for st in self.data["statements"]:
            self._apply(t, st)
        return t

    @staticmethod
    def _apply(t: Trust, st: Any) -> None:
        ok = signing.statement_ok(st)
        body = st.get("body") if isinstance(st, dict) else None
        name = str(body.get("username", "?")) if isinstance(body, dict) else "?"
        if not ok or not isinstance(body, dict) or body.get("station_id") != t.station_id:
            t.forged.append(name)
            return
        by = str(st["by"])
        if body.get("kind") == "recovery":
            if by not in t.admins:
                t.forged.append("__recovery__")
                return
            desk = body.get("station")
            if isinstance(desk, str):  # a site desk's own sheet (trail_site): it replaces that desk's only
                if desk in t.desk_recovery:
                    t.admins.discard(t.desk_recovery[desk])
                t.desk_recovery[desk] = str(body["pub"])
            else:
                for key, owner in list(t.owner.items()):
                    if owner == "__recovery__":
                        t.admins.discard(key)
            t.admins.add(str(body["pub"]))
            t.owner[str(body["pub"])] = "__recovery__"
            return
        prev = t.current.get(name)
        pub = body.get("pub")
        if by in t.admins:
            pass
        elif body.get("rotate") and prev and prev.get("pub") == by and prev.get("role") == body.get("role") \
                and prev.get("active") and body.get("active"):
            pass  # the account moved to its own new key (new passphrase)
        elif body.get("claim") and prev and prev.get("pub") is None and by == pub \
                and prev.get("role") == body.get("role") and prev.get("active"):
            pass  # first key of an account granted before it had one
        else:
            t.forged.append(name)
            return
        if prev and prev.get("pub") in t.admins and (body.get("role") != ADMIN or not body.get("active")
                                                       or prev.get("pub") != pub):
            t.admins.discard(str(prev["pub"]))
        t.current[name] = body
        if isinstance(pub, str):
            t.owner[pub] = name
            if body.get("role") == ADMIN and body.get("active"):
                t.admins.add(pub)


def account_statement(station_id: str, username: str, role: str, active: bool, pub: str | None, at: str,
                      **flags: bool) -> dict[str, Any]:
    return {"kind": "account", "station_id": station_id, "username": username, "role": role, "active": active,
            "pub": pub, "at": at, **flags}


def require_anchor(af: AuthorityFile | None) -> AuthorityFile:
    if af is None:
        raise StationError("security.error.no_authority")
    return af
