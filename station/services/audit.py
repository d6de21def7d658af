"""Audit trail: append hash-chained events; verify the chain and name the first broken event.

Each event's hash covers its own fields and the previous event's hash (per station), so an edited,
removed or inserted row breaks the chain from that point on. The station also keeps the seq, id and
hash of its newest event in `station_meta` ("audit_head:<station>"), so events cut off the end of the
trail, or appended behind the station's back, are noticed too. Supervisors browse the trail with
`browse()`; `verify_station()` names the first event that was changed, removed or inserted.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Select, func, select

from station import clock
from station.db.rows import AuditEventRow, MetaRow
from station.db.uow import UnitOfWork
from station.domain.audit_chain import GENESIS, event_hash
from station.domain.roles import Actor, Permission
from station.i18n import tr
from station.services import trail_guard, trail_verify
from station.services.authz import require


def utcnow() -> datetime:
    """Now as the database stores instants: naive UTC, millisecond precision (station.clock)."""
    return clock.to_db(clock.utcnow())


def _head_key(station: str) -> str:
    return f"audit_head:{station}"


# The trail keeps who, what, when and which record, never the person's record itself (issue 15): a
# purge at the station, or a correction, must leave no copy of names, birth dates, documents or needs in
# the trail. Full snapshots ("new") become their field names and a digest; changed values ("changes")
# become the names of what changed, except values that describe no person.
_VALUES_KEPT = frozenset({"status", "role", "display_name", "version", "round", "card_issue"})


def minimise(details: dict[str, Any]) -> dict[str, Any]:
    out = dict(details)
    new = out.get("new")
    if isinstance(new, dict):
        body = json.dumps(new, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        members = new.get("members")
        out["new"] = {"members": len(members) if isinstance(members, dict) else 0,
                      "digest": hashlib.sha256(body.encode("utf-8")).hexdigest()}
    changes = out.get("changes")
    if isinstance(changes, dict):
        named: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "members" and isinstance(value, dict):
                named[key] = {mid: sorted(v) if isinstance(v, dict) else ("added" if v and v[0] is None else "removed")
                              for mid, v in value.items()}
            else:
                named[key] = value if key in _VALUES_KEPT else "changed"
        out["changes"] = named
    return out


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
    """Append one event in the caller's transaction (so it commits or rolls back with the change).

    Actions in use: signin, signin.failed, signout, session.lock, session.unlock, household.create,
    household.update, household.status, account.*, recovery.*, print.*, scan.*, export.*, import.*.
    """
    username = actor.username if isinstance(actor, Actor) else actor
    station = station or (actor.station if isinstance(actor, Actor) else "")
    s = uow.session
    # Lock the station's head marker first: on PostgreSQL two transactions of one station (the desk's
    # save and a background export, say) would otherwise both take the same next seq and one would fail.
    # The second now waits, then reads the first one's event as the last. (SQLite's writer lock serialises.)
    s.get(MetaRow, _head_key(station), with_for_update=True)
    last = s.execute(
        select(AuditEventRow.seq, AuditEventRow.hash, AuditEventRow.event_id)
        .where(AuditEventRow.station == station)
        .order_by(AuditEventRow.seq.desc())
        .limit(1)
    ).first()
    seq = (last[0] + 1) if last else 1
    prev = last[1] if last else GENESIS
    head = _head(uow, station)
    if head is not None and (last is None or last[0] < head[0]):
        # events were cut off the end behind our back: continue after the head, leaving a visible gap
        seq, prev = head[0] + 1, head[2]
    elif head is not None and last is not None:
        _note_tamper(uow, station, head, (last[0], last[2], last[1]))
    details = minimise(json.loads(json.dumps(details or {}, ensure_ascii=False, default=str)))
    row = AuditEventRow(
        event_id=str(uuid.uuid4()), station=station, seq=seq, at=utcnow(), actor=username, action=action,
        entity_type=entity_type, entity_id=entity_id, details=details, prev_hash=prev,
    )
    row.hash = event_hash(
        prev, event_id=row.event_id, station=station, seq=seq, at=row.at, actor=username, action=action,
        entity_type=entity_type, entity_id=entity_id, details=details,
    )
    trail_guard.sign_event(s, row)  # the actor's signature, when the session has a signing key (issue 15)
    s.add(row)
    marker = s.get(MetaRow, _head_key(station))
    value = f"{seq} {row.event_id} {row.hash}"
    if marker is None:
        s.add(MetaRow(key=_head_key(station), value=value))
    else:
        marker.value = value
    s.flush()
    return row


@dataclass(frozen=True)
class ChainReport:
    """Result of checking one station's chain.

    For `removed`, `first_bad_seq` is the missing event's number and `first_bad_event_id` the id of
    the event that now follows the gap (or, for events cut off the end, the id the station last wrote).
    """

    ok: bool
    events: int
    station: str
    first_bad_seq: int | None = None
    first_bad_event_id: str | None = None
    problem: str | None = None  # changed | removed | inserted


def _recompute(row: AuditEventRow) -> str:
    return event_hash(
        row.prev_hash, event_id=row.event_id, station=row.station, seq=row.seq, at=row.at,
        actor=row.actor, action=row.action, entity_type=row.entity_type, entity_id=row.entity_id,
        details=row.details,
    )


def _original_seq(row: AuditEventRow, span: int = 1000) -> int | None:
    """The seq this event was written with, if only its number was changed (events renumbered)."""
    for seq in range(max(1, row.seq - span), row.seq + span + 1):
        if seq != row.seq and event_hash(
            row.prev_hash, event_id=row.event_id, station=row.station, seq=seq, at=row.at, actor=row.actor,
            action=row.action, entity_type=row.entity_type, entity_id=row.entity_id, details=row.details,
        ) == row.hash:
            return seq
    return None


def _tamper_key(station: str) -> str:
    return f"audit_tamper:{station}"


def _note_tamper(uow: UnitOfWork, station: str, head: tuple[int, str, str], last: tuple[int, str, str]) -> None:
    """Remember (once) the first event that differs from what this station last wrote."""
    if last == head or uow.session.get(MetaRow, _tamper_key(station)) is not None:
        return
    if last[0] == head[0]:
        value = f"{last[0]} {last[1]} changed"
    else:
        first = uow.session.scalar(select(AuditEventRow.event_id).where(
            AuditEventRow.station == station, AuditEventRow.seq == head[0] + 1))
        value = f"{head[0] + 1} {first or '?'} inserted"
    uow.session.add(MetaRow(key=_tamper_key(station), value=value))


def _head(uow: UnitOfWork, station: str) -> tuple[int, str, str] | None:
    meta = uow.session.get(MetaRow, _head_key(station))
    if meta is None:
        return None
    parts = meta.value.split()
    if len(parts) != 3 or not parts[0].isdigit():
        return (0, "", "")  # a damaged head marker is itself a change
    return int(parts[0]), parts[1], parts[2]


def verify_station(uow: UnitOfWork, station: str) -> ChainReport:
    """Walk the chain in seq order and name the first event that was changed, removed or inserted."""
    report = _walk(uow, station)
    meta = uow.session.get(MetaRow, _tamper_key(station))
    if meta is not None:
        seq_text, _, rest = meta.value.partition(" ")
        event_id, _, problem = rest.partition(" ")
        seq = int(seq_text) if seq_text.isdigit() else 0
        if report.ok or (report.first_bad_seq or 0) >= seq:
            return ChainReport(False, report.events, station, seq, event_id, problem or "changed")
    return report


def _walk(uow: UnitOfWork, station: str) -> ChainReport:
    rows = list(uow.session.scalars(
        select(AuditEventRow).where(AuditEventRow.station == station).order_by(AuditEventRow.seq)
    ))
    n = len(rows)
    head = _head(uow, station)
    hashes: list[str] = [GENESIS]  # hashes[i] = hash of the i-th good event (0 = genesis)
    for i, row in enumerate(rows):
        expected_seq = i + 1
        prev = hashes[-1]
        if row.seq > expected_seq:  # a gap in the numbering: events were deleted
            return ChainReport(False, n, station, expected_seq, row.event_id, "removed")
        if head is not None and row.seq > head[0]:  # beyond the newest event the station wrote
            return ChainReport(False, n, station, row.seq, row.event_id, "inserted")
        own_ok = _recompute(row) == row.hash
        link_ok = row.prev_hash == prev
        if own_ok and link_ok:
            hashes.append(row.hash)
            continue
        if i >= 1 and row.prev_hash == hashes[-2]:
            # this event links past its predecessor: the predecessor was slipped in (numbers shifted)
            bad = rows[i - 1]
            return ChainReport(False, n, station, bad.seq, bad.event_id, "inserted")
        nxt = rows[i + 1] if i + 1 < n else None
        if nxt is not None and nxt.prev_hash == prev and nxt.prev_hash != row.hash:
            # the next event links past this one to the one before: this one was slipped in
            return ChainReport(False, n, station, row.seq, row.event_id, "inserted")
        if link_ok:
            return ChainReport(False, n, station, row.seq, row.event_id, "changed")
        if not own_ok:
            original = _original_seq(row)
            if original is not None and original > row.seq:  # earlier events deleted, the rest renumbered
                return ChainReport(False, n, station, row.seq, row.event_id, "removed")
        if own_ok and i >= 1:
            # this event is intact and carries the number it was written with, so its predecessor was
            # rewritten (with a recomputed hash) or replaced
            bad = rows[i - 1]
            return ChainReport(False, n, station, bad.seq, bad.event_id, "changed")
        return ChainReport(False, n, station, row.seq, row.event_id, "changed")
    if head is not None:
        head_seq, head_id, head_hash = head
        last_seq = rows[-1].seq if rows else 0
        if last_seq < head_seq:
            return ChainReport(False, n, station, last_seq + 1,
                               head_id if head_seq == last_seq + 1 else None, "removed")
        if last_seq > head_seq:
            bad = rows[head_seq] if head_seq < n else rows[-1]
            return ChainReport(False, n, station, bad.seq, bad.event_id, "inserted")
        if rows and rows[-1].hash != head_hash:
            return ChainReport(False, n, station, rows[-1].seq, rows[-1].event_id, "changed")
    return ChainReport(True, n, station)


def verify_all(uow: UnitOfWork) -> list[ChainReport]:
    """One report per station's chain; then what only the signatures show (trail_guard): unsigned or
    wrongly signed events and a cut-off end (folded into the station's report when its chain looks
    intact), roles without an administrator's grant and household rows edited outside the station."""
    stations = set(uow.session.scalars(select(AuditEventRow.station).group_by(AuditEventRow.station)).all())
    heads = uow.session.scalars(select(MetaRow.key).where(MetaRow.key.like("audit_head:%"))).all()
    stations |= {k.partition(":")[2] for k in heads}
    reports = [verify_station(uow, s) for s in sorted(stations)]
    extra: list[ChainReport] = []
    for p in trail_verify.verify(uow.session):
        n = next((r.events for r in reports if r.station == p.station), 0)
        report = ChainReport(False, n, p.station, p.seq, p.ref, p.problem)
        at = next((i for i, r in enumerate(reports) if r.station == p.station), None)
        if p.problem in ("unsigned", "head_removed", "head_changed") and at is not None:
            if reports[at].ok:
                reports[at] = report
        else:
            extra.append(report)
    return reports + extra


