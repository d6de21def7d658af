"""Merge the records of a pack into a database, in the caller's transaction, idempotently and in any order.

- Households by id: the version with the later (updated_at, version, content digest) stays in the register;
  the other one lives on in the audit trail (both stations' events are kept). Members, documents and
  needs travel with their household.
- Portraits by individual: the later (taken_at, digest) wins. Prints and distributions by id: added once.
- Audit events by event_id: each event's hash is recomputed; known events are skipped; a different event
  at a known (station, seq) is refused.
The outcome depends only on the set of packs imported, never on their order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, selectinload

from station.db.rows import (
    AuditEventRow,
    DistributionRow,
    DocumentRow,
    HouseholdRow,
    IndividualRow,
    NameTokenRow,
    NeedRow,
    PhotoRow,
    PrintRecordRow,
)
from station.db.uow import UnitOfWork
from station.domain.audit_chain import GENESIS, event_hash
from station.domain.name_index import household_tokens
from station.domain.portrait import JPEG_MAGIC, MAX_PORTRAIT_BYTES
from station.errors import StationError
from station.export.codec import digest, from_meta
from station.export.collect import SKIP_AUDIT, bundle_metas
from station.export.container import Record

GROUPS_PER_BATCH = 200
AUDIT_PER_BATCH = 1000
MAX_NEEDS = 64
_HH_COLS = frozenset(c.name for c in HouseholdRow.__table__.columns)
_IND_COLS = frozenset(c.name for c in IndividualRow.__table__.columns) | {"needs"}
_DOC_COLS = frozenset(c.name for c in DocumentRow.__table__.columns)


def _hostile() -> StationError:
    return StationError("export.error.hostile")


@dataclass
class MergeStats:
    households_added: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    households_kept_local: int = 0  # the register already held a newer version
    individuals: int = 0
    portraits: int = 0
    prints: int = 0
    distributions: int = 0
    tracing_cases: int = 0  # cases added or updated from the audit events that carry them
    audit_added: int = 0
    audit_known: int = 0
    stations: set[str] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(self.households_added or self.households_updated or self.portraits or self.prints
                    or self.distributions or self.audit_added)


@dataclass
class _Group:
    meta: dict[str, Any]
    hh: dict[str, Any]
    members: list[tuple[dict[str, Any], dict[str, Any], list[tuple[str, str]]]] = field(default_factory=list)
    docs: list[tuple[dict[str, Any], dict[str, Any], bytes]] = field(default_factory=list)
    portraits: list[tuple[dict[str, Any], bytes]] = field(default_factory=list)
    prints: list[dict[str, Any]] = field(default_factory=list)
    dists: list[dict[str, Any]] = field(default_factory=list)

    def member_ids(self) -> set[str]:
        return {kw["id"] for _, kw, _ in self.members}

    def digest(self) -> str:
        return bundle_digest(
            {k: v for k, v in self.meta.items() if k in _HH_COLS},
            [{k: v for k, v in m.items() if k in _IND_COLS} for m, _, _ in self.members],
            [({k: v for k, v in d.items() if k in _DOC_COLS}, img) for d, _, img in self.docs],
        )


def bundle_digest(
    hh: dict[str, Any], members: list[dict[str, Any]], docs: Iterable[tuple[dict[str, Any], bytes]]
) -> str:
    return digest(hh, members, [(d, hashlib.sha256(img).hexdigest()) for d, img in docs])


def _needs(raw: Any) -> list[tuple[str, str]]:
    if not isinstance(raw, list) or len(raw) > MAX_NEEDS:
        raise _hostile()
    out = []
    for item in raw:
        if (not isinstance(item, list) or len(item) != 2 or not all(isinstance(x, str) for x in item)
                or len(item[0]) > 32 or len(item[1]) > 4096):
            raise _hostile()
        out.append((item[0], item[1]))
    return out


# Hooks of the services above this layer (station.services.pack_import passes station.services.tracing's):
# called for each batch of households added or updated, and for each tracing case carried by a new
# audit event (returns whether the case changed anything here).
HouseholdsHook = Callable[[UnitOfWork, list[HouseholdRow]], object]
CaseHook = Callable[[UnitOfWork, Any], bool]


class Merger:
    """Feed records in pack order, then call `finish()`; everything happens in `uow`'s transaction."""

    def __init__(self, uow: UnitOfWork, *, on_households: HouseholdsHook | None = None,
                 on_case: CaseHook | None = None) -> None:
        self._on_households, self._on_case = on_households, on_case
        self.s: Session = uow.session
        self.uow = uow
        self.stats = MergeStats()
        self._groups: list[_Group] = []
        self._group: _Group | None = None
        self._audit: list[dict[str, Any]] = []
        self._seen_households: set[str] = set()
        self._seen_events: set[str] = set()
        self._batch_bytes = 0

    # ---- intake (validation only) ----
    def feed(self, rec: Record) -> None:
        part, meta = rec.part, rec.meta
        if part == "households":
            self._group = None
            if len(self._groups) >= GROUPS_PER_BATCH or self._batch_bytes > 64 * 2**20:
                self._flush_groups()
            hh = from_meta(HouseholdRow, meta)
            if hh["id"] in self._seen_households:
                raise _hostile()
            self._seen_households.add(hh["id"])
            self._group = _Group(meta, hh)
            self._groups.append(self._group)
            return
        if part == "audit":
            self._group = None
            self._audit.append(meta)
            if len(self._audit) >= AUDIT_PER_BATCH:
                self._flush_audit()
            return
        g = self._group
        if g is None:
            raise _hostile()
        hid = g.hh["id"]
        if part == "individuals":
            kw = from_meta(IndividualRow, meta)
            if kw["household_id"] != hid or kw["id"] in g.member_ids():
                raise _hostile()
            g.members.append((meta, kw, _needs(meta.get("needs", []))))
        elif part == "documents":
            kw = from_meta(DocumentRow, meta)
            if kw["individual_id"] not in g.member_ids() or len(rec.blob) > MAX_PORTRAIT_BYTES:
                raise _hostile()
            g.docs.append((meta, kw, rec.blob))
        elif part == "portraits":
            kw = from_meta(PhotoRow, meta)
            if (kw["individual_id"] not in g.member_ids() or not rec.blob.startswith(JPEG_MAGIC)
                    or len(rec.blob) > MAX_PORTRAIT_BYTES):
                raise _hostile()
            g.portraits.append((kw, rec.blob))
        elif part == "prints":
            kw = from_meta(PrintRecordRow, meta)
            if kw["household_id"] != hid:
                raise _hostile()
            g.prints.append(kw)
        elif part == "distributions":
            kw = from_meta(DistributionRow, meta)
            if kw["household_id"] != hid:
                raise _hostile()
            g.dists.append(kw)
        else:  # pragma: no cover - the reader refuses unknown kinds
            raise _hostile()
        self._batch_bytes += len(rec.blob)

    def finish(self) -> MergeStats:
        self._flush_groups()
        self._flush_audit()
        return self.stats

    # ---- households ----
    def _flush_groups(self) -> None:
        groups, self._groups, self._batch_bytes = self._groups, [], 0
        if not groups:
            return
        s = self.s
        ids = [g.hh["id"] for g in groups]
        existing = {h.id: h for h in s.scalars(
            select(HouseholdRow).where(HouseholdRow.id.in_(ids)).options(
                selectinload(HouseholdRow.members).selectinload(IndividualRow.documents),
                selectinload(HouseholdRow.members).selectinload(IndividualRow.needs)))}
        self._check_ownership(groups)
        changed: list[HouseholdRow] = []
        for g in groups:
            row = existing.get(g.hh["id"])
            if row is None:
                row = HouseholdRow()
                self._apply(row, g)
                s.add(row)
                self.stats.households_added += 1
                changed.append(row)
                continue
            hmeta, members, docs = bundle_metas(row)
            # card_issue only grows, and printing a card does not bump the version
            local = (row.updated_at, row.version, row.card_issue, bundle_digest(hmeta, members, docs))
            incoming = (g.hh["updated_at"], g.hh["version"], g.hh["card_issue"], g.digest())
            if incoming > local:
                self._apply(row, g)
                self.stats.households_updated += 1
                changed.append(row)
            elif incoming == local:
                self.stats.households_unchanged += 1
            else:
                self.stats.households_kept_local += 1
        s.flush()
        self._index(changed, [row.id for row in changed if row.id in existing])
        self._merge_portraits(groups)
        self._merge_by_id(PrintRecordRow, [kw for g in groups for kw in g.prints], "prints")
        self._merge_by_id(DistributionRow, [kw for g in groups for kw in g.dists], "distributions")
        s.flush()
        s.expunge_all()  # bounded memory: this batch is in the transaction, not in Python

    def _index(self, rows: list[HouseholdRow], replaced: list[str]) -> None:
        """Index the batch's added and updated households: search tokens, then the tracing checks."""
        self._write_tokens(rows, replaced)
        if self._on_households is not None and rows:  # person keys for duplicate checks; tracing alerts
            self._on_households(self.uow, rows)

    def _write_tokens(self, rows: list[HouseholdRow], replaced: list[str]) -> None:
        """Search tokens (station.domain.name_index) of a batch: one DELETE, one bulk INSERT, no ORM objects."""
        if replaced:
            self.s.execute(delete(NameTokenRow).where(NameTokenRow.household_id.in_(replaced)))
        tokens = [{"token": t, "household_id": row.id} for row in rows for t in household_tokens(
            ((m.given_ar, m.father_ar, m.grandfather_ar, m.family_ar,
              m.given_lat, m.father_lat, m.grandfather_lat, m.family_lat) for m in row.members),
            (d.number for m in row.members for d in m.documents), row.origin_key or "")]
        if tokens:
            self.s.execute(insert(NameTokenRow), tokens)

    def _check_ownership(self, groups: list[_Group]) -> None:
        """Refuse members or registration numbers that belong to a different household here."""
        owner_of = {kw["id"]: g.hh["id"] for g in groups for _, kw, _ in g.members}
        for start in range(0, len(owner_of), 500):
            chunk = list(owner_of)[start : start + 500]
            for iid, hid in self.s.execute(
                    select(IndividualRow.id, IndividualRow.household_id).where(IndividualRow.id.in_(chunk))):
                if owner_of[iid] != hid:
                    raise StationError("export.error.inconsistent")
        regnos = {g.hh["registration_number"]: g.hh["id"] for g in groups}
        if len(regnos) != len(groups):
            raise StationError("export.error.regno_conflict")
        for regno, hid in self.s.execute(select(HouseholdRow.registration_number, HouseholdRow.id)
                                         .where(HouseholdRow.registration_number.in_(list(regnos)))):
            if regnos[regno] != hid:
                raise StationError("export.error.regno_conflict")

    def _apply(self, row: HouseholdRow, g: _Group) -> None:
        for key, value in g.hh.items():
            setattr(row, key, value)
        old = {m.id: m for m in row.members}
        docs: dict[str, list[tuple[dict[str, Any], bytes]]] = {}
        for _, kw, img in g.docs:
            docs.setdefault(kw["individual_id"], []).append((kw, img))
        members = []
        for _, kw, needs in g.members:
            ind = old.get(kw["id"]) or IndividualRow()
            for key, value in kw.items():
                if key != "household_id":
                    setattr(ind, key, value)
            old_docs = {d.id: d for d in ind.documents}
            new_docs = []
            for dkw, img in docs.get(ind.id, []):
                doc = old_docs.get(dkw["id"]) or DocumentRow()
                for key, value in dkw.items():
                    if key != "individual_id":
                        setattr(doc, key, value)
                doc.image_jpeg = img or None
                new_docs.append(doc)
            ind.documents = new_docs
            ind.needs = [NeedRow(code=c, note=n) for c, n in needs]
            members.append(ind)
            self.stats.individuals += 1
        row.members = members

    def _merge_portraits(self, groups: list[_Group]) -> None:
        incoming = {kw["individual_id"]: (kw, jpeg) for g in groups for kw, jpeg in g.portraits}
        if not incoming:
            return
        s = self.s
        ids = list(incoming)
        present: set[str] = set()
        local: dict[str, Any] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            present.update(s.scalars(select(IndividualRow.id).where(IndividualRow.id.in_(chunk))))
            local.update((i, t) for i, t in s.execute(
                select(PhotoRow.individual_id, PhotoRow.taken_at).where(PhotoRow.individual_id.in_(chunk))))
        new_rows = []
        for iid, (kw, jpeg) in incoming.items():
            if iid not in present:
                continue  # the member is not in the version of the household kept here
            row = dict(kw, jpeg=jpeg)
            if iid not in local:
                new_rows.append(row)
                continue
            if kw["taken_at"] < local[iid]:
                continue
            if kw["taken_at"] == local[iid]:  # same moment at two stations: the larger digest wins, anywhere
                old = s.scalar(select(PhotoRow.jpeg).where(PhotoRow.individual_id == iid)) or b""
                if _sha(jpeg) <= _sha(old):
                    continue
            s.execute(update(PhotoRow).where(PhotoRow.individual_id == iid).values(**row))
            self.stats.portraits += 1
        if new_rows:
            s.execute(insert(PhotoRow), new_rows)
            self.stats.portraits += len(new_rows)

    def _merge_by_id(self, model: Any, rows: list[dict[str, Any]], stat: str) -> None:
        if not rows:
            return
        ids = [r["id"] for r in rows]
        if len(set(ids)) != len(ids):
            raise _hostile()
        have: set[str] = set()
        for start in range(0, len(ids), 500):
            have.update(self.s.scalars(select(model.id).where(model.id.in_(ids[start : start + 500]))))
        new = [r for r in rows if r["id"] not in have]
        if new:
            self.s.execute(insert(model), new)
            setattr(self.stats, stat, getattr(self.stats, stat) + len(new))

    # ---- audit ----
    def _flush_audit(self) -> None:
        batch, self._audit = self._audit, []
        if not batch:
            return
        s = self.s
        events = [from_meta(AuditEventRow, m, SKIP_AUDIT) for m in batch]
        for e in events:
            expected = event_hash(
                e["prev_hash"], event_id=e["event_id"], station=e["station"], seq=e["seq"], at=e["at"],
                actor=e["actor"], action=e["action"], entity_type=e["entity_type"], entity_id=e["entity_id"],
                details=e["details"],
            )
            if expected != e["hash"] or e["event_id"] in self._seen_events:
                raise StationError("export.error.audit_tampered")
            self._seen_events.add(e["event_id"])
            self.stats.stations.add(e["station"])
        known = {eid: (st, seq, h) for eid, st, seq, h in s.execute(
            select(AuditEventRow.event_id, AuditEventRow.station, AuditEventRow.seq, AuditEventRow.hash)
            .where(AuditEventRow.event_id.in_([e["event_id"] for e in events])))}
        new = []
        for e in events:
            if e["event_id"] in known:
                if known[e["event_id"]] != (e["station"], e["seq"], e["hash"]):
                    raise StationError("export.error.audit_conflict")
                self.stats.audit_known += 1
            else:
                new.append(e)
        by_station: dict[str, list[int]] = {}
        for e in new:
            by_station.setdefault(e["station"], []).append(e["seq"])
        for station, seqs in by_station.items():
            if s.scalar(select(AuditEventRow.id).where(AuditEventRow.station == station,
                                                       AuditEventRow.seq.in_(seqs)).limit(1)) is not None:
                raise StationError("export.error.audit_conflict")
        if new:
            s.execute(insert(AuditEventRow), new)
            self.stats.audit_added += len(new)
            for e in new:  # tracing cases travel as the whole case in their audit events
                case = e["details"].get("case") if isinstance(e["details"], dict) else None
                if e["action"].startswith("tracing.") and case is not None and self._on_case is not None:
                    self.stats.tracing_cases += self._on_case(self.uow, case)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chain_links(s: Session, station: str) -> tuple[bool, bool]:
    """(links_ok, complete) for one station's events here: every event that follows its predecessor by
    seq must carry its hash; gaps (packs not imported yet) leave the chain incomplete, not broken."""
    prev_seq, prev_hash, complete, first = 0, GENESIS, True, True
    rows = s.execute(select(AuditEventRow.seq, AuditEventRow.prev_hash, AuditEventRow.hash)
                     .where(AuditEventRow.station == station).order_by(AuditEventRow.seq))
    for seq, prev, h in rows:
        if seq == prev_seq + 1 and (not first or seq == 1):
            if prev != prev_hash:
                return False, complete
        else:
            complete = False
        first = False
        prev_seq, prev_hash = seq, h
    return True, complete
