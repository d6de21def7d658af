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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

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
from station.db.uow import UnitOfWork
from station.domain.audit_chain import event_hash
from station.domain.portrait import JPEG_MAGIC, MAX_PORTRAIT_BYTES
from station.errors import StationError
from station.export.codec import from_meta
from station.export.collect import SKIP_AUDIT, bundle_metas
from station.export.container import Record
from station.export.merge_rows import (
    Group,
    PrepareHook,
    Ready,
    apply_group,
    bundle_digest,
    check_ownership,
    fresh_rows,
    needs_of,
    ready_rows,
)
from station.export.merge_rows import hostile as _hostile
from station.export.merge_tokens import IDS_PER_IN as _IN
from station.export.merge_tokens import chunks as _chunks
from station.export.merge_tokens import insert_prepared, insert_rows, write_tokens

GROUPS_PER_BATCH = 500
AUDIT_PER_BATCH = 1000
BATCH_BYTES = 24 * 2**20  # images of one batch: with a read-ahead thread, at most three batches are in memory
HOUSEHOLDS, AUDIT = "households", "audit"
# (HOUSEHOLDS, [Group], Ready) or (AUDIT, [event meta], None): checked, ready to merge
Batch = tuple[str, list[Any], Ready | None]


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


# Hooks of the services above this layer (station.services.pack_import passes station.services.tracing's):
# called once per batch with the ids of the households added or updated (their rows are written and
# flushed) and, when every household of the batch was new, what `prepare` made of its rows (else None);
# and for each tracing case carried by a new audit event (returns whether it changed anything).
HouseholdsHook = Callable[[UnitOfWork, list[str], object], object]
CaseHook = Callable[[UnitOfWork, Any], bool]


