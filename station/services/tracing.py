"""Family tracing: open a case for a person sought, and let a supervisor review the alerts raised when someone
like them is registered here or arrives in a pack (station.services.tracing_checks): confirm (the case is
found) or dismiss (never raised again).

Every change of a case is audited with what the trail needs (who, when, which case, the fields changed and a
digest of the case: `details["case_ref"]`), never the sought person's record. The end-of-day pack carries
each tracing event with its case as it stands (`meta["case"]`, beside the hashed event: services.export
`with_cases`), and station.export.merge rebuilds the case at the office (`apply_snapshot`), the later version
winning, so a case arrives once however many packs carry it, in any order; a dismissed pair travels the same
way and is never raised again there. Events written before this carry the whole case in `details["case"]`
(the hash chain keeps them as they are); the office still reads them.
Clerks open cases; supervisors (Permission.MERGE_DUPLICATES: deciding that two records are one person)
list them and review alerts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from station import clock
from station.db.rows import (
    HouseholdRow,
    IndividualRow,
    TracingAlertRow,
    TracingCaseRow,
    TracingKeyRow,
)
from station.db.uow import UnitOfWork
from station.domain.roles import Actor, Permission
from station.domain.text import clean_name, search_key
from station.domain.tracing import (
    AlertStatus,
    CaseDraft,
    CaseStatus,
    CaseView,
    blocking_keys,
)
from station.errors import NotFound, StationError
from station.export.codec import digest, from_meta, to_meta
from station.services import audit, matching
from station.services.authz import require
from station.services.tracing_checks import ACTIVE, case_person, check_case, record_dismissal


@dataclass(frozen=True)
class AlertView:
    id: int
    case: CaseView
    candidate: matching.Candidate
    status: AlertStatus
    source: str
    score: int
    reasons: tuple[tuple[str, int], ...]


def _view(row: TracingCaseRow, open_alerts: int = 0) -> CaseView:
    p = case_person(row)
    return CaseView(
        row.id, row.station, CaseStatus(row.status), p.name_ar, p.name_lat, row.sex, row.birth_date,
        row.birth_date_estimated, row.origin, row.last_seen_place, row.last_seen_on, row.circumstances,
        row.seeker_household_id, row.seeker_individual_id, row.seeker_registration_number, row.consent_to_share,
        row.found_individual_id, row.found_registration_number, row.closed_reason, open_alerts, row.version,
        row.created_at, row.created_by,
    )


def _load(s: Session, case_id: str) -> TracingCaseRow:
    row = s.get(TracingCaseRow, case_id)
    if row is None:
        raise NotFound("tracing.error.case_not_found")
    return row


def _index(s: Session, row: TracingCaseRow) -> None:
    s.execute(delete(TracingKeyRow).where(TracingKeyRow.case_id == row.id))
    keys = sorted(blocking_keys(case_person(row)))
    if keys:
        s.execute(insert(TracingKeyRow), [{"key": k, "case_id": row.id} for k in keys])


def _audit(uow: UnitOfWork, actor: Actor | str, action: str, row: TracingCaseRow, **extra: Any) -> None:
    # Issue 15: the trail keeps which case (the event's entity id), what changed (field names), its status and
    # version and a digest of the whole case, never the sought person's names, birth date or places. The case
    # itself travels in packs beside its events (station.services.export.with_cases; merged by apply_snapshot).
    from sqlalchemy import inspect as sa_inspect

    meta = to_meta(row)
    state = sa_inspect(row)
    fields = sorted(meta) if action == "tracing.open" else sorted(
        a.key for a in state.attrs if a.key in meta and a.history.has_changes())
    ref = {"fields": fields, "status": row.status, "version": row.version, "digest": digest(meta)}
    audit.record(uow, actor, action, "tracing_case", row.id, {"case_ref": ref, **extra})


def open_case(uow: UnitOfWork, actor: Actor, draft: CaseDraft, on: date | None = None) -> CaseView:
    """Record a tracing request; the register is checked at once (alerts with source "case")."""
    require(actor, Permission.REGISTER)
    on = on or clock.local_today()
    names_ar = tuple(clean_name(p) for p in draft.sought_ar)
    names_lat = tuple(clean_name(p) for p in draft.sought_lat)
    if sum(1 for a, b in zip(names_ar, names_lat, strict=True) if a or b) < 2:
        raise StationError("tracing.error.two_names_needed")
    if draft.sex not in ("F", "M", "X"):
        raise StationError("tracing.error.invalid")
    if draft.age_years is not None and not 0 <= draft.age_years <= 120:
        raise StationError("tracing.error.invalid")
    seeker = uow.session.get(HouseholdRow, draft.seeker_household_id)
    if seeker is None:
        raise NotFound("error.household_not_found")
    if draft.seeker_individual_id and draft.seeker_individual_id not in {m.id for m in seeker.members}:
        raise StationError("tracing.error.invalid")
    from station.services.registration import estimated_birth_date  # registration calls back into this module

    birth, estimated = draft.birth_date, False
    if birth is None and draft.age_years is not None:
        birth, estimated = estimated_birth_date(draft.age_years, on), True
    now = audit.utcnow()
    row = TracingCaseRow(
        id=str(uuid.uuid4()), station=actor.station, status=CaseStatus.OPEN.value,
        given_ar=names_ar[0], father_ar=names_ar[1], grandfather_ar=names_ar[2], family_ar=names_ar[3],
        given_lat=names_lat[0], father_lat=names_lat[1], grandfather_lat=names_lat[2], family_lat=names_lat[3],
        sex=draft.sex, birth_date=birth, birth_date_estimated=estimated, origin=clean_name(draft.origin),
        last_seen_place=clean_name(draft.last_seen_place), last_seen_on=draft.last_seen_on,
        circumstances=draft.circumstances.strip(), seeker_household_id=seeker.id,
        seeker_individual_id=draft.seeker_individual_id, seeker_registration_number=seeker.registration_number,
        consent_to_share=draft.consent_to_share, found_individual_id="", found_registration_number="",
        closed_reason="", version=1, created_at=now, created_by=actor.username, updated_at=now,
        updated_by=actor.username,
    )
    uow.session.add(row)
    uow.session.flush()
    _index(uow.session, row)
    _audit(uow, actor, "tracing.open", row)
    raised = check_case(uow, row, "case", on)
    return _view(row, raised)


def _touch(row: TracingCaseRow, who: str) -> None:
    row.version += 1
    row.updated_at = audit.utcnow()
    row.updated_by = who


def close_case(uow: UnitOfWork, actor: Actor, case_id: str, reason: str) -> CaseView:
    require(actor, Permission.MERGE_DUPLICATES)
    if not reason.strip():
        raise StationError("error.reason_required")
    row = _load(uow.session, case_id)
    if row.status == CaseStatus.CLOSED.value:
        raise StationError("tracing.error.case_closed")
    row.status, row.closed_reason = CaseStatus.CLOSED.value, reason.strip()
    _touch(row, actor.username)
    _audit(uow, actor, "tracing.close", row)
    return _view(row)


def _open_alert_counts(s: Session, ids: list[str]) -> dict[str, int]:
    if not ids:
        return {}
    q = (select(TracingAlertRow.case_id, func.count()).where(
        TracingAlertRow.case_id.in_(ids), TracingAlertRow.status == AlertStatus.OPEN.value)
        .group_by(TracingAlertRow.case_id))
    return {cid: int(n) for cid, n in s.execute(q)}


def list_cases(uow: UnitOfWork, actor: Actor, statuses: Iterable[CaseStatus] = (), text: str = "") -> list[CaseView]:
    """Cases for supervisors, newest first; `text` filters by any word of the names (either script, any
    common spelling), the origin, the places or the seeker's registration number."""
    require(actor, Permission.MERGE_DUPLICATES)
    q = select(TracingCaseRow).order_by(TracingCaseRow.created_at.desc(), TracingCaseRow.id)
    wanted = [s.value for s in statuses]
    if wanted:
        q = q.where(TracingCaseRow.status.in_(wanted))
    rows = list(uow.session.scalars(q))
    words = search_key(text).split()
    if words:
        rows = [r for r in rows if _case_matches(r, words)]
    counts = _open_alert_counts(uow.session, [r.id for r in rows])
    return [_view(r, counts.get(r.id, 0)) for r in rows]


