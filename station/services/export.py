"""End-of-day export: install the office public key, write an encrypted pack to a folder (USB stick),
verify it, and only then record it as done (audit event + high-water mark)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from sqlalchemy.orm import Session

import station
from station import clock
from station.db.rows import MetaRow, TracingCaseRow
from station.db.uow import Database, UnitOfWork
from station.domain.roles import Actor, Permission
from station.errors import StationError
from station.export import collect
from station.export.codec import to_meta
from station.export.collect import Item, Range
from station.export.crypto import key_id, load_public_key, public_raw
from station.export.writer import WrittenPack, write_pack
from station.i18n import current_language
from station.services import audit, pack_origin, retention
from station.services.authz import require
from station.services.demo import is_synthetic_station

OFFICE_KEY = "export.office_public_key"
LAST_AUDIT_ID = "export.last_audit_id"
LAST_EXPORT_AT = "export.last_at"

Progress = Callable[[int, int], None]  # done, total (records)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    size: int
    sha256: str
    pack_id: str
    households: int
    individuals: int
    portraits: int
    audit_events: int
    verified: bool
    counts: dict[str, int]


def _meta(uow: UnitOfWork, key: str) -> str | None:
    row = uow.session.get(MetaRow, key)
    return row.value if row is not None else None


def _set_meta(uow: UnitOfWork, key: str, value: str) -> None:
    row = uow.session.get(MetaRow, key)
    if row is None:
        uow.session.add(MetaRow(key=key, value=value))
    else:
        row.value = value


def set_office_key(db: Database, actor: Actor, data: bytes) -> str:
    """Install the office public key every pack is sealed to; returns its fingerprint."""
    require(actor, Permission.MANAGE_SETTINGS)
    key = load_public_key(data)
    raw = public_raw(key)
    fingerprint = key_id(raw)
    with db.uow() as uow:
        old = _meta(uow, OFFICE_KEY)
        _set_meta(uow, OFFICE_KEY, base64.b64encode(raw).decode())
        audit.record(uow, actor, "export.office_key", "station", actor.station,
                     {"key_id": fingerprint, "replaced": old is not None})
    return fingerprint


def office_key(db: Database) -> X25519PublicKey | None:
    with db.reader() as uow:
        value = _meta(uow, OFFICE_KEY)
    return load_public_key(value.encode()) if value else None


def office_key_id(db: Database) -> str | None:
    key = office_key(db)
    return key_id(public_raw(key)) if key else None


def last_export(db: Database) -> tuple[int, str | None]:
    """(audit high-water mark, when) of the last verified export."""
    with db.reader() as uow:
        return int(_meta(uow, LAST_AUDIT_ID) or 0), _meta(uow, LAST_EXPORT_AT)


def pack_stem(station_code: str, when: datetime) -> str:
    """File name without suffix: station and local date/time only, never anything personal."""
    safe = "".join(ch for ch in station_code if ch.isascii() and (ch.isalnum() or ch == "-")) or "station"
    return f"{safe}_{when:%Y-%m-%d_%H%M}"


def export_pack(
    db: Database, actor: Actor, folder: Path, *, since: date | None = None, everything: bool = False,
    progress: Progress | None = None, now: datetime | None = None,
) -> ExportResult:
    """Write a verified pack of everything since the last export (or since a date, or all) into `folder`."""
    require(actor, Permission.EXPORT_PACK)
    public = office_key(db)
    if public is None:
        raise StationError("export.error.no_office_key")
    now = now or clock.to_local(clock.utcnow())  # the pack's file name carries the station's local time
    pack_id = str(uuid.uuid4())
    ack = retention.ack_token()  # inside the pack: the office's acknowledgement proves it read it
    with db.reader() as uow:  # one read transaction: a consistent snapshot of the register
        s = uow.session
        after = int(_meta(uow, LAST_AUDIT_ID) or 0)
        upto = collect.max_audit_id(s)
        rng = Range(after, upto, clock.local_day_bounds(since)[0] if since else None, everything)
        ids = collect.household_ids(s, rng)
        total = len(ids) + collect.audit_count(s, rng)
        header = {
            "pack_id": pack_id, "station": actor.station, "created_at": audit.utcnow().isoformat(),
            "app_version": station.__version__, "range": rng.as_meta(), "households": len(ids),
            "ack_token": ack,
            "arrival_times": "utc",  # packs before migration 0005 carried the station's wall-clock time
        }
        if is_synthetic_station(uow):
            header["synthetic"] = True  # demo data: the office refuses this pack (services/pack_import.py)
        items = _counted(
            _chain(collect.household_items(s, ids), with_cases(s, collect.audit_items(s, rng))), total, progress
        )
        written = write_pack(folder, pack_stem(actor.station, now), public, header, items,
                             pack_origin.pack_signer(s))  # signed by the exporting account (issue 15)
    _record(db, actor, written, rng)
    retention.remember_export(db, written.pack_id, ack, rng)  # issue 15: purge only once acked
    c = written.counts
    return ExportResult(written.path, written.size, written.sha256, written.pack_id, c["households"],
                        c["individuals"], c["portraits"], c["audit"], written.verified, dict(c))


def _chain(*iters: Iterator[Item]) -> Iterator[Item]:
    for it in iters:
        yield from it


def with_cases(s: Session, items: Iterator[Item]) -> Iterator[Item]:
    """Audit items, each tracing event carrying its case as it stands now (`meta["case"]`, beside the hashed
    event, not inside it): the trail keeps no copy of the sought person's record (issue 15), the office merge
    rebuilds the case from the pack (station.export.merge, tracing.apply_snapshot)."""
    last: tuple[str, dict[str, Any] | None] = ("", None)
    for part, meta, blob in items:
        if part == "audit" and meta.get("entity_type") == "tracing_case" and str(meta.get("action", "")).startswith(
                "tracing."):
            cid = str(meta.get("entity_id", ""))
            if last[0] != cid:
                row = s.get(TracingCaseRow, cid)
                last = (cid, to_meta(row) if row is not None else None)
            if last[1] is not None:
                meta = {**meta, "case": last[1]}
        yield part, meta, blob


def _counted(items: Iterator[Item], total: int, progress: Progress | None) -> Iterator[Item]:
    done = 0
    for item in items:
        yield item
        if item[0] in ("households", "audit"):
            done += 1
            if progress and (done % 50 == 0 or done == total):
                progress(done, total)
    if progress:
        progress(total, total)


def _record(db: Database, actor: Actor, written: WrittenPack, rng: Range) -> None:
    with db.uow() as uow:
        old = int(_meta(uow, LAST_AUDIT_ID) or 0)
        _set_meta(uow, LAST_AUDIT_ID, str(max(old, rng.upto_id)))
        _set_meta(uow, LAST_EXPORT_AT, audit.utcnow().isoformat())
        audit.record(uow, actor, "export.pack", "station", actor.station, {
            "pack_id": written.pack_id, "file": written.path.name, "bytes": written.size,
            "sha256": written.sha256, "counts": written.counts, "verified": written.verified,
            "range": rng.as_meta(),
        })


def export_plain(db: Database, actor: Actor, path: Path, fmt: str = "csv") -> int:
    """An unencrypted spreadsheet of the register (supervisors only; the caller shows the warning)."""
    from station.export import spreadsheet

    require(actor, Permission.EXPORT_PLAIN)
    if fmt not in ("csv", "xlsx"):
        raise ValueError(fmt)
    try:
        with db.reader() as uow:
            write = spreadsheet.write_csv if fmt == "csv" else spreadsheet.write_xlsx
            rows = write(uow.session, path)
    except StationError as exc:  # the attempt is on record too: plain data may have reached a stick
        with db.uow() as uow:
            audit.record(uow, actor, "export.plain_failed", "station", actor.station,
                         {"format": fmt, "reason": exc.code})
        raise
    with db.uow() as uow:
        audit.record(uow, actor, "export.plain", "station", actor.station, {"format": fmt, "rows": rows})
    return rows


def day_report(db: Database, actor: Actor, day: date, path: Path, lang: str | None = None) -> None:
    """Write the end-of-day report PDF for `day` (counts only, no names), in `lang` (default: the UI's)."""
    from station.export.report import write_report
    from station.export.report_data import day_figures

    require(actor, Permission.SEARCH)
    with db.reader() as uow:
        figures = day_figures(uow.session, day, actor.station)
    write_report(figures, path, user=actor.username, lang=lang or current_language())