def event_count(uow: UnitOfWork) -> int:
    return int(uow.session.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


# Browsing (supervisors): filters, newest first, paging. Returns frozen values, never ORM rows.


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    event_id: str
    station: str
    at: datetime  # naive UTC
    actor: str
    action: str
    entity_type: str
    entity_id: str
    details: dict[str, Any] = field(compare=False, hash=False)


@dataclass(frozen=True)
class AuditFilter:
    """Empty fields do not filter. `action` matches a whole action or a prefix ending in '.'
    ("household." matches household.create and household.update). Dates are inclusive, UTC."""

    actor: str = ""
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""
    station: str = ""
    since: date | datetime | None = None  # a date is a day of the station's calendar (its time zone)
    until: date | datetime | None = None
    zone: tzinfo | None = None  # the calendar's zone; None: the station's (setting time_zone)


@dataclass(frozen=True)
class AuditPage:
    events: tuple[AuditEvent, ...]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.events) < self.total


MAX_PAGE = 1000


def _as_start(d: date | datetime, zone: tzinfo | None) -> datetime:
    return clock.to_db(d) if isinstance(d, datetime) else clock.local_day_bounds(d, zone)[0]


def _as_end(d: date | datetime, zone: tzinfo | None) -> datetime:
    return clock.to_db(d) if isinstance(d, datetime) else clock.local_day_bounds(d, zone)[1] - timedelta(
        milliseconds=1)


