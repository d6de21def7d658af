"""A PostgreSQL site's authority (issue 15): the laptop's signed roles and trail, with the server as its store.

On a laptop the authority (station/security/authority.py) lives in a file beside the database. A site's desks
share one server and its accounts, so the site's authority is one list of signed statements on the server,
read and checked exactly as the file is (`AuthorityFile.trust`), with three things the file does not need:

- **the anchor is pinned on each desk**: the anchor's public key, kept in `site-anchor.json` in the desk's
  folder, sealed under the desk's file key (trust on first use: set up, joined, or the first sign-in after
  the site was founded). A server whose anchor was replaced (someone holding the server's password wrote an
  authority of their own) has no valid authority at that desk: every role counts as a clerk's and
  `audit verify` names it;
- **the signed heads are kept on both sides**: each desk keeps the newest event of its own trail, signed,
  in `site-trail-heads.json` in its folder, and on the server (`site_heads`). Rewriting the server's rows
  alone, or the desk's file alone, does not hide a trail cut back;
- **each account signs with one key at every desk**: its signing key is also kept on the server, wrapped
  under its name and passphrase (`wrap_account_key`, Argon2id with parameters and salt of its own, as the
  site's image key is, station/security/site_key.py), and a desk whose key-file entry holds another key takes
  that one (`adopt_signing_key`). Someone with the server's password holds no passphrase.

Nothing here touches the database (security and db are siblings): station/services/trail_site.py reads and
writes the rows and hands them over.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from station.errors import StationError
from station.fsutil import atomic_write_bytes
from station.security import sealed, signing, site_key
from station.security.authority import AuthorityFile, Trust, _read_json, _write_sealed
from station.security.kdf import KdfParams, derive_key
from station.security.keyring import Keyring, file_lock

SITE_ANCHOR_FILE = "site-anchor.json"
SITE_HEADS_FILE = "site-trail-heads.json"
LOCK_FILE = "site-authority.lock"
_PIN = "site anchor"
_HEADS = "site trail heads"
_WRAP_AAD = b"account signing key v1\x00"


# ---- the anchor pinned on this desk ----

def _pin(home: Path) -> tuple[str | None, set[str]]:
    """The pinned anchor's public key (None when none is pinned yet, or nobody signed in here) and the
    digests of the site's statements this desk has seen verify, both from the sealed pin file (read once)."""
    try:
        data = _read_json(home, home / SITE_ANCHOR_FILE, _PIN)
    except StationError:
        return None, set()
    if not isinstance(data, dict):
        return None, set()
    pub, seen = data.get("pub"), data.get("seen")
    return (pub if isinstance(pub, str) and pub else None,
            {d for d in seen if isinstance(d, str)} if isinstance(seen, list) else set())


def pinned_anchor(home: Path) -> str | None:
    """The anchor's public key this desk trusts; None when it pinned none yet (or nobody signed in here)."""
    return _pin(home)[0]


def pin_anchor(home: Path, pub: str) -> None:
    doc = sealed.seal(home, _PIN, {"format": 1, "pub": pub})
    atomic_write_bytes(home / SITE_ANCHOR_FILE, json.dumps(doc).encode("utf-8"))


def statement_digest(statement: Any) -> str:
    return hashlib.sha256(signing.canonical(statement)).hexdigest()


def note_statements(home: Path, digests: set[str]) -> None:
    """Remember `digests` too (at sign-in, once the site's authority verified with none missing): the
    statements on the server only grow, so one seen here and gone later was deleted there."""
    pub, seen = _pin(home)
    if pub is None or digests <= seen:
        return
    doc = sealed.seal(home, _PIN, {"format": 1, "pub": pub, "seen": sorted(seen | digests)})
    atomic_write_bytes(home / SITE_ANCHOR_FILE, json.dumps(doc).encode("utf-8"))


# ---- this desk's copy of the signed heads ----

def desk_heads(home: Path) -> dict[str, Any]:
    try:
        data = _read_json(home, home / SITE_HEADS_FILE, _HEADS)
    except StationError:
        return {}
    return data if isinstance(data, dict) else {}


def keep_desk_heads(home: Path, heads: dict[str, dict[str, Any]]) -> None:
    """Keep the newest of each station's signed heads (replaced by a rename, not flushed: as the laptop's)."""
    with file_lock(home / LOCK_FILE):
        current = desk_heads(home)
        for station, st in heads.items():
            old = current.get(station)
            if not isinstance(old, dict) or int(old.get("body", {}).get("seq", 0)) <= int(st["body"]["seq"]):
                current[station] = st
        _write_sealed(home, home / SITE_HEADS_FILE, _HEADS, current, flush=False)


