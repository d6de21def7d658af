from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from station.domain.codes import Relationship
from station.domain.model import HouseholdDraft, NameParts
from station.domain.text import clean_name, normalize_digits, search_key, search_tokens
from station.domain.validation import parse_date, validate_household
from tests.factories import family_of_five, member

TODAY = date(2026, 11, 25)


def test_digits_from_every_script() -> None:
    assert normalize_digits("٢٠٢٦-١١-٢٥") == "2026-11-25"
    assert normalize_digits("۱۲۳۴") == "1234"


def test_search_key_folds_spelling_variants() -> None:
    assert search_key("أحمد") == search_key("احمد") == search_key("إحمد")
    assert search_key("فاطمة") == search_key("فاطمه")
    assert search_key("Al-JUBOURI") == search_key("al Jubouri") == "aljubouri"
    assert search_tokens("Al-Jubouri") == {"aljubouri", "jubouri"}
    assert search_tokens("الجبوري") == {"الجبوري", "جبوري"}
    assert search_tokens("Ali Alan") == {"ali", "alan"}  # short words keep their first letters
    assert search_key("Müller") == "muller"
    assert search_key("هەڵۆ") == search_key("هەلۆ")
    assert search_tokens("  ئازاد  ", None, "Azad") == {search_key("ئازاد"), "azad"}


def test_clean_name_collapses_spaces() -> None:
    assert clean_name("  عبد   الله ") == "عبد الله"


@pytest.mark.parametrize("text,expected", [
    ("25/11/1990", date(1990, 11, 25)), ("1990-11-25", date(1990, 11, 25)), ("٢٥/١١/١٩٩٠", date(1990, 11, 25)),
    ("5.3.2001", date(2001, 3, 5)),
])
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["30/02/2000", "31/04/1999", "00/01/2000", "1990", "hello", "12/13/2000"])
def test_impossible_dates(text: str) -> None:
    with pytest.raises(ValueError, match=r"error\.date_invalid"):
        parse_date(text)


def codes(draft: HouseholdDraft) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in validate_household(draft, TODAY)}


def test_good_family_is_valid() -> None:
    assert codes(family_of_five(TODAY)) == set()


def test_age_over_120_and_future_birth() -> None:
    old = member(birth=None, age=121)
    future = member("زينب", "Zainab", rel=Relationship.DAUGHTER, birth=TODAY + timedelta(days=1))
    ancient = member("مريم", "Maryam", rel=Relationship.DAUGHTER, birth=date(1890, 1, 1))
    got = codes(HouseholdDraft(members=(old, future, ancient)))
    assert ("members[0].age", "error.age_too_high") in got
    assert ("members[1].birth_date", "error.date_future") in got
    assert ("members[2].birth_date", "error.age_too_high") in got


def test_empty_names_and_missing_age() -> None:
    nameless = replace(member(birth=None), name_ar=NameParts(), name_lat=NameParts())
    got = codes(HouseholdDraft(members=(nameless,)))
    assert ("members[0].given", "error.name_required") in got
    assert ("members[0].birth_date", "error.birth_or_age_required") in got


def test_exactly_one_head() -> None:
    two_heads = HouseholdDraft(members=(member(), member("زينب", "Zainab")))
    no_head = HouseholdDraft(members=(member(rel=Relationship.SPOUSE),))
    assert ("members", "error.one_head_required") in codes(two_heads)
    assert ("members", "error.one_head_required") in codes(no_head)
    assert ("members", "error.no_members") in codes(HouseholdDraft(members=()))


def test_arrival_in_future_rejected() -> None:
    draft = replace(family_of_five(TODAY), arrived_at=datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    assert ("arrived_at", "error.date_future") in codes(draft)
