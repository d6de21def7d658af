"""Duplicates at save: the same document first, then name + birth date + sex + origin; the clerk's answer
("not the same person", or linked) is remembered and audited."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from station.db.rows import AuditEventRow
from station.domain.codes import DocumentType, Relationship, Sex
from station.domain.model import Document, HouseholdDraft, MemberDraft, NameParts, Origin
from station.errors import StationError
from station.services.duplicates import (
    check_household_duplicates,
    check_member_duplicates,
    linked_records,
    record_duplicate_decision,
)
from station.services.registration import get_household, register_household
from tests.factories import family_of_five

ON = date(2026, 6, 1)
MOSUL = Origin("Ninewa", "Mosul", "Hammam al-Alil")


def newcomer(**kw: object) -> MemberDraft:
    base = MemberDraft(NameParts("فاطمه", "احمد", "", "الجبوري"), NameParts("Fatma", "Ahmad", "", "Jubouri"),
                       Sex.FEMALE, Relationship.HEAD, birth_date=date(1990, 5, 17))
    return dataclasses.replace(base, **kw)


def test_same_document_comes_first_whatever_the_name(ctx) -> None:
    with ctx.db.uow() as uow:
        first = register_household(uow, ctx.actor, family_of_five())
    other_name = newcomer(name_ar=NameParts("سلمى", "خالد", "", "العاني"),
                          name_lat=NameParts("Salma", "Khalid", "", "Al-Ani"), birth_date=date(1970, 1, 1),
                          documents=(Document(DocumentType.UNIFIED_ID, " 199012345678 "),))
    with ctx.db.reader() as uow:
        found = check_member_duplicates(uow, ctx.actor, other_name, Origin(), on=ON)
    assert [(c.household_id, c.score, c.reasons) for c in found] == [(first.id, 100, (("same_document", 0),))]
    assert found[0].individual_id == first.members[0].id


def test_name_birth_sex_origin_across_scripts_and_spellings(ctx) -> None:
    with ctx.db.uow() as uow:
        first = register_household(uow, ctx.actor, family_of_five())
    latin_only = newcomer(name_ar=NameParts())
    with ctx.db.reader() as uow:
        found = check_member_duplicates(uow, ctx.actor, latin_only, MOSUL, on=ON)
        not_her = check_member_duplicates(uow, ctx.actor, newcomer(birth_date=date(1961, 2, 3)), MOSUL, on=ON)
        brother = check_member_duplicates(uow, ctx.actor, newcomer(
            name_lat=NameParts("Omar", "Ahmad", "", "Jubouri"), name_ar=NameParts(), sex=Sex.MALE), MOSUL, on=ON)
    assert found and found[0].individual_id == first.members[0].id
    codes = {c for c, _ in found[0].reasons}
    assert {"birth_date_same", "sex_same", "origin_same"} <= codes and found[0].score >= 80
    assert not_her == [] and brother == []


def test_own_household_is_left_out_and_decisions_are_remembered(ctx) -> None:
    with ctx.db.uow() as uow:
        first = register_household(uow, ctx.actor, family_of_five())
    with ctx.db.reader() as uow:  # correcting the household itself finds nobody but itself: nothing
        view = get_household(uow, ctx.actor, first.id)
        draft = HouseholdDraft(members=(newcomer(id=view.members[0].id),), origin=MOSUL, id=first.id)
        assert check_household_duplicates(uow, ctx.actor, draft, on=ON) == []
    with ctx.db.uow() as uow:  # the clerk saves the newcomer anyway: "not the same person"
        second = register_household(uow, ctx.actor, HouseholdDraft(members=(newcomer(),), origin=MOSUL))
        record_duplicate_decision(uow, ctx.actor, second.members[0].id, first.members[0].id, "different",
                                  "different mother's name, checked with her")
    saved = dataclasses.replace(newcomer(), id=second.members[0].id)
    with ctx.db.reader() as uow:
        again = check_member_duplicates(uow, ctx.actor, saved, MOSUL, household_id=second.id, on=ON)
        fresh = check_member_duplicates(uow, ctx.actor, newcomer(), MOSUL, on=ON)
        ev = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "duplicate.not_same")).one()
    assert again == []
    assert {c.household_id for c in fresh} == {first.id, second.id}  # a third registration still sees both
    assert ev.details["reason"] == "different mother's name, checked with her" and ev.entity_id == saved.id


def test_linking_and_reasons(ctx) -> None:
    with ctx.db.uow() as uow:
        first = register_household(uow, ctx.actor, family_of_five())
        same_doc = newcomer(documents=(Document(DocumentType.UNIFIED_ID, "199012345678"),))
        second = register_household(uow, ctx.actor, HouseholdDraft(members=(same_doc,), origin=MOSUL))
    a, b = second.members[0].id, first.members[0].id
    with pytest.raises(StationError) as err, ctx.db.uow() as uow:  # same document: a reason is needed
        record_duplicate_decision(uow, ctx.actor, a, b, "different", "  ")
    assert err.value.code == "error.reason_required"
    with pytest.raises(StationError), ctx.db.uow() as uow:
        record_duplicate_decision(uow, ctx.actor, a, b, "maybe")
    with ctx.db.uow() as uow:
        record_duplicate_decision(uow, ctx.actor, a, b, "same")
    with ctx.db.reader() as uow:
        assert linked_records(uow, ctx.actor, b) == [a]
        ev = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "duplicate.link")).one()
    assert ev.details["same_document"] is True and ev.details["other_household"] == first.registration_number


def test_keys_follow_corrections_and_are_rebuilt_after_an_upgrade(ctx) -> None:
    from sqlalchemy import delete

    from station.db.rows import MetaRow, PersonKeyRow
    from station.services import matching
    from station.services.registration import correct_household

    with ctx.db.uow() as uow:
        first = register_household(uow, ctx.actor, HouseholdDraft(members=(newcomer(),), origin=MOSUL))
    renamed = newcomer(name_ar=NameParts("سلمى", "خالد", "", "العاني"),
                       name_lat=NameParts("Salma", "Khalid", "", "Al-Ani"), id=first.members[0].id)
    with ctx.db.uow() as uow:  # corrected: the old name no longer finds her, the new one does
        correct_household(uow, ctx.actor, HouseholdDraft(members=(renamed,), origin=MOSUL, id=first.id))
    with ctx.db.reader() as uow:
        assert check_member_duplicates(uow, ctx.actor, newcomer(), MOSUL, on=ON) == []
        assert check_member_duplicates(uow, ctx.actor, dataclasses.replace(renamed, id=None), MOSUL, on=ON)
    # a database upgraded from 0003 has people but no keys: the start-up rebuild makes them
    with ctx.db.uow() as uow:
        uow.session.execute(delete(PersonKeyRow))
        uow.session.execute(delete(MetaRow).where(MetaRow.key == matching.VERSION_KEY))
    with ctx.db.reader() as uow:
        assert check_member_duplicates(uow, ctx.actor, dataclasses.replace(renamed, id=None), MOSUL, on=ON) == []
    assert matching.ensure_current(ctx.db) == 1 and matching.ensure_current(ctx.db) == 0
    with ctx.db.reader() as uow:
        assert check_member_duplicates(uow, ctx.actor, dataclasses.replace(renamed, id=None), MOSUL, on=ON)
