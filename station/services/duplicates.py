"""Duplicate registrations: found at save (`check_member_duplicates`), decided by the clerk (linked, or
"not the same person", remembered), and merged by a supervisor.

Merging a household registered twice: the duplicate is closed and points to the record that is kept.

Nothing is deleted: the duplicate keeps its members and history, its status becomes `merged`, and the
audit trail links both registration numbers. Supervisors only (a wrong merge hides a family).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from station import clock
from station.db.rows import DuplicateDecisionRow, HouseholdRow, IndividualRow
from station.db.uow import UnitOfWork
from station.domain.codes import HouseholdStatus
from station.domain.model import HouseholdDraft, HouseholdView, MemberDraft, Origin
from station.domain.roles import Actor, Permission
from station.domain.tracing import Person, blocking_keys
from station.errors import NotFound, StationError
from station.services import audit
from station.services.authz import require
from station.services.matching import Candidate, Loaded, find_people, key_counts, person_from_draft
from station.services.registration import estimated_birth_date


def merge_duplicate(uow: UnitOfWork, actor: Actor, keep_id: str, duplicate_id: str, reason: str) -> None:
    require(actor, Permission.MERGE_DUPLICATES)
    if keep_id == duplicate_id or not reason.strip():
        raise StationError("error.merge_invalid")
    keep = uow.session.get(HouseholdRow, keep_id, with_for_update=True)
    dup = uow.session.get(HouseholdRow, duplicate_id, with_for_update=True)
    if keep is None or dup is None:
        raise NotFound("error.household_not_found")
    if HouseholdStatus.MERGED.value in (keep.status, dup.status):
        raise StationError("error.merge_invalid")
    now = audit.utcnow()
    old_status = dup.status
    dup.status = HouseholdStatus.MERGED.value
    dup.notes = (dup.notes + "\n" if dup.notes else "") + f"Duplicate of {keep.registration_number}"
    dup.version += 1
    dup.updated_at, dup.updated_by = now, actor.username
    audit.record(uow, actor, "household.merge", "household", dup.id, {
        "registration_number": dup.registration_number, "kept": keep.registration_number, "kept_id": keep.id,
        "reason": reason.strip(), "changes": {"status": [old_status, dup.status]},
    })


# ---- duplicates at save ----

DUPLICATE_SCORE = 60  # shown to the clerk; lower than an alert: the clerk sees the photos and decides
DECISIONS = ("same", "different")


@dataclass(frozen=True)
class MemberDuplicates:
    """Likely earlier registrations of one member of the household being saved (position from 1)."""

    position: int
    member_id: str | None
    candidates: tuple[Candidate, ...]


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _decided_different(uow: UnitOfWork, member_id: str | None) -> set[str]:
    if not member_id:
        return set()
    rows = uow.session.execute(select(DuplicateDecisionRow.individual_a, DuplicateDecisionRow.individual_b).where(
        or_(DuplicateDecisionRow.individual_a == member_id, DuplicateDecisionRow.individual_b == member_id),
        DuplicateDecisionRow.decision == "different"))
    return {b if a == member_id else a for a, b in rows}


def _person(member: MemberDraft, origin: Origin, on: date) -> Person:
    birth, estimated = member.birth_date, False
    if birth is None and member.age_years is not None:
        birth, estimated = estimated_birth_date(member.age_years, on), True
    return person_from_draft(member, origin, birth, estimated)


def check_member_duplicates(
    uow: UnitOfWork, actor: Actor, member: MemberDraft, origin: Origin, *, household_id: str | None = None,
    on: date | None = None, limit: int = 3, cache: dict[str, Loaded] | None = None,
    known: dict[str, int] | None = None,
) -> list[Candidate]:
    """Earlier registrations (here or merged from other stations) that may be this member: the same document
    type and number first, then name + birth date or age + sex + origin. Leaves out the member's own
    household and pairs already marked "not the same person"."""
    require(actor, Permission.SEARCH)
    on = on or clock.local_today()
    return find_people(uow.session, _person(member, origin, on), on, DUPLICATE_SCORE,
                       exclude=_decided_different(uow, member.id),
                       exclude_households=[household_id] if household_id else [], limit=limit, cache=cache,
                       known=known)


class Prechecked:
    """Members already checked while the household was being typed (the desk checks each member in the
    background as it enters the list), so the save checks only what changed since.

    A result is reused for the same person as compared (names, sex, birth date or age, origin, documents),
    the same member record and household, and the same day, and for at most `max_age` seconds: another desk
    of a site may register the same person meanwhile. The desk clears it after each save of its own (the
    household just saved may be the next member's earlier registration); a check that started before the
    clear is not kept. Thread-safe: filled by a worker, read at save on the GUI thread.
    """

    def __init__(self, max_age: float = 120.0, now: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age
        self._now = now
        self._found: dict[tuple[object, ...], tuple[float, tuple[Candidate, ...]]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    @staticmethod
    def key(member: MemberDraft, origin: Origin, household_id: str | None, on: date) -> tuple[object, ...]:
        return _person(member, origin, on), member.id, household_id, on

    def get(self, key: tuple[object, ...]) -> tuple[Candidate, ...] | None:
        with self._lock:
            hit = self._found.get(key)
        if hit is None or self._now() - hit[0] > self.max_age:
            return None
        return hit[1]

    def start(self) -> tuple[int, float]:
        """Taken before a check reads the register: put() keeps its result only if no clear() came between."""
        with self._lock:
            return self._generation, self._now()

    def put(self, key: tuple[object, ...], candidates: Iterable[Candidate], started: tuple[int, float]) -> None:
        with self._lock:
            if started[0] == self._generation:  # a result is as old as the register it read
                self._found[key] = (started[1], tuple(candidates))

    def clear(self) -> None:
        with self._lock:
            self._found.clear()
            self._generation += 1

    def __len__(self) -> int:
        with self._lock:
            return len(self._found)


def check_household_duplicates(uow: UnitOfWork, actor: Actor, draft: HouseholdDraft,
                               on: date | None = None, prechecked: Prechecked | None = None,
                               saved: HouseholdDraft | None = None) -> list[MemberDuplicates]:
    """`check_member_duplicates` for every member of a household about to be saved; only members with
    candidates are listed. The keys' counts of all members are read in one query, and people read for
    one member serve the next. A member found in `prechecked` (checked moments ago, unchanged since) is
    not checked again; members checked here are added to it.

    `saved`: the household as it was loaded, when a saved one is being corrected. Its members that are
    unchanged (the same record, names, sex, birth, origin and documents) were checked when they were saved
    and are not checked again: correcting a household's notes or adding a child asks only about what changed.
    """
    require(actor, Permission.SEARCH)
    on = on or clock.local_today()
    out = []
    cache: dict[str, Loaded] = {}
    keys = [Prechecked.key(m, draft.origin, draft.id, on) if prechecked is not None else () for m in draft.members]
    done = [prechecked.get(k) if prechecked is not None else None for k in keys]
    if saved is not None and saved.id is not None and saved.id == draft.id:
        as_saved = {(m.id, _person(m, saved.origin, on)) for m in saved.members if m.id is not None}
        done = [() if d is None and (m.id, _person(m, draft.origin, on)) in as_saved else d
                for m, d in zip(draft.members, done, strict=True)]
    todo = [m for m, d in zip(draft.members, done, strict=True) if d is None]
    known = key_counts(uow.session, {k for m in todo for k in blocking_keys(_person(m, draft.origin, on))})
    for pos, (m, key, found) in enumerate(zip(draft.members, keys, done, strict=True), start=1):
        if found is None:
            started = prechecked.start() if prechecked is not None else (0, 0.0)
            found = tuple(check_member_duplicates(uow, actor, m, draft.origin, household_id=draft.id, on=on,
                                                  cache=cache, known=known))
            if prechecked is not None:
                prechecked.put(key, found, started)
        if found:
            out.append(MemberDuplicates(pos, m.id, tuple(found)))
    return out


def precheck_members(uow: UnitOfWork, actor: Actor, draft: HouseholdDraft, prechecked: Prechecked,
                     on: date | None = None) -> int:
    """Check, ahead of the save, the members of a household being typed that `prechecked` does not hold
    yet; returns how many were checked. The results wait in `prechecked` for check_household_duplicates."""
    on = on or clock.local_today()
    todo = sum(1 for m in draft.members if prechecked.get(Prechecked.key(m, draft.origin, draft.id, on)) is None)
    if todo:
        check_household_duplicates(uow, actor, draft, on=on, prechecked=prechecked)
    return todo


def record_duplicate_decision(uow: UnitOfWork, actor: Actor, individual_id: str, other_id: str, decision: str,
                              reason: str = "") -> None:
    """The clerk's answer on a candidate, once the member is saved: "same" links the two records (for a
    supervisor to merge the households), "different" is remembered so the pair is not shown again. Saving
    anyway over a same-document candidate needs a reason. Audited either way."""
    require(actor, Permission.REGISTER)
    if decision not in DECISIONS or individual_id == other_id:
        raise StationError("duplicates.error.invalid")
    s = uow.session
    mine, other = s.get(IndividualRow, individual_id), s.get(IndividualRow, other_id)
    if mine is None or other is None:
        raise NotFound("error.household_not_found")
    same_doc = any((d.doc_type, d.number) in {(o.doc_type, o.number) for o in other.documents} for d in mine.documents)
    if decision == "different" and same_doc and not reason.strip():
        raise StationError("error.reason_required")
    a, b = _pair(individual_id, other_id)
    row = s.scalar(select(DuplicateDecisionRow).where(DuplicateDecisionRow.individual_a == a,
                                                      DuplicateDecisionRow.individual_b == b))
    if row is None:
        row = DuplicateDecisionRow(individual_a=a, individual_b=b)
        s.add(row)
    row.decision, row.reason = decision, reason.strip()
    row.decided_at, row.decided_by = audit.utcnow(), actor.username
    audit.record(uow, actor, "duplicate.link" if decision == "same" else "duplicate.not_same", "individual",
                 individual_id, {"household_id": mine.household_id, "other": other_id,
                                 "other_household": other.household.registration_number,
                                 "same_document": same_doc, "reason": reason.strip()})


def linked_records(uow: UnitOfWork, actor: Actor, individual_id: str) -> list[str]:
    """Individuals the clerks said are the same person as this one (for the supervisor's merge)."""
    require(actor, Permission.SEARCH)
    rows = uow.session.execute(select(DuplicateDecisionRow.individual_a, DuplicateDecisionRow.individual_b).where(
        or_(DuplicateDecisionRow.individual_a == individual_id, DuplicateDecisionRow.individual_b == individual_id),
        DuplicateDecisionRow.decision == "same"))
    return sorted(b if a == individual_id else a for a, b in rows)


@dataclass(frozen=True)
class DuplicateDecision:
    """What the clerk chose in the duplicate dialog for one member (by position in the draft, from 1)."""

    position: int
    other_individual_id: str
    decision: str  # same | different
    reason: str = ""


def apply_decisions(uow: UnitOfWork, actor: Actor, saved: HouseholdView,
                    decisions: Iterable[DuplicateDecision]) -> None:
    """Record the dialog's answers once the household is saved (same transaction): members are matched by
    position, as the saved view lists them in the draft's order."""
    for d in decisions:
        if not 1 <= d.position <= len(saved.members):
            raise StationError("duplicates.error.invalid")
        record_duplicate_decision(uow, actor, saved.members[d.position - 1].id, d.other_individual_id, d.decision,
                                  d.reason)
