"""Several names typed: the person who carries the very names, from the given name on, comes first however old.

The desk shows the first 50 households (search.DEFAULT_LIMIT); a name shared by hundreds must not push the
wanted household off that page because newer households carry the same words in another order or a longer
name the last word begins (issue 18: tests/perf/test_search_ranking.py measures it at 200,000 people)."""

from __future__ import annotations

from station.domain.codes import Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts, Origin
from station.services.registration import register_household
from station.services.search import search


def _household(ctx, lat: tuple[str, ...], ar: tuple[str, ...] = ("", "", "", "")) -> str:
    draft = HouseholdDraft(members=(MemberDraft(NameParts(*ar), NameParts(*lat), Sex.MALE, Relationship.HEAD,
                                                age_years=30),), origin=Origin("Ninewa", "Mosul", ""))
    with ctx.db.uow() as uow:
        return register_household(uow, ctx.actor, draft).registration_number


def _found(ctx, text: str, limit: int) -> list[str]:
    with ctx.db.reader() as uow:
        return [h.registration_number for h in search(uow, ctx.actor, text, limit=limit)]


def test_the_first_word_as_the_given_name_comes_before_newer_households_with_the_words_elsewhere(ctx) -> None:
    wanted = _household(ctx, ("Omar", "Ali", "Hassan", "Al-Rawi"))
    newer = [_household(ctx, (given, "Ali", "Omar", "Al-Jubouri")) for given in ("Nabil", "Zaid", "Saad", "Walid")]
    newer += [_household(ctx, ("Ali", "Omar", "Jasim", "Al-Lami")) for _ in range(3)]
    # newest first among the households where one person carries both names in another order ...
    assert _found(ctx, "Ali Omar", 3)[0] in newer
    # ... but typed from the given name on, the person named so comes first
    assert _found(ctx, "Omar Ali", 3)[0] == wanted
    assert set(_found(ctx, "Omar Ali", 20)) == {wanted, *newer}  # the others still follow


def test_a_whole_name_comes_before_the_longer_names_it_begins(ctx) -> None:
    wanted = _household(ctx, ("Omar", "Hamid", "", "Al-Rawi"))
    newer = [_household(ctx, ("Omar", longer, "", "Al-Rawi")) for longer in ("Hamidan", "Hamidullah", "Hamidov")]
    assert _found(ctx, "Omar Hamid", 2)[0] == wanted
    assert set(_found(ctx, "Omar Hamid", 20)) == {wanted, *newer}  # the longer names still follow
    assert _found(ctx, "Omar Hami", 2)[0] == newer[-1]  # still being typed: the newest first, as before


def test_osman_othman_and_the_arabic_and_sorani_spellings_are_one_name(ctx) -> None:
    arabic = _household(ctx, ("", "", "", ""), ("عثمان", "حامد", "", "الراوي"))
    sorani = _household(ctx, ("", "", "", ""), ("عوسمان", "حامد", "", "الراوي"))
    latin = _household(ctx, ("Uthman", "Hamed", "", "Al-Rawi"))
    other = _household(ctx, ("Usama", "Hamed", "", "Al-Rawi"))
    for typed in ("Osman Hamid", "Othman Hamid", "عثمان حامد"):
        found = _found(ctx, typed, 20)
        assert {arabic, sorani, latin} <= set(found), typed
        assert other not in found, typed


def test_dh_and_z_spellings_of_one_name_meet(ctx) -> None:
    nadhim = _household(ctx, ("Nadhim", "Fadhil", "", ""))
    arabic = _household(ctx, ("", "", "", ""), ("ناظم", "فاضل", "", ""))
    for typed in ("Nazim Fazil", "Nadhim Fadhil", "ناظم فاضل"):
        assert {nadhim, arabic} <= set(_found(ctx, typed, 20)), typed
