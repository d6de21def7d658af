"""The office import's batch check (`tracing_checks.households_indexed`) raises exactly the alerts that the
single check (`tracing_checks.household_indexed`) raises for each household, and writes the same keys."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from station.db.rows import HouseholdRow, IndividualRow, PersonKeyRow, TracingAlertRow, TracingCaseRow
from station.db.uow import UnitOfWork
from station.domain.codes import Relationship
from station.domain.tracing import AlertStatus, CaseDraft, CaseStatus, compare
from station.export.merge_rows import FreshRows
from station.services import matching, tracing, tracing_checks
from station.services.demo import make_household
from station.services.matching import person_from_draft
from station.services.registration import estimated_birth_date, register_household

ON = date(2026, 6, 1)

Outcome = tuple[frozenset[tuple[object, ...]], frozenset[tuple[str, str]]]


class _Seen(Exception):
    """Carries what a check did out of a unit of work that is then rolled back."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__("rolled back")
        self.outcome = outcome


def _station(ctx) -> list[str]:
    """Thirty demo households (sharing the demo's common names), two of them carrying the same sought
    person (namesakes), and open cases for some of their members written as a relative would; the alerts
    opening the cases raised are then forgotten, but one dismissed alert is kept."""
    rng = random.Random(3)
    at = datetime(2026, 6, 1, 9, 0)  # noqa: DTZ001 - a clerk's typed time: naive is the station's local time
    drafts = [make_household(rng, ON, at + timedelta(minutes=i)) for i in range(30)]
    twin = dataclasses.replace(drafts[4].members[0], relationship=Relationship.OTHER_RELATIVE)
    drafts[9] = dataclasses.replace(drafts[9], members=(*drafts[9].members, twin))
    with ctx.db.uow() as uow:
        ids = [register_household(uow, ctx.actor, d).id for d in drafts]
    with ctx.db.uow() as uow:
        seeker = ids[0]
        for hh in (1, 2, 3, 4, 5, 7, 0):  # the last: someone of the seeker's own household (never alerted)
            m = drafts[hh].members[-1]
            tracing.open_case(uow, ctx.actor, CaseDraft(
                seeker if hh else ids[1], ("", *m.name_ar.parts()[1:3], "") if hh % 2 else m.name_ar.parts(),
                m.name_lat.parts(), m.sex.value, birth_date=m.birth_date, age_years=m.age_years), on=ON)
        closed = drafts[8].members[0]  # a case closed before its person arrives: no alert
        case = tracing.open_case(uow, ctx.actor, CaseDraft(seeker, closed.name_ar.parts(), closed.name_lat.parts(),
                                                           closed.sex.value, age_years=closed.age_years), on=ON)
        tracing.close_case(uow, ctx.actor, case.id, "found elsewhere")
    with ctx.db.uow() as uow:
        s = uow.session
        alerts = list(s.scalars(select(TracingAlertRow).order_by(TracingAlertRow.id)))
        assert len(alerts) >= 4
        tracing.dismiss_alert(uow, ctx.actor, alerts[0].id, "not him")
        s.execute(delete(TracingAlertRow).where(TracingAlertRow.status == AlertStatus.OPEN.value))
        s.execute(update(TracingCaseRow).where(TracingCaseRow.status == CaseStatus.POSSIBLE_MATCH.value)
                  .values(status=CaseStatus.OPEN.value))
    return ids


def _outcome(uow: UnitOfWork) -> Outcome:
    s = uow.session
    alerts = frozenset((a.case_id, a.individual_id, a.score, tuple(tuple(r) for r in a.reasons), a.source, a.status)
                       for a in s.scalars(select(TracingAlertRow)))
    keys = frozenset((k, i) for k, i in s.execute(select(PersonKeyRow.key, PersonKeyRow.individual_id)))
    return alerts, keys


