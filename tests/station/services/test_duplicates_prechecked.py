"""Members checked while the household is typed: the save reuses each result while the member, the day
and the register (this desk's saves) are unchanged and the result is young; anything else is checked again."""

from __future__ import annotations

import dataclasses
from datetime import date

from station.domain.codes import Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts, Origin
from station.services.duplicates import Prechecked, check_household_duplicates, precheck_members
from station.services.registration import register_household

ON = date(2026, 6, 1)
MOSUL = Origin("Ninewa", "Mosul", "Hammam al-Alil")
FATMA = MemberDraft(NameParts("فاطمه", "احمد", "", "الجبوري"), NameParts("Fatma", "Ahmad", "", "Jubouri"),
                    Sex.FEMALE, Relationship.HEAD, birth_date=date(1990, 5, 17))
SON = MemberDraft(NameParts("علي", "حسين", "", "الجبوري"), NameParts("Ali", "Hussein", "", "Jubouri"),
                  Sex.MALE, Relationship.SON, age_years=9)


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _found(ctx, draft: HouseholdDraft, pre: Prechecked) -> list[str]:  # type: ignore[no-untyped-def]
    with ctx.db.reader() as uow:
        return [c.household_id for md in check_household_duplicates(uow, ctx.actor, draft, on=ON, prechecked=pre)
                for c in md.candidates]


def test_a_prechecked_member_is_not_checked_again_until_cleared_or_old(ctx) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    pre = Prechecked(max_age=120, now=clock)
    draft = HouseholdDraft(members=(FATMA, SON), origin=MOSUL)
    with ctx.db.reader() as uow:
        assert precheck_members(uow, ctx.actor, draft, pre, on=ON) == 2
        assert precheck_members(uow, ctx.actor, draft, pre, on=ON) == 0  # both held
    # another desk registers Fatma meanwhile: the held result (nobody) is what the save sees...
    with ctx.db.uow() as uow:
        first = register_household(uow, ctx.actor, HouseholdDraft(members=(FATMA,), origin=MOSUL))
    assert _found(ctx, draft, pre) == []
    # ...until it is two minutes old
    clock.t += 121
    assert _found(ctx, draft, pre) == [first.id]
    # a save at this desk clears what was held: the household just saved is found at once
    pre.clear()
    assert _found(ctx, draft, pre) == [first.id]


def test_a_changed_member_is_checked_again(ctx) -> None:  # type: ignore[no-untyped-def]
    pre = Prechecked(now=FakeClock())
    with ctx.db.uow() as uow:
        first = register_household(uow, ctx.actor, HouseholdDraft(members=(FATMA,), origin=MOSUL))
    typo = dataclasses.replace(FATMA, birth_date=date(1961, 2, 3))
    assert _found(ctx, HouseholdDraft(members=(typo,), origin=MOSUL), pre) == []  # another woman: nobody
    fixed = HouseholdDraft(members=(FATMA,), origin=MOSUL)  # the clerk corrects the birth date
    with ctx.db.reader() as uow:
        assert precheck_members(uow, ctx.actor, fixed, pre, on=ON) == 1
    assert _found(ctx, fixed, pre) == [first.id]
    # the same member on another day, or in another household, is another check
    assert pre.get(Prechecked.key(FATMA, MOSUL, None, ON)) is not None
    assert pre.get(Prechecked.key(FATMA, MOSUL, None, date(2026, 6, 2))) is None
    assert pre.get(Prechecked.key(FATMA, MOSUL, "another-household", ON)) is None


def test_a_check_started_before_a_clear_is_not_kept() -> None:
    pre = Prechecked(now=FakeClock())
    key = Prechecked.key(FATMA, MOSUL, None, ON)
    started = pre.start()
    pre.clear()  # a save at this desk while the check was reading the register
    pre.put(key, (), started)
    assert pre.get(key) is None
    pre.put(key, (), pre.start())
    assert pre.get(key) == ()


def test_a_correction_checks_only_the_members_it_changed(ctx) -> None:  # type: ignore[no-untyped-def]
    with ctx.db.uow() as uow:
        first = register_household(uow, ctx.actor, HouseholdDraft(members=(FATMA,), origin=MOSUL))
        second = register_household(uow, ctx.actor, HouseholdDraft(members=(FATMA, SON), origin=MOSUL))
    saved = HouseholdDraft(members=tuple(dataclasses.replace(m, id=v.id) for m, v in zip((FATMA, SON), second.members,
                                                                                          strict=True)),
                           origin=MOSUL, id=second.id)

    def found(draft: HouseholdDraft, as_saved: HouseholdDraft | None) -> list[tuple[int, list[str]]]:
        with ctx.db.reader() as uow:
            return [(md.position, [c.household_id for c in md.candidates])
                    for md in check_household_duplicates(uow, ctx.actor, draft, on=ON, saved=as_saved)]

    assert found(saved, None) == [(1, [first.id])]  # without knowing what was saved: every member checked
    notes = dataclasses.replace(saved, notes="moved to tent 4")
    assert found(notes, saved) == []  # Fatma unchanged since her save: not asked about again
    renamed = dataclasses.replace(saved, members=(dataclasses.replace(saved.members[0], birth_date=date(1990, 5, 18)),
                                                  saved.members[1]))
    assert found(renamed, saved) == [(1, [first.id])]  # her birth date corrected: checked again
    moved = dataclasses.replace(notes, origin=Origin("Ninewa", "Mosul", "Qayyarah"))
    assert [p for p, _ in found(moved, saved)] == [1]  # the origin is part of who she is: checked again
    other = dataclasses.replace(saved, id=first.id)
    assert found(other, saved)[0][0] == 1  # a draft of another household is never taken as unchanged