def _case_matches(row: TracingCaseRow, words: list[str]) -> bool:
    from station.domain import soundalike  # sound-alike words, as the register's search

    p = case_person(row)
    text = search_key(" ".join((*p.name_ar, *p.name_lat, row.origin, row.last_seen_place,
                                row.seeker_registration_number, row.found_registration_number)))
    folded = set(text.split())
    keys = soundalike.index_tokens(*p.name_ar, *p.name_lat)
    for w in words:
        token = soundalike.query_token(w)
        if not any(f.startswith(w) for f in folded) and (token is None or token not in keys):
            return False
    return True


def get_case(uow: UnitOfWork, actor: Actor, case_id: str) -> CaseView:
    require(actor, Permission.MERGE_DUPLICATES)
    row = _load(uow.session, case_id)
    return _view(row, _open_alert_counts(uow.session, [row.id]).get(row.id, 0))


# ---- alerts ----

def _alert_view(s: Session, a: TracingAlertRow, counts: dict[str, int]) -> AlertView | None:
    case = s.get(TracingCaseRow, a.case_id)
    people = matching.load_people(s, [a.individual_id])
    if case is None or a.individual_id not in people:
        return None
    reasons = tuple((str(c), int(v)) for c, v in a.reasons)
    cand = matching.candidate_of(people[a.individual_id], a.score, reasons)
    return AlertView(a.id, _view(case, counts.get(case.id, 0)), cand, AlertStatus(a.status), a.source, a.score,
                     reasons)


