"""MRZ parsing: specimens, round trips, dates, names, and malformed input never accepted."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station.scanning.mrz.compose import Identity, td1
from station.scanning.mrz.parse import MrzFormatError, parse_lines, resolve_date, split_names
from tests.station.scanning.mrz_strategies import TODAY, identities, layouts

SPEC_TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
SPEC_TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
SPEC_TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
SPEC_MRVA = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<")
SPEC_MRVB = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<")


def test_icao_specimens() -> None:
    td3 = parse_lines(SPEC_TD3, today=TODAY)
    assert td3.format == "TD3" and td3.valid
    assert td3.fields["surname"] == "ERIKSSON" and td3.fields["given_names"] == "ANNA MARIA"
    assert td3.fields["document_number"] == "L898902C3" and td3.fields["optional_data"] == "ZE184226B"
    assert td3.fields["birth_date"] == "1974-08-12" and td3.fields["expiry_date"] == "2012-04-15"
    assert td3.fields["sex"] == "F" and td3.fields["nationality"] == "UTO"
    td1_ = parse_lines(SPEC_TD1, today=TODAY)
    assert td1_.format == "TD1" and td1_.valid and td1_.fields["document_number"] == "D23145890"
    td2 = parse_lines(SPEC_TD2, today=TODAY)
    assert td2.format == "TD2" and td2.valid
    for spec, fmt in ((SPEC_MRVA, "MRVA"), (SPEC_MRVB, "MRVB")):
        r = parse_lines(spec, today=TODAY)
        assert r.format == fmt and r.valid and r.fields["document_number"] == "L8988901C"
        assert r.fields["birth_date"] == "1940-09-07" and r.fields["expiry_date"] == "1996-12-10"


def test_td1_long_document_number() -> None:
    p = Identity("HASSAN", "ALI", "AB1234567890", "IRQ", date(1990, 1, 2), "M", date(2030, 1, 1), optional_data="77")
    r = parse_lines(td1(p), today=TODAY)
    assert r.valid and r.fields["document_number"] == "AB1234567890" and r.fields["optional_data"] == "77"


def test_dates_two_digit_years() -> None:
    assert resolve_date("250101", birth=True, today=TODAY) == date(2025, 1, 1)
    assert resolve_date("261201", birth=True, today=TODAY) == date(1926, 12, 1)  # not yet come: last century
    assert resolve_date("350101", birth=False, today=TODAY) == date(2035, 1, 1)
    assert resolve_date("990101", birth=False, today=TODAY) == date(1999, 1, 1)
    assert resolve_date("851302", birth=True, today=TODAY) is None


def test_names() -> None:
    assert split_names("AL<JUBOURI<<AHMED<KHALIL<<<<") == ("AL JUBOURI", "AHMED KHALIL", False)
    assert split_names("MOHAMMED<<<<<<") == ("MOHAMMED", "", False)
    _surname, given_, truncated = split_names("ABDULRAHMAN<<MUHAMMADALI<HUSSEIN<ALQ")
    assert truncated and given_ == "MUHAMMADALI HUSSEIN ALQ"


def test_invalid_date_is_failed_even_with_right_check_digit() -> None:
    from station.scanning.mrz.checkdigits import check_digit

    l1, l2 = SPEC_TD3
    bad = "741312"
    l2b = l2[:13] + bad + check_digit(bad) + l2[20:43]
    l2b += check_digit(l2b[0:10] + l2b[13:20] + l2b[21:43])
    r = parse_lines((l1, l2b), today=TODAY)
    assert not r.valid and r.field_checks["birth_date"] == "failed"


@pytest.mark.parametrize(
    "lines",
    [(), ("ABC",), (SPEC_TD3[0], SPEC_TD3[1][:-1]), (SPEC_TD3[0][:30],) * 2, ("x" * 30,) * 4, (SPEC_TD1[0],) * 2],
)
def test_wrong_layout_raises(lines: tuple[str, ...]) -> None:
    with pytest.raises(MrzFormatError):
        parse_lines(lines, today=TODAY)


@settings(max_examples=150, deadline=None)
@given(identities, layouts)
def test_round_trip(person: Identity, compose) -> None:
    r = parse_lines(compose(person), today=TODAY)
    assert r.valid, r.problems
    assert not r.repairs
    f = r.fields
    assert f["surname"] == " ".join(person.surname.split())
    assert f["document_number"] == person.document_number
    assert f["birth_date"] == person.birth_date.isoformat()
    assert f["expiry_date"] == person.expiry_date.isoformat()
    assert f["sex"] == person.sex and f["nationality"] == person.nationality


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=50), min_size=0, max_size=4))
def test_garbage_never_crashes_never_valid(lines: list[str]) -> None:
    try:
        r = parse_lines(lines, today=TODAY)
    except MrzFormatError:
        return
    # Random text is never a valid MRZ: its check digits do not agree (and a valid one would need them all).
    assert not r.valid, lines


@settings(max_examples=200, deadline=None)
@given(identities, layouts, st.data())
def test_foreign_characters_fail(person: Identity, compose, data: st.DataObject) -> None:
    lines = list(compose(person))
    li = data.draw(st.integers(0, len(lines) - 1))
    pos = data.draw(st.integers(0, len(lines[li]) - 1))
    ch = data.draw(st.sampled_from("abc?#$%éÄ-/.ا١"))
    lines[li] = lines[li][:pos] + ch + lines[li][pos + 1 :]
    try:
        r = parse_lines(lines, today=TODAY)
    except MrzFormatError:
        return
    # Lower-case letters are upper-cased; anything else must leave the record invalid.
    if ch.upper() not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        assert not r.valid