def _filtered(stmt: Select[Any], flt: AuditFilter) -> Select[Any]:
    if flt.actor:
        stmt = stmt.where(AuditEventRow.actor == flt.actor.strip().lower())
    if flt.action:
        if flt.action.endswith("."):
            stmt = stmt.where(AuditEventRow.action.startswith(flt.action, autoescape=True))
        else:
            stmt = stmt.where(AuditEventRow.action == flt.action)
    if flt.entity_type:
        stmt = stmt.where(AuditEventRow.entity_type == flt.entity_type)
    if flt.entity_id:
        stmt = stmt.where(AuditEventRow.entity_id == flt.entity_id.strip())
    if flt.station:
        stmt = stmt.where(AuditEventRow.station == flt.station)
    if flt.since is not None:
        stmt = stmt.where(AuditEventRow.at >= _as_start(flt.since, flt.zone))
    if flt.until is not None:
        stmt = stmt.where(AuditEventRow.at <= _as_end(flt.until, flt.zone))
    return stmt


def _event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(row.seq, row.event_id, row.station, row.at, row.actor, row.action, row.entity_type,
                      row.entity_id, dict(row.details or {}))


def browse(
    uow: UnitOfWork, actor: Actor, flt: AuditFilter | None = None, *, offset: int = 0, limit: int = 100
) -> AuditPage:
    """One page of events matching `flt`, newest first (supervisors and administrators)."""
    require(actor, Permission.VIEW_AUDIT)
    flt = flt or AuditFilter()
    offset, limit = max(0, offset), max(1, min(limit, MAX_PAGE))
    total = int(uow.session.scalar(_filtered(select(func.count()).select_from(AuditEventRow), flt)) or 0)
    rows = uow.session.scalars(
        _filtered(select(AuditEventRow), flt)
        .order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc())
        .offset(offset).limit(limit)
    )
    return AuditPage(tuple(_event(r) for r in rows), total, offset, limit)


def known_values(uow: UnitOfWork, actor: Actor) -> tuple[list[str], list[str], list[str]]:
    """(actors, actions, stations) present in the trail, sorted: for the filter drop-downs."""
    require(actor, Permission.VIEW_AUDIT)
    s = uow.session
    actors = sorted(s.scalars(select(AuditEventRow.actor).distinct()).all())
    actions = sorted(s.scalars(select(AuditEventRow.action).distinct()).all())
    stations = sorted(s.scalars(select(AuditEventRow.station).distinct()).all())
    return actors, actions, stations


def describe(report: ChainReport) -> str:
    """One line in the user's language for a chain report."""
    if report.ok:
        return tr("audit.verify.ok", station=report.station, events=tr("count.events", n=report.events))
    return tr(f"audit.verify.{report.problem}", station=report.station, seq=report.first_bad_seq,
              event_id=report.first_bad_event_id or "?")


def verify(uow: UnitOfWork, actor: Actor) -> list[ChainReport]:
    """`verify_all` for a signed-in supervisor (the check itself reveals nothing personal)."""
    require(actor, Permission.VIEW_AUDIT)
    return verify_all(uow)