def _rolled_back(ctx, check) -> Outcome:
    with pytest.raises(_Seen) as seen, ctx.db.uow() as uow:
        check(uow)
        raise _Seen(_outcome(uow))
    return seen.value.outcome


def test_batch_raises_the_alerts_of_the_single_check(ctx) -> None:
    ids = _station(ctx)

    def single(uow: UnitOfWork) -> None:
        uow.session.info[tracing_checks.IMPORTING] = True
        for hid in ids:
            row = uow.session.get(HouseholdRow, hid)
            assert row is not None
            tracing_checks.household_indexed(uow, row, ON)

    def batch(uow: UnitOfWork) -> None:
        assert tracing_checks.households_indexed(uow.session, list(reversed(ids)), ON) > 0

    def batch_unkeyed(uow: UnitOfWork) -> None:  # as merged from a pack: no keys yet
        uow.session.execute(delete(PersonKeyRow).where(PersonKeyRow.individual_id.in_(
            select(IndividualRow.id).where(IndividualRow.household_id.in_(ids)))))
        tracing_checks.households_indexed(uow.session, ids, ON)

    def batch_from_rows(uow: UnitOfWork) -> None:  # the import: people and keys made from the pack's rows
        s = uow.session
        rows = FreshRows()
        for hid in ids:
            row = s.get(HouseholdRow, hid)
            assert row is not None
            rows.households.append(_columns(row))
            rows.individuals.extend(_columns(m) for m in row.members)
        keyed = matching.key_batch(s.get_bind().dialect, rows)
        s.execute(delete(PersonKeyRow).where(PersonKeyRow.individual_id.in_(
            select(IndividualRow.id).where(IndividualRow.household_id.in_(ids)))))
        tracing_checks.households_indexed(s, ids, ON, keyed=keyed)

    one_by_one, together, unkeyed, from_rows = (_rolled_back(ctx, f) for f in (
        single, batch, batch_unkeyed, batch_from_rows))
    raised = {a for a in one_by_one[0] if a[5] == AlertStatus.OPEN.value}
    assert len(raised) >= 3 and {a[4] for a in raised} == {"import"}
    assert together == one_by_one
    assert unkeyed == one_by_one
    assert from_rows == one_by_one


def _columns(row: object) -> dict[str, object]:
    """A row's column values by key, as a pack's codec hands them to the merger (station.export.codec)."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}  # type: ignore[attr-defined]


def test_batch_of_nothing_raises_nothing(ctx) -> None:
    with ctx.db.uow() as uow:
        assert tracing_checks.households_indexed(uow.session, [], ON) == 0


def test_the_cheap_screen_never_hides_an_alert() -> None:
    """`_may_alert` (sex and age only, full marks for names and origin) is False only where the full
    comparison stays under the alert score: the same people compared with themselves, with their age
    moved by up to 30 years and the sex sometimes changed."""
    rng = random.Random(5)
    at = datetime(2026, 6, 1, 9, 0)  # noqa: DTZ001 - a clerk's typed time: naive is the station's local time
    people = [dataclasses.replace(person_from_draft(m, h.origin, m.birth_date or estimated_birth_date(
                  m.age_years or 0, ON), m.birth_date is None), documents=())  # a case carries none
              for h in (make_household(rng, ON, at) for _ in range(150)) for m in h.members]
    screened = 0
    for p in people:
        q = dataclasses.replace(p, sex=rng.choice((p.sex, p.sex, "F", "M", "X")),
                                birth_date=p.birth_date and p.birth_date.replace(year=p.birth_date.year
                                                                                 + rng.randint(-30, 30)),
                                birth_estimated=rng.random() < 0.5)
        for other in (q, rng.choice(people)):
            if not tracing_checks._may_alert(p, other, ON):
                screened += 1
                assert compare(p, other, ON).score < tracing_checks.ALERT_SCORE
            assert tracing_checks._may_alert(p, p, ON)
    assert screened > len(people) // 2
