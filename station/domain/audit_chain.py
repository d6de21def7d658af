"""The audit trail's hash chain: the hash of one event over its fields and the previous event's hash.

Pure data: the services append and verify events with it, and the office's merge recomputes it for
every imported event, so both must hash exactly alike.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64  # the "previous hash" of a station's first event


def event_hash(
    prev_hash: str,
    *,
    event_id: str,
    station: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any],
) -> str:
    body = json.dumps(
        [prev_hash, event_id, station, seq, at.isoformat(timespec="milliseconds"), actor, action,
         entity_type, entity_id, details],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
