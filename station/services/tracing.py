"""Family tracing: open a case for a person sought, raise alerts when someone like them is registered here
or arrives in a pack, and let a supervisor confirm (the case is found) or dismiss (never raised again).

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

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from station import clock
from station.db.rows import (
    AuditEventRow,
    HouseholdRow,
    IndividualRow,
    MetaRow,
    TracingAlertRow,
    TracingCaseRow,
    TracingKeyRow,
)
from station.db.uow import UnitOfWork
from station.domain.roles import Actor, Permission
from station.domain.text import clean_name, search_key
from station.domain.tracing import (
    DATE_MISMATCH_POINTS,
    DATE_POINTS,
    NAME_POINTS,
    ORIGIN_POINTS,
    SEX_MISMATCH_POINTS,
    SEX_POINTS,
    AlertStatus,
    CaseDraft,
    CaseStatus,
    CaseView,
    Match,
    Person,
    Reason,
    blocking_keys,
    compare,
    date_similarity,
)
from station.errors import NotFound, StationError
from station.export.codec import digest, from_meta, to_meta
from station.services import audit, matching
from station.services.authz import require

# Measured in tests/perf/test_matching_recall.py (held-out seed, 20,000 people): true match in the top 5
# 98.9%, at or above this score 81.6%; with 300 open cases, 0.85 false alerts per 1,000 people registered
# (a quarter of the register stored in one script only; a disagreeing origin counting against).
ALERT_SCORE = 70
ACTIVE = (CaseStatus.OPEN.value, CaseStatus.POSSIBLE_MATCH.value)
IMPORTING = "station.importing"  # session.info flag: set while a pack is merged, alerts say "import"
# session.info flag (services.tracing_deferred): a case that may match is noted, confirmed after the commit
DEFER_CONFIRM = "station.tracing_deferred"
PENDING_PREFIX = "tracing_pending:"  # station_meta: a case to confirm against people just saved


@dataclass(frozen=True)
class AlertView:
    id: int
    case: CaseView
    candidate: matching.Candidate
    status: AlertStatus
    source: str
    score: int
    reasons: tuple[tuple[str, int], ...]


def _person(row: TracingCaseRow) -> Person:
    return Person((row.given_ar, row.father_ar, row.grandfather_ar, row.family_ar),
                  (row.given_lat, row.father_lat, row.grandfather_lat, row.family_lat),
                  row.sex, row.birth_date, row.birth_date_estimated, row.origin)


def _view(row: TracingCaseRow, open_alerts: int = 0) -> CaseView:
    p = _person(row)
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
    keys = sorted(blocking_keys(_person(row)))
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

    p = _person(row)
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

def _raise(s: Session, row: TracingCaseRow, individual_id: str, m: Match, source: str) -> bool:
    known = s.scalar(select(TracingAlertRow.id).where(TracingAlertRow.case_id == row.id,
                                                      TracingAlertRow.individual_id == individual_id))
    if known is not None:  # raised before: still open, confirmed or dismissed; never twice
        return False
    dismissal = _dismissed_elsewhere(s, row.id, individual_id)
    if dismissal is not None:  # dismissed at another station before this person's record arrived here
        _record_dismissal(s, row, dismissal)
        return False
    s.add(TracingAlertRow(case_id=row.id, individual_id=individual_id, score=m.score,
                          reasons=[[r.code, r.value] for r in m.reasons], status=AlertStatus.OPEN.value,
                          source=source, raised_at=audit.utcnow(), decided_by="", note=""))
    if row.status == CaseStatus.OPEN.value:
        row.status = CaseStatus.POSSIBLE_MATCH.value  # not audited as a change: it follows from the alert
    return True


def check_case(uow: UnitOfWork, row: TracingCaseRow, source: str, on: date | None = None) -> int:
    """Check one active case against the whole register; returns how many new alerts were raised."""
    if row.status not in ACTIVE:
        return 0
    found = matching.find_people(uow.session, _person(row), on or clock.local_today(), ALERT_SCORE,
                                 exclude_households=[row.seeker_household_id], limit=10)
    return sum(_raise(uow.session, row, c.individual_id, _match(c), source) for c in found)


def household_indexed(uow: UnitOfWork, row: HouseholdRow, on: date | None = None) -> int:
    """After a household is saved: refresh its people's keys and check them against the active cases that
    share a key. Returns how many new alerts were raised (each kept in tracing_alerts with its time and
    source; the supervisor's decision on it is audited)."""
    matching.index_household(uow, row)
    origin = matching.origin_text(row.origin_governorate, row.origin_district, row.origin_place)
    people = {m.id: (row.id, _member(m, origin)) for m in row.members}
    s = uow.session
    return _check_people(s, people, on or clock.local_today(), "import" if s.info.get(IMPORTING) else "registration")


def households_indexed(session: Session, household_ids: list[str], on: date | None = None,
                       source: str = "import") -> int:
    """`household_indexed` for a batch of saved households (the office import calls it once per chunk of
    ids): the keys rewritten in a few statements, the active cases sharing a key looked up once for the
    whole batch, each case that may match confirmed once. Raises the alerts that calling
    `household_indexed` for each id after the batch is in the register raises (tests/station/services/
    test_tracing_batch.py); returns how many."""
    ids = sorted(set(household_ids))
    if not ids:
        return 0
    people = matching.index_households_by_id(session, ids)
    return _check_people(session, {iid: (hid, p) for iid, (hid, p) in people.items()},
                         on or clock.local_today(), source)


def households_merged(uow: UnitOfWork, rows: list[HouseholdRow]) -> int:
    """The same for a batch merged from a pack (station.export.merge calls it through the import service):
    keys written in bulk; alerts say "import"."""
    uow.session.info[IMPORTING] = True
    uow.session.flush()
    return households_indexed(uow.session, [r.id for r in rows])


def _member(m: IndividualRow, origin: str) -> Person:
    """A member as the tracing check compares it: no documents (a case has none to compare with)."""
    return Person((m.given_ar, m.father_ar, m.grandfather_ar, m.family_ar),
                  (m.given_lat, m.father_lat, m.grandfather_lat, m.family_lat),
                  m.sex, m.birth_date, bool(m.birth_date_estimated), origin)


_TK = TracingKeyRow.__table__.c
_TC = TracingCaseRow.__table__.c
_CASES_SHARING = (select(_TK.case_id, _TK.key).join_from(TracingKeyRow.__table__, TracingCaseRow.__table__,
                                                         _TK.case_id == _TC.id)
                  .where(_TK.key.in_(bindparam("keys", expanding=True)), _TC.status.in_(ACTIVE)))
_CASE_COLS = (select(_TC.id, _TC.given_ar, _TC.father_ar, _TC.grandfather_ar, _TC.family_ar, _TC.given_lat,
                     _TC.father_lat, _TC.grandfather_lat, _TC.family_lat, _TC.sex, _TC.birth_date,
                     _TC.birth_date_estimated, _TC.origin, _TC.seeker_household_id)
              .where(_TC.id.in_(bindparam("ids", expanding=True))))
_CHUNK = 500


def _check_people(s: Session, people: dict[str, tuple[str, Person]], day: date, source: str) -> int:
    """Check people just indexed (individual id -> (household id, person)) against the active cases: a case
    is scored only against the people sharing one of its keys (not against their whole household), and a
    case that reaches the alert score is confirmed once through the register-wide check, which discounts
    names that many people share."""
    by_key: dict[str, set[str]] = {}
    for iid, (_hid, p) in people.items():
        for k in blocking_keys(p):
            by_key.setdefault(k, set()).add(iid)
    if not by_key:
        return 0
    conn = s.connection()
    keys = sorted(by_key)
    sharing: dict[str, set[str]] = {}
    for start in range(0, len(keys), _CHUNK):
        for case_id, key in conn.execute(_CASES_SHARING, {"keys": keys[start:start + _CHUNK]}):
            sharing.setdefault(case_id, set()).update(by_key[key])
    if not sharing:
        return 0
    case_ids = sorted(sharing)
    raised = 0
    for start in range(0, len(case_ids), _CHUNK):
        for r in conn.execute(_CASE_COLS, {"ids": case_ids[start:start + _CHUNK]}).all():
            cp = Person(tuple(r[1:5]), tuple(r[5:9]), r[9], r[10], bool(r[11]), r[12])
            seeker = r[13]
            mine = [iid for iid in sorted(sharing[r[0]]) if people[iid][0] != seeker]
            if not any(_may_alert(cp, people[iid][1], day) and compare(cp, people[iid][1], day).score >= ALERT_SCORE
                       for iid in mine):
                continue
            if s.info.get(DEFER_CONFIRM):  # the desk's save: confirmed after the commit, off the clerk's wait
                _pend(s, r[0], mine, source)
                continue
            case = s.get(TracingCaseRow, r[0])
            assert case is not None
            raised += confirm(s, case, set(mine), day, source)
    return raised


def confirm(s: Session, case: TracingCaseRow, wanted: set[str], day: date, source: str) -> int:
    """The register-wide check of a case that may match some of `wanted` (people just saved): those among
    its best candidates, names many people share discounted, raise an alert. Returns how many were raised."""
    raised = 0
    for c in matching.find_people(s, _person(case), day, ALERT_SCORE,
                                  exclude_households=[case.seeker_household_id], limit=10):
        if c.individual_id in wanted:
            raised += _raise(s, case, c.individual_id, _match(c), source)
    return raised


def _pend(s: Session, case_id: str, ids: Iterable[str], source: str) -> None:
    """Note in the same transaction as the save that the case is to be confirmed against `ids`: a crash
    before the confirmation leaves the note, which the next desk opened confirms (services.tracing_deferred)."""
    row = s.get(MetaRow, PENDING_PREFIX + case_id)
    have = set(row.value.split()[1:]) if row is not None else set()
    value = " ".join([source, *sorted(have | set(ids))])
    if row is None:
        s.add(MetaRow(key=PENDING_PREFIX + case_id, value=value))
    else:
        row.value = value


def _may_alert(case: Person, p: Person, day: date) -> bool:
    """Whether `compare` could reach the alert score at all, from the cheap evidence alone (sex, age), with
    full marks for names and origin: exact, it only spares comparing the names of someone of the other
    sex or of another age. A case carries no documents, so the same-document rule never applies."""
    points = NAME_POINTS + ORIGIN_POINTS
    if "X" not in (case.sex, p.sex) and case.sex and p.sex:
        points += SEX_POINTS if case.sex == p.sex else SEX_MISMATCH_POINTS
    dates = date_similarity(case, p, day)
    if dates is not None:
        points += DATE_POINTS * dates[0] if dates[0] > 0 else DATE_MISMATCH_POINTS if dates[0] < 0 else 0.0
    return round(points) >= ALERT_SCORE


def _match(c: matching.Candidate) -> Match:
    return Match(c.score, tuple(Reason(code, v) for code, v in c.reasons))


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

def _dismissed_elsewhere(s: Session, case_id: str, individual_id: str) -> dict[str, Any] | None:
    """The dismissal of this pair carried by an imported audit event, if any (read by the case's id)."""
    q = select(AuditEventRow.details).where(AuditEventRow.entity_id == case_id,
                                            AuditEventRow.action == "tracing.dismiss")
    for details in s.scalars(q):
        # events written before dismissals travelled carry the pair at the top level
        d = details.get("dismissed", details) if isinstance(details, dict) else None
        if isinstance(d, dict) and d.get("individual_id") == individual_id:
            return d
    return None


def _record_dismissal(s: Session, row: TracingCaseRow, d: dict[str, Any]) -> bool:
    """Record a pair dismissed at another station as a dismissed alert here (or dismiss the open alert the
    import has just raised for it). A pair already decided here keeps that decision; a person not on file
    here is left to `_raise`, which finds the dismissal in the audit trail when their record arrives."""
    iid = d.get("individual_id")
    if not isinstance(iid, str) or s.get(IndividualRow, iid) is None:
        return False
    note, by = str(d.get("note", ""))[:4096], str(d.get("decided_by", ""))[:64]
    alert = s.scalar(select(TracingAlertRow).where(TracingAlertRow.case_id == row.id,
                                                   TracingAlertRow.individual_id == iid))
    now = audit.utcnow()
    if alert is None:
        score = d.get("score")
        reasons = d.get("reasons")
        s.add(TracingAlertRow(case_id=row.id, individual_id=iid, score=score if isinstance(score, int) else 0,
                              reasons=reasons if isinstance(reasons, list) else [],
                              status=AlertStatus.DISMISSED.value, source="import", raised_at=now, decided_at=now,
                              decided_by=by, note=note))
    elif alert.status == AlertStatus.OPEN.value:
        alert.status, alert.decided_at, alert.decided_by, alert.note = AlertStatus.DISMISSED.value, now, by, note
    else:
        return False
    s.flush()
    return True


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
    decided = isinstance(dismissed, dict) and _record_dismissal(s, row, dismissed)
    if not (newer or decided):
        return False
    # the status follows the alerts held here (a station's open alert is not one of ours)
    if row.status in ACTIVE:
        waiting = bool(_open_alert_counts(s, [row.id]))
        row.status = (CaseStatus.POSSIBLE_MATCH if waiting else CaseStatus.OPEN).value
    check_case(uow, row, "import")
    return newer