def list_alerts(uow: UnitOfWork, actor: Actor, status: AlertStatus | None = AlertStatus.OPEN) -> list[AlertView]:
    require(actor, Permission.MERGE_DUPLICATES)
    q = select(TracingAlertRow).order_by(TracingAlertRow.score.desc(), TracingAlertRow.id)
    if status is not None:
        q = q.where(TracingAlertRow.status == status.value)
    alerts = list(uow.session.scalars(q))
    counts = _open_alert_counts(uow.session, sorted({a.case_id for a in alerts}))
    return [v for a in alerts if (v := _alert_view(uow.session, a, counts)) is not None]


def _decide(uow: UnitOfWork, actor: Actor, alert_id: int) -> tuple[TracingAlertRow, TracingCaseRow]:
    require(actor, Permission.MERGE_DUPLICATES)
    alert = uow.session.get(TracingAlertRow, alert_id)
    if alert is None:
        raise NotFound("tracing.error.alert_not_found")
    if alert.status != AlertStatus.OPEN.value:
        raise StationError("tracing.error.alert_decided")
    alert.decided_at, alert.decided_by = audit.utcnow(), actor.username
    return alert, _load(uow.session, alert.case_id)


def confirm_alert(uow: UnitOfWork, actor: Actor, alert_id: int, note: str = "") -> CaseView:
    """The person registered is the one sought: the case is found and names where they are."""
    alert, case = _decide(uow, actor, alert_id)
    alert.status, alert.note = AlertStatus.CONFIRMED.value, note.strip()
    ind = uow.session.get(IndividualRow, alert.individual_id)
    assert ind is not None  # the alert's foreign key
    case.status = CaseStatus.FOUND.value
    case.found_individual_id, case.found_registration_number = ind.id, ind.household.registration_number
    _touch(case, actor.username)
    _audit(uow, actor, "tracing.found", case, alert_score=alert.score, note=alert.note)
    return _view(case)


def dismiss_alert(uow: UnitOfWork, actor: Actor, alert_id: int, note: str = "") -> CaseView:
    """Not the person sought: remembered, so this pair never raises an alert again."""
    alert, case = _decide(uow, actor, alert_id)
    alert.status, alert.note = AlertStatus.DISMISSED.value, note.strip()
    uow.session.flush()
    if case.status == CaseStatus.POSSIBLE_MATCH.value and not _open_alert_counts(uow.session, [case.id]):
        case.status = CaseStatus.OPEN.value
    # The whole case travels with the dismissal, as with every change of a case, and the pair dismissed beside
    # it: the office records the pair as dismissed on import (apply_snapshot), so it never raises it again.
    dismissed = {"individual_id": alert.individual_id, "score": alert.score, "reasons": alert.reasons,
                 "note": alert.note, "decided_by": alert.decided_by}
    _audit(uow, actor, "tracing.dismiss", case, dismissed=dismissed, **{k: dismissed[k] for k in
                                                                     ("individual_id", "score", "note")})
    return _view(case)


# ---- packs ----

def _order(meta: dict[str, Any]) -> tuple[str, int, str]:
    # The status moves between open and possible_match with local alerts, without a new version: it is
    # left out of the tie-break so that it alone never replaces a case.
    return (str(meta["updated_at"]), int(meta["version"]), digest({k: v for k, v in meta.items() if k != "status"}))


def apply_snapshot(uow: UnitOfWork, meta: Any) -> bool:
    """Merge a case carried by an imported audit event: added, or replaced when the incoming version is
    later (updated_at, version, content digest: the same result in any import order). Returns whether it
    changed anything; a new or changed active case is checked against the register here."""
    kw = from_meta(TracingCaseRow, meta)
    dismissed = meta.get("dismissed")  # station.export.merge passes a dismissal beside the case it concerns
    s = uow.session
    row = s.get(TracingCaseRow, kw["id"])
    newer = row is None or _order(to_meta(row)) < _order(to_meta(TracingCaseRow(**kw)))
    if row is None:
        row = TracingCaseRow(**kw)
        s.add(row)
    elif newer:
        for key, value in kw.items():
            setattr(row, key, value)
    if newer:
        s.flush()
        _index(s, row)
    decided = isinstance(dismissed, dict) and record_dismissal(s, row, dismissed)
    if not (newer or decided):
        return False
    # the status follows the alerts held here (a station's open alert is not one of ours)
    if row.status in ACTIVE:
        waiting = bool(_open_alert_counts(s, [row.id]))
        row.status = (CaseStatus.POSSIBLE_MATCH if waiting else CaseStatus.OPEN).value
    check_case(uow, row, "import")
    return newer
