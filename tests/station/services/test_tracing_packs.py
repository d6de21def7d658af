"""Tracing cases travel in packs (inside their audit events) and merge once, in any order; a person
sought at one station and registered at another raises an alert when the pack is imported."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from station.db.rows import TracingAlertRow, TracingCaseRow
from station.domain.tracing import AlertStatus, CaseDraft, CaseStatus
from station.services import export as ex
from station.services import pack_import as im
from station.services import tracing
from station.services.registration import register_household
from station.services.station import StationContext
from tests.factories import family_of_five
from tests.station.export import conftest as export_fixtures
from tests.station.export.conftest import OfficeKeys
from tests.station.services.test_tracing import ON, SON_CASE, correct_origin, household, the_son

# the export tests' fixtures: stations in their own homes, one office key pair
make_station = export_fixtures.make_station
office_keys = export_fixtures.office_keys


def export(st: StationContext, out: Path) -> Path:
    out.mkdir(exist_ok=True)
    return ex.export_pack(st.db, st.actor, out).path


def _cases(ctx: StationContext) -> list[tuple[str, str, int]]:
    with ctx.db.reader() as uow:
        return [(r.id, r.status, r.version) for r in uow.session.scalars(select(TracingCaseRow))]


def _open_case(st: StationContext) -> str:
    with st.db.uow() as uow:
        seeker = register_household(uow, st.actor, family_of_five())
        return tracing.open_case(uow, st.actor, CaseDraft(seeker.id, **SON_CASE), on=ON).id  # type: ignore[arg-type]


def test_cases_travel_and_merge_without_doubling(make_station, office_keys: OfficeKeys, tmp_path: Path) -> None:
    st, office = make_station("MKH", 2), make_station("OFF", 1)
    case_id = _open_case(st)
    first = export(st, tmp_path / "p1")
    with st.db.uow() as uow:
        tracing.close_case(uow, st.actor, case_id, "reunited at the camp")
    second = export(st, tmp_path / "p2")
    # the later pack first, then the earlier one, then both again
    results = im.import_packs(office.db, office.actor, [second, first, second, first], office_keys.private)
    assert [r.already_imported for r in results] == [False, False, True, True]
    assert results[0].stats.tracing_cases == 1 and results[1].stats.tracing_cases == 0  # older version ignored
    assert _cases(office) == [(case_id, CaseStatus.CLOSED.value, 2)]
    # the other order at a second office gives the same case
    office2 = make_station("OFF", 3)
    im.import_packs(office2.db, office2.actor, [first, second], office_keys.private)
    assert _cases(office2) == _cases(office)
    with office.db.reader() as uow:
        assert uow.session.scalar(select(func.count()).select_from(TracingCaseRow)) == 1


def test_imported_registration_raises_an_alert_for_a_case_here(make_station, office_keys: OfficeKeys,
                                                                tmp_path: Path) -> None:
    office, st = make_station("OFF", 1), make_station("MKH", 2)
    case_id = _open_case(office)  # the mother asked at the office
    with st.db.uow() as uow:  # her son is registered at the checkpoint
        son_hh = register_household(uow, st.actor, household(the_son()))
    (result,) = im.import_packs(office.db, office.actor, [export(st, tmp_path / "p")], office_keys.private)
    assert result.stats.households_added == 1
    with office.db.reader() as uow:
        alerts = tracing.list_alerts(uow, office.actor)
    assert [(a.case.id, a.candidate.household_id, a.source) for a in alerts] == [(case_id, son_hh.id, "import")]


def test_imported_case_raises_an_alert_for_a_person_registered_here(make_station, office_keys: OfficeKeys,
                                                                    tmp_path: Path) -> None:
    office, st = make_station("OFF", 1), make_station("MKH", 2)
    with office.db.uow() as uow:
        son_hh = register_household(uow, office.actor, household(the_son()))
    case_id = _open_case(st)
    (result,) = im.import_packs(office.db, office.actor, [export(st, tmp_path / "p")], office_keys.private)
    assert result.stats.tracing_cases == 1
    with office.db.reader() as uow:
        alerts = tracing.list_alerts(uow, office.actor)
        case = tracing.get_case(uow, office.actor, case_id)
    assert [(a.case.id, a.candidate.household_id, a.source) for a in alerts] == [(case_id, son_hh.id, "import")]
    assert case.status is CaseStatus.POSSIBLE_MATCH


def _alerts(ctx: StationContext) -> list[tuple[str, str]]:
    with ctx.db.reader() as uow:
        return [(r.individual_id, r.status) for r in uow.session.scalars(select(TracingAlertRow))]


def test_a_match_dismissed_at_the_station_does_not_come_back_at_the_office(make_station, office_keys: OfficeKeys,
                                                                          tmp_path: Path) -> None:
    st, office = make_station("MKH", 2), make_station("OFF", 1)
    case_id = _open_case(st)
    with st.db.uow() as uow:
        son_hh = register_household(uow, st.actor, household(the_son()))
    with st.db.uow() as uow:
        (alert,) = tracing.list_alerts(uow, st.actor)
        tracing.dismiss_alert(uow, st.actor, alert.id, "another Omar: the mother saw the photo")
    im.import_packs(office.db, office.actor, [export(st, tmp_path / "p")], office_keys.private)
    _dismissed_and_case_open(office, son_hh.members[0].id, case_id)


def test_a_dismissal_arriving_before_the_person_is_kept(make_station, office_keys: OfficeKeys,
                                                        tmp_path: Path) -> None:
    # the son is registered (first pack), then the pair dismissed (second pack, which names the case but not
    # his household); the office imports the second pack first: the pair must not be raised when he arrives
    st, office = make_station("MKH", 2), make_station("OFF", 1)
    case_id = _open_case(st)
    with st.db.uow() as uow:
        son_hh = register_household(uow, st.actor, household(the_son()))
    first = export(st, tmp_path / "p1")
    with st.db.uow() as uow:
        (alert,) = tracing.list_alerts(uow, st.actor)
        tracing.dismiss_alert(uow, st.actor, alert.id, "not him")
    second = export(st, tmp_path / "p2")
    (r2,) = im.import_packs(office.db, office.actor, [second], office_keys.private)
    assert r2.stats.households_added == 0 and _alerts(office) == []  # the son is not registered here yet
    im.import_packs(office.db, office.actor, [first], office_keys.private)
    assert _alerts(office) == [(son_hh.members[0].id, AlertStatus.DISMISSED.value)]
    # in the order written, another office raises the pair with the first pack, dismisses it with the second
    office2 = make_station("OFF", 3)
    im.import_packs(office2.db, office2.actor, [first], office_keys.private)
    assert _alerts(office2) == [(son_hh.members[0].id, AlertStatus.OPEN.value)]
    im.import_packs(office2.db, office2.actor, [second], office_keys.private)
    for ctx in (office, office2):
        _dismissed_and_case_open(ctx, son_hh.members[0].id, case_id)


def _dismissed_and_case_open(ctx: StationContext, individual_id: str, case_id: str) -> None:
    """The pair is held as dismissed, nothing waits for review, and the case is still open."""
    assert _alerts(ctx) == [(individual_id, AlertStatus.DISMISSED.value)]
    with ctx.db.reader() as uow:
        assert tracing.list_alerts(uow, ctx.actor) == []
        assert tracing.get_case(uow, ctx.actor, case_id).status is CaseStatus.OPEN


def test_a_dismissal_at_the_office_is_not_undone_by_a_later_pack(make_station, office_keys: OfficeKeys,
                                                                 tmp_path: Path) -> None:
    st, office = make_station("MKH", 2), make_station("OFF", 1)
    case_id = _open_case(st)
    with st.db.uow() as uow:
        son_hh = register_household(uow, st.actor, household(the_son()))
    im.import_packs(office.db, office.actor, [export(st, tmp_path / "p1")], office_keys.private)
    with office.db.uow() as uow:
        (alert,) = tracing.list_alerts(uow, office.actor)
        tracing.dismiss_alert(uow, office.actor, alert.id, "not him")
    son_id = correct_origin(st, son_hh.id)  # the station, which has not decided, corrects him: a later pack
    (result,) = im.import_packs(office.db, office.actor, [export(st, tmp_path / "p2")], office_keys.private)
    assert result.stats.households_updated == 1
    _dismissed_and_case_open(office, son_id, case_id)
