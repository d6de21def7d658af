"""Tracing cases: alerts when the person sought is registered here, never for a shared common name, and a
dismissed match stays dismissed."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import func, select

from station.db.rows import AuditEventRow, TracingAlertRow
from station.domain.codes import Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts, Origin
from station.domain.roles import Actor, Role
from station.domain.tracing import AlertStatus, CaseDraft, CaseStatus
from station.errors import PermissionDenied, StationError
from station.services import matching, tracing, tracing_checks
from station.services.registration import correct_household, get_household, register_household
from tests.factories import family_of_five

ON = date(2026, 6, 1)  # the day the ages below are counted from (cases and households alike)


def person(ar: tuple[str, str, str, str], lat: tuple[str, str, str, str], sex: Sex, *, age: int | None = None,
           birth: date | None = None, rel: Relationship = Relationship.HEAD) -> MemberDraft:
    return MemberDraft(NameParts(*ar), NameParts(*lat), sex, rel, birth_date=birth,
                       age_years=age if birth is None else None)


MOSUL = Origin("Ninewa", "Mosul", "Mosul")


def household(*members: MemberDraft, origin: Origin = MOSUL) -> HouseholdDraft:
    return HouseholdDraft(members=members, origin=origin)


SON_CASE = dict(sought_ar=("عمر", "خالد", "حسن", "العبيدي"), sought_lat=("Omar", "Khalid", "Hassan", "Al-Obaidi"),
                sex="M", age_years=17, origin="Mosul, Ninewa", last_seen_place="Mosul old city",
                circumstances="injured, taken to hospital in Erbil", consent_to_share=True)


def open_son_case(ctx, **kw: object) -> tuple[str, str]:
    with ctx.db.uow() as uow:
        seeker = register_household(uow, ctx.actor, family_of_five())
        case = tracing.open_case(uow, ctx.actor, CaseDraft(seeker.id, seeker_individual_id=seeker.members[0].id,
                                                           **(SON_CASE | kw)), on=ON)  # type: ignore[arg-type]
    return seeker.id, case.id


def the_son(**kw: object) -> MemberDraft:
    # written by another clerk: Latin spellings differ, the family name without its article, age one off
    return dataclasses.replace(person(("عمر", "خالد", "حسن", "العبيدي"), ("Omer", "Khaled", "Hasan", "Obaidi"),
                                      Sex.MALE, age=18), **kw)


def correct_origin(ctx, household_id: str) -> str:
    """Correct a one-person household's place of origin (its member re-indexed and checked again); returns
    the member's id."""
    with ctx.db.reader() as uow:
        view = get_household(uow, ctx.actor, household_id)
    m = view.members[0]
    draft = HouseholdDraft(members=(MemberDraft(m.name_ar, m.name_lat, m.sex, m.relationship, birth_date=m.birth_date,
                                                id=m.id),), origin=Origin("Ninewa", "Mosul", "Old city"),
                           id=household_id, expected_version=view.version)
    with ctx.db.uow() as uow:
        correct_household(uow, ctx.actor, draft)
    return m.id


def test_open_case_is_audited_and_listed_for_supervisors(ctx) -> None:
    _seeker, case_id = open_son_case(ctx)
    with ctx.db.reader() as uow:
        cases = tracing.list_cases(uow, ctx.actor, [CaseStatus.OPEN])
        ev = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "tracing.open")).one()
        assert [c.id for c in tracing.list_cases(uow, ctx.actor, text="عمر")] == [case_id]
        assert [c.id for c in tracing.list_cases(uow, ctx.actor, text="Umar")] == [case_id]  # sounds alike
        assert tracing.list_cases(uow, ctx.actor, text="Zainab") == []
    assert [c.id for c in cases] == [case_id]
    assert cases[0].circumstances == "injured, taken to hospital in Erbil" and cases[0].birth_estimated
    assert ev.entity_id == case_id and "given_lat" in ev.details["case_ref"]["fields"]  # no copy of the case
    clerk = Actor("clerk1", Role.CLERK, ctx.actor.station)
    with pytest.raises(PermissionDenied), ctx.db.reader() as uow:
        tracing.list_cases(uow, clerk)


def test_case_needs_two_name_parts(ctx) -> None:
    with ctx.db.uow() as uow:
        seeker = register_household(uow, ctx.actor, family_of_five())
    with pytest.raises(StationError) as err, ctx.db.uow() as uow:
        tracing.open_case(uow, ctx.actor, CaseDraft(seeker.id, sought_lat=("Omar", "", "", "")))
    assert err.value.code == "tracing.error.two_names_needed"


def test_new_registration_raises_an_alert_and_confirm_finds(ctx) -> None:
    seeker_id, case_id = open_son_case(ctx)
    with ctx.db.uow() as uow:
        found_hh = register_household(uow, ctx.actor, household(the_son()))
    with ctx.db.reader() as uow:
        alerts = tracing.list_alerts(uow, ctx.actor)
        assert tracing.get_case(uow, ctx.actor, case_id).status is CaseStatus.POSSIBLE_MATCH
    assert len(alerts) == 1
    a = alerts[0]
    assert a.source == "registration" and a.score >= tracing_checks.ALERT_SCORE
    assert a.candidate.household_id == found_hh.id and a.case.id == case_id
    codes = {c for c, _ in a.reasons}
    assert {"names", "age_close", "sex_same", "origin_same"} <= codes
    with ctx.db.uow() as uow:
        done = tracing.confirm_alert(uow, ctx.actor, a.id, "mother told at the desk")
    assert done.status is CaseStatus.FOUND and done.found_registration_number == found_hh.registration_number
    assert seeker_id != found_hh.id
    with pytest.raises(StationError) as err, ctx.db.uow() as uow:
        tracing.dismiss_alert(uow, ctx.actor, a.id)
    assert err.value.code == "tracing.error.alert_decided"


