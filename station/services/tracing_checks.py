"""Tracing: the register checked against the open cases (station.services.tracing keeps the cases and
their review).

A case is checked against the whole register when it is opened or arrives in a pack (`check_case`), and the
people of a household against the active cases sharing one of their keys whenever it is saved or merged
(`household_indexed`, `households_indexed` for an import's batch). A case that may match is confirmed
register-wide (`confirm`: names many people share are discounted) and raises an alert for a supervisor,
never twice for one pair, nor for a pair dismissed at another station. A desk's save only notes the case;
the confirmation runs after its commit (station.services.tracing_deferred).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
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
from station.domain.tracing import (
    DATE_MISMATCH_POINTS,
    DATE_POINTS,
    NAME_POINTS,
    ORIGIN_POINTS,
    SEX_MISMATCH_POINTS,
    SEX_POINTS,
    AlertStatus,
    CaseStatus,
    Match,
    Person,
    Reason,
    blocking_keys,
    compare,
    date_similarity,
)
from station.services import audit, matching

# Measured in tests/perf/test_matching_recall.py (held-out seed, 20,000 people): true match in the top 5
# 98.9%, at or above this score 81.6%; with 300 open cases, 0.85 false alerts per 1,000 people registered
# (a quarter of the register stored in one script only; a disagreeing origin counting against).
ALERT_SCORE = 70
ACTIVE = (CaseStatus.OPEN.value, CaseStatus.POSSIBLE_MATCH.value)
IMPORTING = "station.importing"  # session.info flag: set while a pack is merged, alerts say "import"
# session.info flag (services.tracing_deferred): a case that may match is noted, confirmed after the commit
DEFER_CONFIRM = "station.tracing_deferred"
PENDING_PREFIX = "tracing_pending:"  # station_meta: a case to confirm against people just saved


def case_person(row: TracingCaseRow) -> Person:
    """A case as the checks compare it (the person sought)."""
    return Person((row.given_ar, row.father_ar, row.grandfather_ar, row.family_ar),
                  (row.given_lat, row.father_lat, row.grandfather_lat, row.family_lat),
                  row.sex, row.birth_date, row.birth_date_estimated, row.origin)


def _raise(s: Session, row: TracingCaseRow, individual_id: str, m: Match, source: str) -> bool:
    known = s.scalar(select(TracingAlertRow.id).where(TracingAlertRow.case_id == row.id,
                                                      TracingAlertRow.individual_id == individual_id))
    if known is not None:  # raised before: still open, confirmed or dismissed; never twice
        return False
    dismissal = _dismissed_elsewhere(s, row.id, individual_id)
    if dismissal is not None:  # dismissed at another station before this person's record arrived here
        record_dismissal(s, row, dismissal)
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
    found = matching.find_people(uow.session, case_person(row), on or clock.local_today(), ALERT_SCORE,
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
                       source: str = "import", keyed: matching.KeyedBatch | None = None) -> int:
    """`household_indexed` for a batch of saved households (the office import calls it once per chunk of
    ids): the keys rewritten in a few statements, the active cases sharing a key looked up once for the
    whole batch, each case that may match confirmed once. Raises the alerts that calling
    `household_indexed` for each id after the batch is in the register raises (tests/station/services/
    test_tracing_batch.py); returns how many. `keyed`: these households' people and keys as
    matching.key_batch made them from the rows written (the import's read-ahead thread), else read back."""
    ids = sorted(set(household_ids))
    if not ids:
        return 0
    keyed = matching.index_households_by_id(session, ids, keyed)
    return _check_people(session, keyed.people, on or clock.local_today(), source, keyed.pairs)




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


def _check_people(s: Session, people: dict[str, tuple[str, Person]], day: date, source: str,
                  pairs: Iterable[tuple[str, str]] | None = None) -> int:
    """Check people just indexed (individual id -> (household id, person)) against the active cases: a case
    is scored only against the people sharing one of its keys (not against their whole household), and a
    case that reaches the alert score is confirmed once through the register-wide check, which discounts
    names that many people share. `pairs`: the people's (key, individual id), if already worked out."""
    by_key: dict[str, set[str]] = {}
    for k, iid in pairs if pairs is not None else ((k, iid) for iid, (_, p) in people.items()
                                                    for k in blocking_keys(p)):
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
    for c in matching.find_people(s, case_person(case), day, ALERT_SCORE,
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


# ---- dismissals carried by packs ----

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


def record_dismissal(s: Session, row: TracingCaseRow, d: dict[str, Any]) -> bool:
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
