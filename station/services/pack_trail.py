"""The office holds each station to the signed heads of its audit trail that its packs carry (issue 15).

A station signs the newest event of its trail (its head: seq, event id and hash) after every commit and
keeps it outside its database; every pack carries it (station/services/pack_origin.py). The office keeps,
per station, the last head it accepted (station_meta "trailhead:<station code>", beside the station pins)
and refuses a pack whose head shows the station's trail was rewritten or rolled back:

- a head that is not signed by a key the station's enrolled authority binds, or names another station
  (`export.error.trail_head_forged`);
- a head that contradicts the trail the office holds: another event at its seq, the same seq as the head
  accepted before with another hash, or the accepted head's event replaced (`export.error.trail_forked`);
  a later head whose chain does not contain the earlier one shows as one of these, or as the merge's
  broken links (station/export/chains.py: every event the office holds must follow its predecessor);
- a head lower than the one accepted before (`export.error.trail_rolled_back`), unless the pack is an
  older one imported late: the station's trail as the office holds it names this very pack in an
  `export.pack` event after the pack's head. A pack whose next event the office does not hold yet (its
  export event travels in a pack not imported yet) is given the benefit of the doubt: the gap shows;
- no head from a station whose earlier packs carried one (`export.error.trail_head_missing`);
- a station's signed statements (its accounts' keys and roles, station/security/authority.py) only grow: a
  pack that leaves out one an earlier pack carried (a demotion deleted from the station's authority file
  together with the matching change in its database, which the station's own `audit verify` cannot tell
  from an untouched station) is refused (`export.error.authority_rolled_back`). The office keeps the
  digests of the statements it has seen per station (station_meta "statements:<station code>").

A pack whose events or registration numbers contradict the office's (the merge's refusals, `CONFLICTS`)
and that its enrolled station did sign tells the same story: `conflict_refusal` names it so.

Only a pack its station signed gets this far, so each refusal is recorded in the office's own audit trail
(`import.refused`, by pack_import) without letting a stranger's pack write there.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.db.rows import AuditEventRow, MetaRow
from station.db.uow import Database
from station.errors import StationError
from station.export.container import ReadState, read_records
from station.export.crypto import open_chunks, read_header, stream_key
from station.security import signing
from station.security.authority import Trust

HEAD_PREFIX = "trailhead:"  # station_meta "trailhead:<station code>" = the last head accepted (JSON)
STATEMENTS_PREFIX = "statements:"  # station_meta "statements:<station code>" = digests of statements seen (JSON)
REFUSED = "import.refused"
# The merge's refusals that, in a pack its enrolled station signed, mean the station went back or forked: a
# station issues seqs and registration numbers in order and never twice (two stations under one code are
# refused by their pins).
CONFLICTS = frozenset({"export.error.audit_conflict", "export.error.regno_conflict"})


class TrailRefused(StationError):
    """A pack refused because of its station's trail; `details` go into the office's audit event."""

    def __init__(self, code: str, /, station: str, details: dict[str, Any], **params: object) -> None:
        super().__init__(code, station=station, **params)
        self.station = station
        self.details = {"reason": code, **details}


def _last(s: Session, station: str) -> dict[str, Any] | None:
    row = s.get(MetaRow, HEAD_PREFIX + station)
    if row is None:
        return None
    try:
        value = json.loads(row.value)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _body(head: Any, trust: Trust, station: str) -> dict[str, Any] | None:
    """The head's body if signed by a key the pack's authority binds and well formed for `station`."""
    if not signing.statement_ok(head) or head["by"] not in trust.owner:
        return None
    body = head["body"]
    seq, event_id, digest = body.get("seq"), body.get("event_id"), body.get("hash")
    if body.get("station") != station or not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return None
    if not isinstance(event_id, str) or not isinstance(digest, str):
        return None
    return {"seq": seq, "event_id": event_id, "hash": digest}


def _held(s: Session, station: str, seq: int) -> AuditEventRow | None:
    return s.scalar(select(AuditEventRow).where(AuditEventRow.station == station, AuditEventRow.seq == seq))


def _differs(row: AuditEventRow | None, head: dict[str, Any]) -> bool:
    return row is not None and (row.hash != head["hash"] or row.event_id != head["event_id"])


def _late(s: Session, station: str, pack_id: str, seq: int) -> bool:
    """An older pack imported after a newer one: the trail held here names it after its head (or cannot
    say yet: the event after the head is not here)."""
    if _held(s, station, seq + 1) is None:
        return True
    for details in s.scalars(select(AuditEventRow.details).where(
            AuditEventRow.station == station, AuditEventRow.action == "export.pack", AuditEventRow.seq > seq)):
        if isinstance(details, dict) and details.get("pack_id") == pack_id:
            return True
    return False


def pack_head(state: ReadState, trust: Trust) -> tuple[bool, dict[str, Any] | None]:
    """(whether the pack carries a head for its station, the head's body if it verifies)."""
    station = str(state.header.get("station", ""))
    authority = (state.origin or {}).get("authority")
    heads = authority.get("heads") if isinstance(authority, dict) else None
    head = heads.get(station) if isinstance(heads, dict) else None
    return head is not None, (_body(head, trust, station) if head is not None else None)


def check(s: Session, state: ReadState, trust: Trust) -> None:
    """After the pack's records are merged (its events among those held here), before the commit: refuse
    the pack (TrailRefused) or keep its head as the station's last accepted one."""
    station = str(state.header.get("station", ""))
    pack_id = str(state.header.get("pack_id", ""))
    last = _last(s, station)
    accepted = int(last["seq"]) if last is not None and isinstance(last.get("seq"), int) else None
    carried, head = pack_head(state, trust)
    base: dict[str, Any] = {"pack_id": pack_id, "accepted_seq": accepted}
    if not carried:
        if last is not None:
            raise TrailRefused("export.error.trail_head_missing", station, base)
        return  # a station that never sent a head (an older version): nothing to hold it to yet
    if head is None:
        raise TrailRefused("export.error.trail_head_forged", station, base)
    seq = head["seq"]
    details = {**base, "seq": seq}
    if _differs(_held(s, station, seq), head):
        raise TrailRefused("export.error.trail_forked", station, details)
    if last is not None and accepted is not None:
        if (seq == accepted and head["hash"] != last.get("hash")) or _differs(_held(s, station, accepted), last):
            raise TrailRefused("export.error.trail_forked", station, details)
        if seq < accepted and not _late(s, station, pack_id, seq):
            raise TrailRefused("export.error.trail_rolled_back", station, details, seq=seq, accepted=accepted)
        if seq < accepted:
            return  # an older pack imported late: it carries the statements of its day
    _statements_kept(s, state, station, details)
    if last is not None and accepted is not None and seq == accepted:
        return
    value = json.dumps({**head, "pack_id": pack_id}, sort_keys=True)
    row = s.get(MetaRow, HEAD_PREFIX + station)
    if row is None:
        s.add(MetaRow(key=HEAD_PREFIX + station, value=value))
    else:
        row.value = value


def _statement_digests(state: ReadState) -> set[str] | None:
    """Digests of the signed statements the pack's authority carries (None: a pack without that list)."""
    authority = (state.origin or {}).get("authority")
    statements = authority.get("statements") if isinstance(authority, dict) else None
    if not isinstance(statements, list):
        return None
    return {hashlib.sha256(signing.canonical(st)).hexdigest() for st in statements if isinstance(st, dict)}


def _statements_kept(s: Session, state: ReadState, station: str, details: dict[str, Any]) -> None:
    """Refuse a pack whose station's statements are fewer than an earlier pack showed; keep the union."""
    carried = _statement_digests(state)
    if carried is None:
        return
    row = s.get(MetaRow, STATEMENTS_PREFIX + station)
    try:
        seen = set(json.loads(row.value)) if row is not None else set()
    except (ValueError, TypeError):
        seen = set()
    missing = seen - carried
    if missing:
        raise TrailRefused("export.error.authority_rolled_back", station, {**details, "missing": len(missing)})
    if carried - seen or row is None:
        value = json.dumps(sorted(seen | carried))
        if row is None:
            s.add(MetaRow(key=STATEMENTS_PREFIX + station, value=value))
        else:
            row.value = value


def last_accepted(s: Session, station: str) -> dict[str, Any] | None:
    """The last head the office accepted from `station` (seq, event_id, hash, pack_id), if any."""
    return _last(s, station)


def conflict_refusal(db: Database, path: Path, private: X25519PrivateKey, merge_code: str) -> TrailRefused | None:
    """A pack the merge refused for contradicting what is held here (`CONFLICTS`: events at seqs held with
    others, or registration numbers given again to other households): read again (nothing merged) and, if
    its enrolled station signed it, the refusal names the station's trail as rewritten (or rolled back, by
    its head). None when the pack does not prove its origin: the merge's own refusal stands."""
    from station.services import pack_import, pack_origin

    state = ReadState()
    try:
        fh, _size = pack_import.open_pack_file(path)
        with fh:
            header = read_header(fh)
            for _rec in read_records(open_chunks(fh, header, stream_key(header, private)), state, decode=False):
                pass
        with db.reader() as uow:
            _signer, trust = pack_origin.check_origin(uow.session, state, enrol=False)
            last = _last(uow.session, str(state.header.get("station", "")))
    except (StationError, OSError, ValueError, MemoryError, RecursionError):
        return None
    station = str(state.header.get("station", ""))
    _carried, head = pack_head(state, trust)
    accepted = last.get("seq") if last is not None else None
    details: dict[str, Any] = {"pack_id": str(state.header.get("pack_id", "")), "accepted_seq": accepted,
                               "seq": head["seq"] if head else None, "merge": merge_code}
    if head is not None and isinstance(accepted, int) and head["seq"] < accepted:
        return TrailRefused("export.error.trail_rolled_back", station, details, seq=head["seq"], accepted=accepted)
    return TrailRefused("export.error.trail_forked", station, details)
