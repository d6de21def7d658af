"""Whether one station's audit events on file link up (each carries its predecessor's hash), after a merge."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.db.rows import AuditEventRow
from station.domain.audit_chain import GENESIS


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
