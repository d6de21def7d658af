"""A PostgreSQL desk's own key for signing its packs (issue 15).

A laptop station signs its packs with the signed-in account's key, bound by its authority file
(station/security/authority.py); a desk of a PostgreSQL site has no authority file (its accounts live on the
server), so without this its packs were unsigned and the office refused every one. Each such desk makes one
Ed25519 key of its own, the first time it needs it, with a self-signed anchor statement of the same form as
an authority's (founder "desk"), and keeps both in `desk-key.json`, sealed under the station's file key like
the identity file (readable only in a process where someone signed in). The office enrols or pins the
anchor's public key per station code exactly as it does a laptop station's (station/services/pack_origin.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from station.errors import StationError
from station.fsutil import atomic_write_bytes
from station.security import sealed, signing
from station.security.keyring import file_lock

DESK_KEY_FILE = "desk-key.json"
LOCK_FILE = "desk-key.lock"
FOUNDER = "desk"
_PURPOSE = "desk pack key"


def _anchor_ok(sk: bytes, anchor: Any, station_id: str) -> bool:
    return (signing.statement_ok(anchor) and anchor["by"] == signing.public_of(sk)
            and anchor["body"].get("pub") == anchor["by"] and anchor["body"].get("station_id") == station_id)


def desk_authority(home: Path, station_id: str) -> tuple[bytes, dict[str, Any]]:
    """(private key, self-signed anchor statement) of this desk: read, or made and sealed once.

    Needs the station open in this process (someone signed in); StationError otherwise, or when the file is
    damaged or belongs to another site (error.keyring_damaged)."""
    path = home / DESK_KEY_FILE
    with file_lock(home / LOCK_FILE):  # two processes of one desk make one key
        if path.exists():
            try:
                doc = sealed.unseal(home, _PURPOSE, json.loads(path.read_text(encoding="utf-8")))
                sk, anchor = signing.unb64(doc["sk"]), doc["anchor"]
            except (OSError, ValueError, KeyError, TypeError):
                raise StationError("error.keyring_damaged") from None
            if not _anchor_ok(sk, anchor, station_id):
                raise StationError("error.keyring_damaged")
            return sk, anchor
        sk = signing.new_private_key()
        body: dict[str, Any] = {
            "kind": "anchor", "station_id": station_id, "founder": FOUNDER, "pub": signing.public_of(sk),
            "recovery": None, "signed_from": {}, "at": datetime.now(UTC).isoformat(timespec="seconds")}
        anchor = signing.sign_statement(sk, body)
        atomic_write_bytes(path, json.dumps(sealed.seal(home, _PURPOSE, {"sk": signing.b64(sk),
                                                                          "anchor": anchor})).encode("utf-8"))
        return sk, anchor
