"""Retention: purge old households from the laptop once the office has acknowledged every pack holding them.

Each pack carries, inside its encryption, a random acknowledgement token; the station keeps only the
token's SHA-256 with the time of the pack's snapshot. When the office imports the pack it writes
`<pack>.ack` with the token beside the pack on the stick (`write_ack`), which only someone who could
decrypt the pack can do. Back at the station, `accept_acks` checks the acknowledgements on the stick
against the stored hashes. `purge` then deletes households that arrived more than `keep_days` ago and
were not changed after the last audit event up to which every pack is acknowledged, keeping only counts
per arrival day for reports ("retention.counts:<day>"). The audit trail keeps no person's record (see
audit.minimise), so a purge leaves no copy behind. Administrators only; nothing is purged automatically.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from station import clock
from station.db.rows import AuditEventRow, HouseholdRow, MetaRow
from station.db.uow import Database
from station.domain.roles import Permission
from station.errors import StationError
from station.export import collect
from station.export.collect import Range
from station.fsutil import atomic_write_bytes
from station.services import audit
from station.services.authz import require
from station.services.station import StationContext

ACK_SUFFIX = ".ack"
EXPORT_PREFIX = "retention.export:"
COUNTS_PREFIX = "retention.counts:"
MAX_ACK_BYTES = 4096


@dataclass(frozen=True)
class PurgeResult:
    households: int
    people: int
    acknowledged_upto: int | None  # audit event id


def ack_token() -> str:
    return secrets.token_hex(32)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remember_export(db: Database, pack_id: str, token: str, rng: Range) -> None:
    """At the station, once a pack is written and verified: what its acknowledgement must match, and which
    audit events (by id) its households were chosen by."""
    with db.uow() as uow:
        uow.session.merge(MetaRow(key=EXPORT_PREFIX + pack_id, value=json.dumps(
            {"hash": _hash(token), "acked": False, "after": rng.after_id, "upto": rng.upto_id,
             "everything": rng.everything, "since": rng.since is not None})))


def write_ack(pack: Path, header: dict[str, Any]) -> Path | None:
    """At the office, after the pack was imported (or found imported before): `<pack>.ack` beside it."""
    token = header.get("ack_token")
    if not isinstance(token, str) or not isinstance(header.get("pack_id"), str):
        return None  # a pack from an older version asks for no acknowledgement
    out = pack.with_name(pack.name + ACK_SUFFIX)
    try:
        atomic_write_bytes(out, json.dumps({"format": 1, "pack_id": header["pack_id"],
                                            "station": str(header.get("station", "")), "token": token}).encode())
    except OSError:
        return None  # a read-only or pulled stick: the import itself stands
    return out


def accept_acks(ctx: StationContext, folder: Path) -> int:
    """Check the acknowledgements in `folder` (the stick back from the office); returns how many were new."""
    require(ctx.actor, Permission.EXPORT_PACK)
    accepted = 0
    with ctx.db.uow() as uow:
        for path in sorted(folder.glob("*" + ACK_SUFFIX)):
            try:
                if path.stat().st_size > MAX_ACK_BYTES:
                    continue
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(data, dict) or not isinstance(data.get("pack_id"), str) \
                    or not isinstance(data.get("token"), str) or len(data["pack_id"]) > 40:
                continue
            meta = uow.session.get(MetaRow, EXPORT_PREFIX + data["pack_id"])
            if meta is None:
                continue
            record = json.loads(meta.value)
            if record.get("acked") or record.get("hash") != _hash(data["token"]):
                continue
            record["acked"] = True
            meta.value = json.dumps(record)
            audit.record(uow, ctx.actor, "retention.ack", "station", ctx.station_code,
                         {"pack_id": data["pack_id"]})
            accepted += 1
    return accepted


def acknowledged_upto(db: Database) -> int | None:
    """The audit event id up to which every change went out in an acknowledged pack: a chain of
    acknowledged packs from the first event (or from a pack of everything), each continuing where the
    one before ended. Packs of "since a date" neither extend nor end it; any gap ends it. None: no chain."""
    with db.reader() as uow:
        records = [json.loads(m.value) for m in uow.session.scalars(
            select(MetaRow).where(MetaRow.key.startswith(EXPORT_PREFIX)))]
    upto: int | None = None
    covered = 0
    for rec in sorted(records, key=lambda r: int(r.get("upto", 0))):
        if rec.get("since"):
            continue
        if not rec.get("acked") or not (rec.get("everything") or int(rec.get("after", -1)) <= covered):
            break
        covered = max(covered, int(rec.get("upto", 0)))
        upto = covered
    return upto


def purge(ctx: StationContext, keep_days: int, *, now: datetime | None = None) -> PurgeResult:
    """Delete households older than `keep_days` whose every change the office acknowledged (administrators)."""
    require(ctx.actor, Permission.MANAGE_SETTINGS)
    if keep_days < 0:
        raise StationError("retention.error.keep_days")
    upto = acknowledged_upto(ctx.db)
    if upto is None:
        return PurgeResult(0, 0, None)
    now = now or audit.utcnow()
    arrived_before = now - timedelta(days=keep_days)
    with ctx.db.uow() as uow:
        s = uow.session
        # changed after the acknowledged packs (named by a later event, as the next pack will choose them):
        # not at the office yet. A change still being saved gets a later event id too.
        newest = int(s.scalar(select(func.max(AuditEventRow.id))) or 0)
        pending = set(collect.household_ids(s, Range(upto, newest, None, False)))
        rows = [hh for hh in s.scalars(select(HouseholdRow).where(HouseholdRow.arrived_at < arrived_before))
                if hh.id not in pending]
        counts: dict[str, list[int]] = {}
        for hh in rows:
            day = clock.to_local(hh.arrived_at).date().isoformat()
            c = counts.setdefault(day, [0, 0])
            c[0] += 1
            c[1] += hh.size
        for day, (households, people) in counts.items():
            meta = s.get(MetaRow, COUNTS_PREFIX + day)
            old = json.loads(meta.value) if meta is not None else {"households": 0, "people": 0}
            value = json.dumps({"households": old["households"] + households, "people": old["people"] + people})
            if meta is None:
                s.add(MetaRow(key=COUNTS_PREFIX + day, value=value))
            else:
                meta.value = value
        for hh in rows:
            s.delete(hh)
        s.flush()
        total = (len(rows), sum(c[1] for c in counts.values()))
        audit.record(uow, ctx.actor, "retention.purge", "station", ctx.station_code,
                     {"households": total[0], "people": total[1], "keep_days": keep_days,
                      "acknowledged_upto": upto})
    return PurgeResult(total[0], total[1], upto)


def purged_counts(db: Database) -> dict[str, dict[str, int]]:
    """Counts of purged households and people per arrival day (for reports)."""
    with db.reader() as uow:
        return {m.key[len(COUNTS_PREFIX):]: json.loads(m.value) for m in uow.session.scalars(
            select(MetaRow).where(MetaRow.key.startswith(COUNTS_PREFIX)))}


def households_left(db: Database) -> int:
    with db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(HouseholdRow)) or 0)


# The number of days is the station's own policy, kept in the (encrypted) database with an audit event for
# each change, not in settings.json: a thief editing a plain file cannot set it, nor can a clerk.
KEEP_DAYS_META = "retention.keep_days"
MAX_KEEP_DAYS = 3650


@dataclass(frozen=True)
class RetentionStatus:
    keep_days: int | None  # None: not set, nothing can be purged
    acknowledged_upto: int | None
    packs_waiting: int  # exports the office has not acknowledged yet
    households: int


def keep_days(db: Database) -> int | None:
    with db.reader() as uow:
        meta = uow.session.get(MetaRow, KEEP_DAYS_META)
    return int(meta.value) if meta is not None else None


def set_keep_days(ctx: StationContext, days: int | None) -> None:
    """Administrators only: how many days after arrival an acknowledged household may be purged (None: never)."""
    require(ctx.actor, Permission.MANAGE_SETTINGS)
    if days is not None and not 0 <= days <= MAX_KEEP_DAYS:
        raise StationError("retention.error.keep_days")
    with ctx.db.uow() as uow:
        meta = uow.session.get(MetaRow, KEEP_DAYS_META)
        old = int(meta.value) if meta is not None else None
        if days is None:
            if meta is not None:
                uow.session.delete(meta)
        elif meta is None:
            uow.session.add(MetaRow(key=KEEP_DAYS_META, value=str(days)))
        else:
            meta.value = str(days)
        audit.record(uow, ctx.actor, "retention.set", "station", ctx.station_code, {"keep_days": [old, days]})


def status(ctx: StationContext) -> RetentionStatus:
    require(ctx.actor, Permission.MANAGE_SETTINGS)
    with ctx.db.reader() as uow:
        records = [json.loads(m.value) for m in uow.session.scalars(
            select(MetaRow).where(MetaRow.key.startswith(EXPORT_PREFIX)))]
    return RetentionStatus(keep_days(ctx.db), acknowledged_upto(ctx.db),
                           sum(1 for r in records if not r.get("acked")), households_left(ctx.db))


def purge_by_setting(ctx: StationContext, *, now: datetime | None = None) -> PurgeResult:
    """Purge with the station's own number of days; refused while none is set."""
    require(ctx.actor, Permission.MANAGE_SETTINGS)
    days = keep_days(ctx.db)
    if days is None:
        raise StationError("retention.error.days_not_set")
    return purge(ctx, days, now=now)
