"""Merge a household registered twice: the duplicate is closed and points to the record that is kept.

Nothing is deleted: the duplicate keeps its members and history, its status becomes `merged`, and the
audit trail links both registration numbers. Supervisors only (a wrong merge hides a family).
"""

from __future__ import annotations

from station.db.rows import HouseholdRow
from station.db.uow import UnitOfWork
from station.domain.codes import HouseholdStatus
from station.domain.roles import Actor, Permission
from station.errors import NotFound, StationError
from station.services import audit
from station.services.authz import require


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
