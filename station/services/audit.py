"""Audit trail: append hash-chained events; verify the chain and name the first broken event.

Each event's hash covers its own fields and the previous event's hash (per station), so an edited,
removed or inserted row breaks the chain from that point on.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from station.db.rows import AuditEventRow
from station.db.uow import UnitOfWork
from station.domain.roles import Actor

GENESIS = "0" * 64


def utcnow() -> datetime:
    """Naive UTC, millisecond precision (what both SQLite and PostgreSQL store and return unchanged)."""
    now = datetime.now(UTC)
    return now.replace(tzinfo=None, microsecond=now.microsecond // 1000 * 1000)


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


def record(
    uow: UnitOfWork,
    actor: Actor | str,
    action: str,
    entity_type: str = "",
    entity_id: str = "",
    details: dict[str, Any] | None = None,
    *,
    station: str | None = None,
) -> AuditEventRow:
    """Append one event in the caller's transaction (so it commits or rolls back with the change)."""
    username = actor.username if isinstance(actor, Actor) else actor
    station = station or (actor.station if isinstance(actor, Actor) else "")
    s = uow.session
    last = s.execute(
        select(AuditEventRow.seq, AuditEventRow.hash)
        .where(AuditEventRow.station == station)
        .order_by(AuditEventRow.seq.desc())
        .limit(1)
    ).first()
    seq = (last[0] + 1) if last else 1
    prev = last[1] if last else GENESIS
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    row = AuditEventRow(
        event_id=str(uuid.uuid4()), station=station, seq=seq, at=utcnow(), actor=username, action=action,
        entity_type=entity_type, entity_id=entity_id, details=details, prev_hash=prev,
    )
    row.hash = event_hash(
        prev, event_id=row.event_id, station=station, seq=seq, at=row.at, actor=username, action=action,
        entity_type=entity_type, entity_id=entity_id, details=details,
    )
    s.add(row)
    s.flush()
    return row


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    station: str
    first_bad_seq: int | None = None
    first_bad_event_id: str | None = None
    problem: str | None = None  # changed | removed | inserted | reordered


def verify_station(uow: UnitOfWork, station: str) -> ChainReport:
    rows = uow.session.scalars(
        select(AuditEventRow).where(AuditEventRow.station == station).order_by(AuditEventRow.seq)
    )
    prev = GENESIS
    expected_seq = 1
    count = 0
    for row in rows:
        count += 1
        if row.seq != expected_seq:
            problem = "removed" if row.seq > expected_seq else "inserted"
            return ChainReport(False, count, station, row.seq, row.event_id, problem)
        recomputed = event_hash(
            row.prev_hash, event_id=row.event_id, station=row.station, seq=row.seq, at=row.at,
            actor=row.actor, action=row.action, entity_type=row.entity_type, entity_id=row.entity_id,
            details=row.details,
        )
        if recomputed != row.hash:
            return ChainReport(False, count, station, row.seq, row.event_id, "changed")
        if row.prev_hash != prev:
            problem = "inserted" if row.prev_hash == GENESIS or count > 1 else "removed"
            return ChainReport(False, count, station, row.seq, row.event_id, problem)
        prev = row.hash
        expected_seq += 1
    return ChainReport(True, count, station)


def verify_all(uow: UnitOfWork) -> list[ChainReport]:
    stations = uow.session.scalars(select(AuditEventRow.station).group_by(AuditEventRow.station)).all()
    return [verify_station(uow, s) for s in sorted(stations)]


def event_count(uow: UnitOfWork) -> int:
    return int(uow.session.scalar(select(func.count()).select_from(AuditEventRow)) or 0)