# ---- an account's signing key, wrapped for the server ----

def wrap_account_key(sk: bytes, username: str, passphrase: str, params: KdfParams | None = None) -> dict[str, Any]:
    return {"format": 1, **site_key.seal_for(sk, username, passphrase, _WRAP_AAD, "sk", params),
            "pub": signing.public_of(sk)}


def unwrap_account_key(doc: Any, username: str, passphrase: str) -> bytes | None:
    """The signing key from its wrapped copy; None when the passphrase does not open it (or it is damaged)."""
    sk = site_key.open_for(doc, username, passphrase, _WRAP_AAD, "sk")
    return sk if sk is not None and len(sk) == 32 and signing.public_of(sk) == doc.get("pub") else None


def adopt_signing_key(ring: Keyring, name: str, secret: str, sk: bytes) -> bool:
    """Put `sk` into `name`'s key-file entry in place of the desk's own (sealed under the same derived key);
    `ring.save()` afterwards. Reaches into the entry's form (keyring.py is at its size limit): the sealing is
    `Keyring._wrap`'s, without re-wrapping the database key (which this caller does not hold)."""
    entry = ring._entry(name)
    if entry is None:
        return False
    kek = derive_key(ring._secret(name, secret), ring._kdf())
    nonce, box = signing.seal(kek, sk, ring._aad(str(entry["id"]), name) + b"\x00sk")
    entry.update({"pub": signing.public_of(sk), "sk_nonce": nonce, "sk": box})
    ring._unlocked[name] = sk
    ring.needs_save = True
    return True


def rewrap_entry(ring: Keyring, name: str, secret: str, db_key: bytes, sk: bytes | None) -> None:
    """`name`'s entry made again under `secret`, keeping the account's signing key `sk` (a new one if None);
    `Keyring.wrap` always makes a new signing key."""
    ring._wrap(name, secret, db_key, sk=sk)
    ring.needs_save = True


# ---- the authority itself ----

class SiteAuthority(AuthorityFile):
    """The site's statements (the anchor first) as an AuthorityFile, checked against the desk's pinned anchor.
    `append` stores a new statement on the server, `put_heads` the signed heads."""

    def __init__(self, home: Path, anchor: dict[str, Any], statements: list[Any], server_heads: dict[str, Any],
                 append: Callable[[dict[str, Any]], None],
                 put_heads: Callable[[dict[str, dict[str, Any]]], None]) -> None:
        super().__init__(home / SITE_ANCHOR_FILE, {"anchor": anchor, "statements": statements, "heads": {}})
        self.home = home
        self.server_heads = server_heads
        self._append = append
        self._put_heads = put_heads
        self._trust: Trust | None = None

    def add(self, statement: dict[str, Any]) -> None:
        self._append(statement)
        self.data["statements"].append(statement)
        self._trust = None

    def trust(self) -> Trust:
        """Nothing proven (every role a clerk's; `audit verify` names the authority) when the anchor is not
        the one this desk pinned, or when a statement this desk saw is gone from the server: someone with
        the server's password deleted a demotion or a revocation together with the matching account row."""
        if self._trust is None:
            t = super().trust()
            pinned, seen = _pin(self.home)
            gone = seen - self.statement_digests()
            self._trust = Trust(False) if (pinned is not None and t.anchor_pub != pinned) or gone else t
        return self._trust

    def statement_digests(self) -> set[str]:
        return {statement_digest(st) for st in self.data["statements"]}

    def heads(self) -> dict[str, Any]:
        """Every station's newest head that verifies and whose signer the authority binds (desk's and server's)."""
        out: dict[str, Any] = {}
        for station in {*self.server_heads, *desk_heads(self.home)}:
            head = self.head(station)
            if head is not None:
                out[station] = head
        return out

    def head_candidates(self, station: str) -> list[dict[str, Any]]:
        """Each signed head of `station` that verifies and was signed by a key the authority binds: the
        desk's own copy and the server's (each must still be in the trail)."""
        owner = self.trust().owner
        found: list[Any] = [self.server_heads.get(station), desk_heads(self.home).get(station)]
        return [st for st in found if signing.statement_ok(st) and st["by"] in owner]

    def head(self, station: str) -> dict[str, Any] | None:
        found = self.head_candidates(station)
        return max(found, key=lambda st: int(st["body"].get("seq", 0))) if found else None

    def set_heads(self, heads: dict[str, dict[str, Any]]) -> None:
        keep_desk_heads(self.home, heads)
        self._put_heads(heads)
        self.server_heads.update(heads)
