"""The audit trail keeps who, what, when and which record, but no copy of the person's record (issue 15)."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import select

from station.db.rows import AuditEventRow
from station.services import audit
from station.services.registration import correct_household, get_household, register_household
from tests.station.export import conftest as export_fixtures
from tests.station.printing.print_helpers import add_household
from tests.station.services.test_registration import _draft_for

make_station = export_fixtures.make_station  # stations in their own homes, one office key pair
office_keys = export_fixtures.office_keys


def test_no_names_documents_or_needs_in_the_trail(sqlite_ctx) -> None:
    saved = add_household(sqlite_ctx, with_photo=False)
    with sqlite_ctx.db.reader() as uow:
        view = get_household(uow, sqlite_ctx.actor, saved.id)
    draft = _draft_for(view)
    m0 = draft.members[0]
    draft = replace(draft, members=(replace(m0, name_lat=replace(m0.name_lat, given="Fatimah")), *draft.members[1:]))
    with sqlite_ctx.db.uow() as uow:
        correct_household(uow, sqlite_ctx.actor, draft)
    with sqlite_ctx.db.reader() as uow:
        events = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.entity_id == saved.id)).all()
        assert {e.action for e in events} >= {"household.create", "household.update"}
        trail = json.dumps([e.details for e in events], ensure_ascii=False)
        for personal in ("Fatima", "Jubouri", "فاطمة", "ئاوێزان", "Awezan", "1985-03-01"):
            assert personal not in trail, personal
        update = next(e for e in events if e.action == "household.update")
        assert update.details["registration_number"] == saved.registration_number  # which record
        assert update.details["changes"]["members"] == {saved.members[0].id: ["name_lat"]}  # what
        assert update.actor == "admin" and update.at is not None  # who, when
        assert all(r.ok for r in audit.verify_all(uow))


def test_tracing_events_keep_no_copy_of_the_sought_person(sqlite_ctx) -> None:
    from station.domain.tracing import CaseDraft
    from station.services import tracing
    from tests.factories import family_of_five
    from tests.station.services.test_tracing import ON, SON_CASE

    with sqlite_ctx.db.uow() as uow:
        seeker = register_household(uow, sqlite_ctx.actor, family_of_five())
        case = tracing.open_case(uow, sqlite_ctx.actor, CaseDraft(seeker.id, seeker_individual_id=seeker.members[0].id,
                                                                  **SON_CASE), on=ON)  # type: ignore[arg-type]
    with sqlite_ctx.db.uow() as uow:
        tracing.close_case(uow, sqlite_ctx.actor, case.id, "reunited at the camp")
    with sqlite_ctx.db.reader() as uow:
        events = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.entity_id == case.id)
                                     .order_by(AuditEventRow.seq)).all()
        assert [e.action for e in events] == ["tracing.open", "tracing.close"]
        trail = json.dumps([e.details for e in events], ensure_ascii=False)
        for personal in ("Omar", "Khalid", "Obaidi", "عمر", "العبيدي", "Mosul", "Erbil", "reunited",
                         str(case.birth_date)):
            assert personal not in trail, personal
        opened, closed = (e.details["case_ref"] for e in events)
        assert {"given_lat", "origin", "birth_date"} <= set(opened["fields"])  # what was recorded
        assert {"status", "closed_reason", "version"} <= set(closed["fields"]) and "given_lat" not in closed["fields"]
        assert (closed["status"], closed["version"]) == ("closed", 2) and len(closed["digest"]) == 64
        assert all(e.actor == "admin" and e.at is not None for e in events)  # who, when
        assert all(r.ok for r in audit.verify_all(uow))



def test_a_case_still_travels_to_the_office_without_names_in_either_trail(make_station, office_keys,
                                                                         tmp_path) -> None:
    from station.db.rows import TracingCaseRow
    from station.services import pack_import
    from tests.station.services.test_tracing_packs import _open_case, export

    st, office = make_station("MKH", 2), make_station("OFF", 1)
    case_id = _open_case(st)
    pack = export(st, tmp_path / "p")
    (result,) = pack_import.import_packs(office.db, office.actor, [pack], office_keys.private)
    assert result.stats.tracing_cases == 1
    with office.db.reader() as uow:
        row = uow.session.get(TracingCaseRow, case_id)
        assert row is not None and row.given_lat == "Omar" and row.origin == "Mosul, Ninewa"
        details = uow.session.scalars(select(AuditEventRow.details).where(AuditEventRow.entity_id == case_id)).all()
        assert details and "Omar" not in json.dumps(details) and "Mosul" not in json.dumps(details)
