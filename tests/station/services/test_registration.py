"""Registration service on a real encrypted SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from station import clock
from station.domain.codes import HouseholdStatus, Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts, Origin
from station.domain.regno import RegNo
from station.domain.validation import ValidationFailed
from station.errors import ConflictError, NotFound, StationError
from station.services import audit
from station.services.register_rows import day_register
from station.services.registration import correct_household, find_by_regno, get_household, register_household
from station.services.search import search
from tests.factories import family_of_five, member


def _draft_for(view: object) -> HouseholdDraft:
    v = view
    return HouseholdDraft(
        id=v.id, expected_version=v.version, origin=v.origin, arrival_point=v.arrival_point,  # type: ignore[attr-defined]
        notes=v.notes, arrived_at=v.arrived_at,  # type: ignore[attr-defined]
        members=tuple(
            MemberDraft(id=m.id, name_ar=m.name_ar, name_lat=m.name_lat, sex=m.sex, relationship=m.relationship,
                        birth_date=m.birth_date, nationality=m.nationality, marital_status=m.marital_status,
                        documents=m.documents, needs=m.needs)
            for m in v.members  # type: ignore[attr-defined]
        ),
    )


def test_register_and_read_back(ctx) -> None:
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, family_of_five())
    regno = RegNo.parse(saved.registration_number)
    assert (regno.site, regno.station, regno.sequence) == ("MKH", 2, 1)
    with ctx.db.reader() as uow:
        again = find_by_regno(uow, ctx.actor, saved.registration_number)
    assert again.size == 5
    assert again.head is not None and again.head.name_ar.given == "فاطمة"
    assert again.members[0].documents[0].number == "199012345678"
    assert again.members[0].needs[0].note == "searching for injured son"
    yousef = again.members[2]
    assert yousef.birth_date_estimated and yousef.age_on(clock.local_today(zone=clock.system_zone())) == 9
    baby = family_of_five().members[4].birth_date
    assert again.members[4].birth_date == baby and not again.members[4].birth_date_estimated
    assert [m.position for m in again.members] == [1, 2, 3, 4, 5]


def test_sequence_increments(ctx) -> None:
    with ctx.db.uow() as uow:
        a = register_household(uow, ctx.actor, family_of_five())
        b = register_household(uow, ctx.actor, family_of_five())
    assert RegNo.parse(b.registration_number).sequence == RegNo.parse(a.registration_number).sequence + 1


def test_search_by_name_parts_either_script_origin_and_number(ctx) -> None:
    other = HouseholdDraft(members=(member("ئازاد", "Azad", family_ar="بارزانی", family_lat="Barzani",
                                           sex=Sex.MALE),), origin=Origin("Kirkuk", "Hawija", "Riyadh"))
    with ctx.db.uow() as uow:
        fam = register_household(uow, ctx.actor, family_of_five())
        kurd = register_household(uow, ctx.actor, other)
    with ctx.db.reader() as uow:
        def ids(q: str) -> set[str]:
            return {s.registration_number for s in search(uow, ctx.actor, q)}

        assert ids("زينب") == {fam.registration_number}
        assert ids("زينب الجبوري") == {fam.registration_number}
        assert ids("zain") == {fam.registration_number}
        assert ids("فاطمه") == {fam.registration_number}  # taa marbuta folded
        assert ids("ئازاد") == {kurd.registration_number}
        assert ids("barz") == {kurd.registration_number}
        assert ids("hawija") == {kurd.registration_number}
        assert ids("mosul") == {fam.registration_number}
        assert ids("Ahmed") == {fam.registration_number, kurd.registration_number}
        assert ids(fam.registration_number) == {fam.registration_number}
        assert ids("000002") == {kurd.registration_number}
        assert ids("199012345678") == {fam.registration_number}
        assert ids("nobody") == set()
        today = day_register(uow, ctx.actor, clock.local_today(zone=clock.system_zone()))
    assert [s.registration_number for s in today] == [kurd.registration_number, fam.registration_number]
    assert today[1].size == 5 and today[1].head_name_lat.startswith("Fatima")


def test_wrong_check_character_is_refused_not_guessed(ctx) -> None:
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, family_of_five())
    wrong = saved.registration_number[:-1] + ("A" if saved.registration_number[-1] != "A" else "B")
    with ctx.db.reader() as uow, pytest.raises(StationError) as err:
        find_by_regno(uow, ctx.actor, wrong)
    assert err.value.code == "error.regno.check"
    assert "mistyped" in err.value.message()


def test_correction_is_audited_with_old_and_new(ctx) -> None:
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, family_of_five())
    draft = _draft_for(saved)
    m0 = draft.members[0]
    fixed = replace(m0, name_lat=replace(m0.name_lat, given="Fatimah"))
    draft = replace(draft, members=(fixed, *draft.members[1:]))
    with ctx.db.uow() as uow:
        corrected = correct_household(uow, ctx.actor, draft)
    assert corrected.version == 2 and corrected.members[0].name_lat.given == "Fatimah"
    assert corrected.members[0].id == saved.members[0].id  # same person, not a new row
    with ctx.db.reader() as uow:
        from sqlalchemy import select

        from station.db.rows import AuditEventRow

        ev = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "household.update")).one()
        change = ev.details["changes"]["members"][saved.members[0].id]
        assert change == ["name_lat"]  # which field changed, never the names themselves (issue 15)
        assert ev.actor == "admin"
        assert all(r.ok for r in audit.verify_all(uow))
    # a stale form cannot overwrite the newer version
    with ctx.db.uow() as uow, pytest.raises(ConflictError):
        correct_household(uow, ctx.actor, draft)


def test_invalid_draft_saves_nothing(ctx) -> None:
    bad = HouseholdDraft(members=(member(birth=None, age=130),))
    with ctx.db.uow() as uow, pytest.raises(ValidationFailed) as err:
        register_household(uow, ctx.actor, bad)
    assert err.value.problems[0].code == "error.age_too_high"
    with ctx.db.reader() as uow:
        assert day_register(uow, ctx.actor, clock.local_today(zone=clock.system_zone())) == []


def test_rollback_on_failure_keeps_counter(ctx) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), ctx.db.uow() as uow:
        register_household(uow, ctx.actor, family_of_five())
        raise Boom
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, family_of_five())
    assert RegNo.parse(saved.registration_number).sequence == 1


def test_unknown_household(ctx) -> None:
    with ctx.db.reader() as uow, pytest.raises(NotFound):
        get_household(uow, ctx.actor, "00000000-0000-0000-0000-000000000000")


def test_member_names_cleaned_and_head_summary(ctx) -> None:
    draft = HouseholdDraft(members=(
        MemberDraft(name_ar=NameParts("  عبد   الله ", "", "", ""), name_lat=NameParts("Abdullah"),
                    sex=Sex.MALE, relationship=Relationship.HEAD, age_years=40),
    ), arrived_at=datetime.now(clock.system_zone()).replace(hour=0, minute=5))
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, draft)
    assert saved.members[0].name_ar.given == "عبد الله"
    assert saved.status is HouseholdStatus.ACTIVE


def test_head_portrait_for_the_register(ctx) -> None:
    import cv2
    import numpy as np

    from station.services.photos import head_portrait, save_portrait

    ok, buf = cv2.imencode(".jpg", np.full((80, 60, 3), 128, np.uint8))
    assert ok
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, family_of_five())
        assert head_portrait(uow, ctx.actor, saved.id) is None
        save_portrait(uow, ctx.actor, saved.members[1].id, bytes(buf))  # a daughter's photo is not the head's
        assert head_portrait(uow, ctx.actor, saved.id) is None
        save_portrait(uow, ctx.actor, saved.members[0].id, bytes(buf))
        assert head_portrait(uow, ctx.actor, saved.id) == bytes(buf)