class Merger:
    """Feed records in pack order, then call `finish()`; everything happens in `uow`'s transaction.

    Two halves: `feed` only checks and groups (no database), and hands each full batch to `batch_ready`,
    which merges it at once (`merge_batch`) unless the caller replaced it: the office import feeds in a
    read-ahead thread and merges the batches in its own (station.export.read_ahead). `finish` hands on and
    merges what is left, in the caller's thread.

    Households new here (nearly all of a pack at the office) are written with one executemany per table
    and batch, and their search tokens likewise; households already on file go through the ORM, which
    replaces their members, documents and needs. Nothing is committed here: a pack is all or nothing."""

    def __init__(self, uow: UnitOfWork, *, on_households: HouseholdsHook | None = None,
                 on_case: CaseHook | None = None, arrival_zone: tzinfo | None = None,
                 prepare: PrepareHook | None = None) -> None:
        """`arrival_zone`: the zone of a pack written before arrival times were UTC (header without
        `arrival_times: utc`); its arrivals are read as wall-clock times there and stored as UTC.
        `prepare`: run on each batch's rows where the batch is checked (merge_rows.PrepareHook); its result
        reaches `on_households` when the whole batch was new here."""
        self._on_households, self._on_case, self._prepare = on_households, on_case, prepare
        self.arrival_zone = arrival_zone
        self.s: Session = uow.session
        self.uow = uow
        self.stats = MergeStats()
        self._groups: list[Group] = []
        self._group: Group | None = None
        self._audit: list[dict[str, Any]] = []
        self._seen_households: set[str] = set()
        self._seen_events: set[str] = set()
        self._batch_bytes = 0
        self.batch_ready: Callable[[Batch], None] = self.merge_batch
        self._dialect = uow.session.get_bind().dialect
        self._ready: Ready | None = None  # the rows of the batch being merged, if every household is new

    # ---- intake (validation only) ----
    def feed(self, rec: Record) -> None:
        part, meta = rec.part, rec.meta
        if part == "households":
            self._group = None
            if len(self._groups) >= GROUPS_PER_BATCH or self._batch_bytes > BATCH_BYTES:
                self._hand_on_groups()
            hh = from_meta(HouseholdRow, meta)
            if self.arrival_zone is not None:
                hh["arrived_at"] = hh["arrived_at"].replace(tzinfo=self.arrival_zone).astimezone(UTC) \
                    .replace(tzinfo=None)
            if hh["id"] in self._seen_households:
                raise _hostile()
            self._seen_households.add(hh["id"])
            self._group = Group(meta, hh)
            self._groups.append(self._group)
            return
        if part == "audit":
            self._group = None
            self._audit.append(meta)
            if len(self._audit) >= AUDIT_PER_BATCH:
                self._hand_on_audit()
            return
        g = self._group
        if g is None:
            raise _hostile()
        hid = g.hh["id"]
        if part == "individuals":
            kw = from_meta(IndividualRow, meta)
            if kw["household_id"] != hid or kw["id"] in g.member_ids:
                raise _hostile()
            g.members.append((meta, kw, needs_of(meta.get("needs", []))))
            g.member_ids.add(kw["id"])
        elif part == "documents":
            kw = from_meta(DocumentRow, meta)
            if kw["individual_id"] not in g.member_ids or len(rec.blob) > MAX_PORTRAIT_BYTES:
                raise _hostile()
            g.docs.append((meta, kw, rec.blob))
        elif part == "portraits":
            kw = from_meta(PhotoRow, meta)
            if (kw["individual_id"] not in g.member_ids or not rec.blob.startswith(JPEG_MAGIC)
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
        """Merge what is left (in the caller's thread, whatever `batch_ready` was) and return the counts."""
        self.batch_ready = self.merge_batch
        self._hand_on_groups()
        self._hand_on_audit()
        return self.stats

    def _hand_on_groups(self) -> None:
        groups, self._groups, self._batch_bytes = self._groups, [], 0
        self._group = None
        if groups:  # rows made ready where the batch was checked (the read-ahead thread, if any)
            self.batch_ready((HOUSEHOLDS, groups, ready_rows(self._dialect, groups, self._prepare)))

    def _hand_on_audit(self) -> None:
        batch, self._audit = self._audit, []
        if batch:
            self.batch_ready((AUDIT, batch, None))

    def merge_batch(self, batch: Batch) -> None:
        """Merge one batch `feed` handed on, in the transaction (batches in the order they were handed on)."""
        kind, items, ready = batch
        if kind == HOUSEHOLDS:
            self._flush_groups(items, ready)
        else:
            self._flush_audit(items)

    # ---- households ----
    def _flush_groups(self, groups: list[Group], ready: Ready | None = None) -> None:
        try:
            self._merge_groups(groups, ready)
        except IntegrityError:
            # an id the checks above let through collides with a row here (a document or print of another
            # household): the pack contradicts this register; the caller's transaction is rolled back
            raise StationError("export.error.inconsistent") from None

    def _merge_groups(self, groups: list[Group], ready: Ready | None) -> None:
        s = self.s
        check_ownership(s, groups)
        ids = [g.hh["id"] for g in groups]
        on_file: set[str] = set()
        for chunk in _chunks(ids, _IN):
            on_file.update(s.scalars(select(HouseholdRow.id).where(HouseholdRow.id.in_(chunk))))
        fresh = [g for g in groups if g.hh["id"] not in on_file]
        self._ready = ready if not on_file else None
        updated = self._update_known([g for g in groups if g.hh["id"] in on_file]) if on_file else []
        self._insert_fresh(fresh)
        self.stats.households_added += len(fresh)
        self.stats.individuals += sum(len(g.members) for g in fresh)
        self._write_tokens(fresh + updated, [g.hh["id"] for g in updated])
        changed = [g.hh["id"] for g in fresh + updated]
        if self._on_households is not None and changed:  # person keys for duplicate checks; tracing alerts
            self._on_households(self.uow, changed, self._ready.extra if self._ready is not None else None)
        self._merge_portraits(groups)
        self._merge_by_id(PrintRecordRow, [kw for g in groups for kw in g.prints], "prints")
        self._merge_by_id(DistributionRow, [kw for g in groups for kw in g.dists], "distributions")
        s.flush()
        s.expunge_all()  # bounded memory: this batch is in the transaction, not in Python
        self._ready = None

    def _insert_fresh(self, groups: list[Group]) -> None:
        """Households not on file here: plain rows, one executemany per table (Core: no ORM objects, no
        autoflush, no unit-of-work bookkeeping)."""
        if not groups:
            return
        if self._ready is not None:  # every household of the batch is new: its rows are ready
            for prepared in self._ready.fresh:
                insert_prepared(self.s.connection(), prepared)
            return
        rows = fresh_rows(groups)
        for model, batch in ((HouseholdRow, rows.households), (IndividualRow, rows.individuals),
                             (DocumentRow, rows.documents), (NeedRow, rows.needs)):
            self._insert(model, batch)

    def _insert(self, model: Any, rows: list[dict[str, Any]]) -> None:
        insert_rows(self.s.connection(), model.__table__, rows)  # plain rows to the driver (merge_tokens)

    def _update_known(self, groups: list[Group]) -> list[Group]:
        """Households already on file: the later version wins (compared as before); returns the winners."""
        s = self.s
        existing = {h.id: h for h in s.scalars(
            select(HouseholdRow).where(HouseholdRow.id.in_([g.hh["id"] for g in groups])).options(
                selectinload(HouseholdRow.members).selectinload(IndividualRow.documents),
                selectinload(HouseholdRow.members).selectinload(IndividualRow.needs)))}
        changed: list[Group] = []
        for g in groups:
            row = existing[g.hh["id"]]
            hmeta, members, docs = bundle_metas(row)
            # card_issue only grows, and printing a card does not bump the version
            local = (row.updated_at, row.version, row.card_issue, bundle_digest(hmeta, members, docs))
            incoming = (g.hh["updated_at"], g.hh["version"], g.hh["card_issue"], g.digest())
            if incoming > local:
                self.stats.individuals += apply_group(row, g)
                self.stats.households_updated += 1
                changed.append(g)
            elif incoming == local:
                self.stats.households_unchanged += 1
            else:
                self.stats.households_kept_local += 1
        s.flush()
        return changed

    def _write_tokens(self, groups: list[Group], replaced: list[str]) -> None:
        """Search tokens (station.domain.name_index, as registration writes them) of a batch: one DELETE for
        the households replaced, one bulk INSERT, no ORM objects (station.export.merge_tokens)."""
        ready = self._ready.tokens if self._ready is not None else None
        write_tokens(self.s, ready or [(g.hh["id"], g.tokens()) for g in groups], replaced)

    def _merge_portraits(self, groups: list[Group]) -> None:
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
            ready = self._ready.portraits if self._ready is not None else None
            if ready is not None and len(ready.rows) == len(new_rows):  # every portrait of the batch, in order
                insert_prepared(s.connection(), ready)
            else:
                self._insert(PhotoRow, new_rows)
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
            self._insert(model, new)
            setattr(self.stats, stat, getattr(self.stats, stat) + len(new))

    # ---- audit ----
    def _flush_audit(self, batch: list[dict[str, Any]]) -> None:
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
            self._insert(AuditEventRow, new)
            self.stats.audit_added += len(new)
            for e in new:  # tracing cases travel as the whole case in their audit events
                case = e["details"].get("case") if isinstance(e["details"], dict) else None
                if e["action"].startswith("tracing.") and case is not None and self._on_case is not None:
                    self.stats.tracing_cases += self._on_case(self.uow, case)
        self._apply_carried_cases(batch, events)

    def _apply_carried_cases(self, batch: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
        """Issue 15: a tracing event's case travels beside it (meta "case", services.export.with_cases), not in
        its hashed details; applied whether the event is new here or not (the hook keeps the later version)."""
        if self._on_case is None:
            return
        for m, e in zip(batch, events, strict=True):
            carried = m.get("case")
            if not (isinstance(carried, dict) and e["action"].startswith("tracing.")):
                continue
            if carried.get("id") != e["entity_id"] or e["entity_type"] != "tracing_case":
                raise _hostile()
            details = e["details"] if isinstance(e["details"], dict) else {}
            if "dismissed" in details:  # a pair dismissed there, for the hook
                carried = {**carried, "dismissed": details["dismissed"]}
            self.stats.tracing_cases += self._on_case(self.uow, carried)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
