"""Record that a document or a station code was scanned (the audit trail keeps who scanned what, when).

Only the kind of scan, the format and whether every check digit held are recorded, never the values read:
the values, once accepted, are part of the member's record and its own audit event.
"""

from __future__ import annotations

from station.db.uow import UnitOfWork
from station.domain.roles import Actor, Permission
from station.services import audit
from station.services.authz import require

KINDS = frozenset({"document", "code"})


def record_scan(
    uow: UnitOfWork, actor: Actor, *, kind: str, fmt: str, valid: bool, household_id: str = "",
    failed_checks: int = 0,
) -> None:
    require(actor, Permission.SCAN)
    if kind not in KINDS:
        raise ValueError(kind)
    audit.record(uow, actor, f"scan.{kind}", "household" if household_id else "", household_id,
                 {"format": fmt[:24], "valid": bool(valid), "failed_checks": int(failed_checks)})