def test_case_opened_after_the_registration_finds_it_too(ctx) -> None:
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, household(the_son()))
    _seeker, case_id = open_son_case(ctx)
    with ctx.db.reader() as uow:
        alerts = tracing.list_alerts(uow, ctx.actor)
    assert [(a.case.id, a.source) for a in alerts] == [(case_id, "case")]


def test_no_alert_for_people_sharing_only_a_common_name(ctx) -> None:
    # "Mohammed Ali", a man of 30 from Mosul, is sought (the case's origin: "Mosul, Ninewa")
    open_son_case(ctx, sought_ar=("محمد", "علي", "", ""), sought_lat=("Mohammed", "Ali", "", ""), age_years=30)
    anbar = Origin("Anbar", "Ramadi", "Hit")
    # the only namesake on a small register, of the same sex and age, from elsewhere: the name alone (no
    # other Mohammed Ali here to discount it) must not raise an alert
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, household(
            person(("محمد", "علي", "حسين", "التميمي"), ("Mohammed", "Ali", "Hussein", "Al-Tamimi"), Sex.MALE, age=30),
            origin=anbar))
    with ctx.db.reader() as uow:
        assert tracing.list_alerts(uow, ctx.actor) == []
    others = household(
        person(("محمد", "علي", "حسين", "التميمي"), ("Mohammed", "Ali", "Hussein", "Al-Tamimi"), Sex.MALE, age=52),
        person(("محمد", "علي", "جاسم", "الدليمي"), ("Muhammad", "Ali", "Jassim", "Al-Dulaimi"), Sex.MALE, age=31,
               rel=Relationship.BROTHER),  # same sex, about the age: only the origin differs
        person(("محمد", "علي", "", ""), ("Muhammad", "Ali", "", ""), Sex.FEMALE, age=30,
               rel=Relationship.SPOUSE),  # same two names and age, but a woman (typing error aside)
        person(("محمد", "احمد", "علي", "الجبوري"), ("Mohammed", "Ahmed", "Ali", "Al-Jubouri"), Sex.MALE, age=9,
               rel=Relationship.SON),
        origin=anbar)
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, others)
    with ctx.db.reader() as uow:
        assert tracing.list_alerts(uow, ctx.actor) == []


def test_a_dismissed_match_does_not_come_back(ctx) -> None:
    _seeker, case_id = open_son_case(ctx)
    with ctx.db.uow() as uow:
        hh = register_household(uow, ctx.actor, household(the_son()))
    with ctx.db.reader() as uow:
        (alert,) = tracing.list_alerts(uow, ctx.actor)
    with ctx.db.uow() as uow:
        case = tracing.dismiss_alert(uow, ctx.actor, alert.id, "another Omar: the mother saw the photo")
    assert case.status is CaseStatus.OPEN
    correct_origin(ctx, hh.id)  # the household is corrected (re-indexed, re-checked): still no alert
    with ctx.db.reader() as uow:
        assert tracing.list_alerts(uow, ctx.actor) == []
        statuses = list(uow.session.scalars(select(TracingAlertRow.status)))
        assert tracing.get_case(uow, ctx.actor, case_id).status is CaseStatus.OPEN
        assert uow.session.scalar(select(func.count()).select_from(AuditEventRow)
                                  .where(AuditEventRow.action == "tracing.dismiss")) == 1
    assert statuses == [AlertStatus.DISMISSED.value]


def test_the_seekers_own_household_raises_no_alert(ctx) -> None:
    # the case names a member of the asking household itself (Yousef of family_of_five, about 9)
    seeker_id, case_id = open_son_case(ctx, sought_ar=("يوسف", "أحمد", "علي", "الجبوري"),
                                       sought_lat=("Yousef", "Ahmed", "Ali", "Al-Jubouri"), age_years=9)
    with ctx.db.reader() as uow:
        assert tracing.list_alerts(uow, ctx.actor) == []
        case = tracing.get_case(uow, ctx.actor, case_id)
        # not for want of a match: the register-wide check without the exclusion finds him
        found = matching.find_people(uow.session, case.person(), ON, tracing_checks.ALERT_SCORE)
    assert [c.household_id for c in found] == [seeker_id]


def test_close_case(ctx) -> None:
    _seeker, case_id = open_son_case(ctx)
    with pytest.raises(StationError), ctx.db.uow() as uow:
        tracing.close_case(uow, ctx.actor, case_id, " ")
    with ctx.db.uow() as uow:
        closed = tracing.close_case(uow, ctx.actor, case_id, "family reunited elsewhere")
    assert closed.status is CaseStatus.CLOSED and closed.version == 2
    with ctx.db.uow() as uow:  # a closed case raises nothing any more
        register_household(uow, ctx.actor, household(the_son()))
    with ctx.db.reader() as uow:
        assert tracing.list_alerts(uow, ctx.actor) == []


def test_day_report_counts_only(ctx) -> None:
    from datetime import UTC

    from station import clock
    from station.export.report_data import day_figures

    _seeker, _case = open_son_case(ctx)
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, household(the_son()))
    with ctx.db.reader() as uow:
        event_day = uow.session.scalars(select(AuditEventRow.at).where(AuditEventRow.action == "tracing.open")).one()
        day = clock.to_local(event_day.replace(tzinfo=UTC), UTC).date()
        figures = day_figures(uow.session, day, ctx.actor.station, UTC)
        other_day = day_figures(uow.session, date(2001, 1, 1), ctx.actor.station, UTC)
    assert figures.tracing == {"opened": 1, "found": 0, "open": 1, "alerts": 1}
    assert other_day.tracing == {"opened": 0, "found": 0, "open": 1, "alerts": 1}
