"""What goes into a pack: households touched in the range (whole, with members, portraits, prints,
distributions) and the audit events of the range, read in batches so memory stays bounded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.db.rows import (
    AuditEventRow,
    DistributionRow,
    DocumentRow,
    HouseholdRow,
    IndividualRow,
    NeedRow,
    PhotoRow,
    PrintRecordRow,
)
from station.export.codec import to_meta, values_meta

BATCH = 200
Item = tuple[str, dict[str, Any], bytes]  # part, meta, blob

SKIP_AUDIT = frozenset({"id"})


@dataclass(frozen=True)
class Range:
    """Audit ids (after, upto] and, for --since, a wall-clock start (UTC, naive)."""

    after_id: int
    upto_id: int
    since: datetime | None = None
    everything: bool = False

    def as_meta(self) -> dict[str, Any]:
        return {"after_audit_id": self.after_id, "upto_audit_id": self.upto_id,
                "since": self.since.isoformat() if self.since else None, "all": self.everything}


def max_audit_id(s: Session) -> int:
    return int(s.scalar(select(func.max(AuditEventRow.id))) or 0)


def _audit_query(rng: Range) -> Any:
    q = select(AuditEventRow).where(AuditEventRow.id <= rng.upto_id)
    if rng.everything:
        return q
    if rng.since is not None:
        return q.where(AuditEventRow.at >= rng.since)
    return q.where(AuditEventRow.id > rng.after_id)


def household_ids(s: Session, rng: Range) -> list[str]:
    """Households to export: every one (all), or those named by an audit event in the range, or changed
    (updated, photographed, printed, served) since the start date."""
    if rng.everything:
        return list(s.scalars(select(HouseholdRow.id).order_by(HouseholdRow.id)))
    ids: set[str] = set()
    q = _audit_query(rng).with_only_columns(
        AuditEventRow.entity_type, AuditEventRow.entity_id, AuditEventRow.details
    )
    individuals: set[str] = set()
    for etype, eid, details in s.execute(q):
        if etype == "household":
            ids.add(eid)
        elif etype == "individual":
            hh = (details or {}).get("household_id") if isinstance(details, dict) else None
            if isinstance(hh, str):
                ids.add(hh)
            else:
                individuals.add(eid)
    if individuals:
        for chunk in _chunks(sorted(individuals), 500):
            ids.update(s.scalars(select(IndividualRow.household_id).where(IndividualRow.id.in_(chunk))))
    if rng.since is not None:
        t = rng.since
        ids.update(s.scalars(select(HouseholdRow.id).where(HouseholdRow.updated_at >= t)))
        ids.update(s.scalars(select(IndividualRow.household_id).join(PhotoRow).where(PhotoRow.taken_at >= t)))
        ids.update(s.scalars(select(PrintRecordRow.household_id).where(PrintRecordRow.printed_at >= t)))
        ids.update(s.scalars(select(DistributionRow.household_id).where(DistributionRow.distributed_at >= t)))
    existing: list[str] = []
    for chunk in _chunks(sorted(ids), 500):  # events may name households since removed
        existing.extend(s.scalars(select(HouseholdRow.id).where(HouseholdRow.id.in_(chunk))))
    return sorted(existing)


def audit_count(s: Session, rng: Range) -> int:
    q = _audit_query(rng).with_only_columns(func.count())
    return int(s.scalar(q) or 0)


def _chunks(items: list[str], n: int) -> Iterator[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def individual_meta(ind: IndividualRow) -> dict[str, Any]:
    meta = to_meta(ind)
    meta["needs"] = [[n.code, n.note] for n in ind.needs]
    return meta


def bundle_metas(hh: HouseholdRow) -> tuple[dict[str, Any], list[dict[str, Any]], list[tuple[dict[str, Any], bytes]]]:
    """A household as pack metadata: the household, its members, their documents (with any image)."""
    members = [individual_meta(m) for m in hh.members]
    docs = [(to_meta(d), d.image_jpeg or b"") for m in hh.members for d in m.documents]
    return to_meta(hh), members, docs


def household_items(s: Session, ids: list[str]) -> Iterator[Item]:
    """Each household followed by its members, documents, portraits, prints and distributions.

    Read with plain SELECTs (no ORM objects): the same rows, in the same order, as the ORM relationships
    give (members by position, documents and needs by id), so each record is what `bundle_metas` makes of
    the household; about twice as fast, and nothing held between batches."""
    for chunk in _chunks(ids, BATCH):
        households = _select(s, HouseholdRow, HouseholdRow.id.in_(chunk), HouseholdRow.id)
        members: dict[str, list[dict[str, Any]]] = {}
        for m in _select(s, IndividualRow, IndividualRow.household_id.in_(chunk), IndividualRow.position):
            members.setdefault(m["household_id"], []).append(m)
        member_ids = [m["id"] for ms in members.values() for m in ms]
        docs: dict[str, list[dict[str, Any]]] = {}
        needs: dict[str, list[list[str]]] = {}
        photos: dict[str, dict[str, Any]] = {}
        for mchunk in _chunks(member_ids, 500):
            for d in _select(s, DocumentRow, DocumentRow.individual_id.in_(mchunk), DocumentRow.id):
                docs.setdefault(d["individual_id"], []).append(d)
            for iid, code, note in s.execute(select(NeedRow.individual_id, NeedRow.code, NeedRow.note)
                                             .where(NeedRow.individual_id.in_(mchunk)).order_by(NeedRow.id)):
                needs.setdefault(iid, []).append([code, note])
            photos.update((p["individual_id"], p) for p in _select(s, PhotoRow, PhotoRow.individual_id.in_(mchunk)))
        prints: dict[str, list[dict[str, Any]]] = {}
        for p in _select(s, PrintRecordRow, PrintRecordRow.household_id.in_(chunk), PrintRecordRow.id):
            prints.setdefault(p["household_id"], []).append(p)
        dists: dict[str, list[dict[str, Any]]] = {}
        for d in _select(s, DistributionRow, DistributionRow.household_id.in_(chunk), DistributionRow.id):
            dists.setdefault(d["household_id"], []).append(d)
        for hh in households:
            yield "households", values_meta(HouseholdRow, hh), b""
            people = members.get(hh["id"], [])
            for m in people:
                meta = values_meta(IndividualRow, m)
                meta["needs"] = needs.get(m["id"], [])
                yield "individuals", meta, b""
            for m in people:
                for d in docs.get(m["id"], []):
                    yield "documents", values_meta(DocumentRow, d), d["image_jpeg"] or b""
            for m in people:
                photo = photos.get(m["id"])
                if photo is not None:
                    yield "portraits", values_meta(PhotoRow, photo), photo["jpeg"]
            for p in prints.get(hh["id"], []):
                yield "prints", values_meta(PrintRecordRow, p), b""
            for d in dists.get(hh["id"], []):
                yield "distributions", values_meta(DistributionRow, d), b""


def _select(s: Session, model: Any, where: Any, order: Any = None) -> list[dict[str, Any]]:
    """Rows of one table as {column name: value} (values converted by the column types, as the ORM does)."""
    q = select(*model.__table__.columns).where(where)
    return [dict(r) for r in s.execute(q.order_by(order) if order is not None else q).mappings()]


def audit_items(s: Session, rng: Range) -> Iterator[Item]:
    q = _audit_query(rng).order_by(AuditEventRow.id).execution_options(yield_per=1000)
    for row in s.scalars(q):  # unmodified rows are weakly held by the session: memory stays flat
        yield "audit", to_meta(row, SKIP_AUDIT), b""

