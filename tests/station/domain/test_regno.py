from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station.domain.regno import ALPHABET, RegNo, RegNoError, check_char, looks_like_regno


def test_round_trip_and_format() -> None:
    r = RegNo("MKH", 2, 123)
    text = str(r)
    assert text.startswith("MKH-02-000123-") and len(text) == 15
    assert RegNo.parse(text) == r
    assert RegNo.parse(text.lower().replace("-", "")) == r


def test_arabic_indic_digits_accepted() -> None:
    r = RegNo("MKH", 2, 123)
    arabic = str(r).translate({ord(str(i)): chr(0x0660 + i) for i in range(10)})
    assert RegNo.parse(arabic) == r


@given(st.sampled_from(["MKH", "DBG", "HSN", "QA"]), st.integers(1, 99), st.integers(1, 999_999))
def test_every_single_substitution_is_caught(site: str, station: int, seq: int) -> None:
    payload = f"{site}{station:02d}{seq:06d}"
    good = check_char(payload)
    for i, ch in enumerate(payload):
        pool = "0123456789" if ch.isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        for other in pool:
            if other != ch:
                assert check_char(payload[:i] + other + payload[i + 1 :]) != good


@given(st.integers(1, 99), st.integers(1, 999_999))
def test_adjacent_transpositions_are_caught(station: int, seq: int) -> None:
    payload = f"MKH{station:02d}{seq:06d}"
    good = check_char(payload)
    for i in range(len(payload) - 1):
        a, b = payload[i], payload[i + 1]
        if a != b:
            swapped = payload[:i] + b + a + payload[i + 2 :]
            assert check_char(swapped) != good


def test_wrong_check_character_is_refused() -> None:
    text = str(RegNo("MKH", 2, 123))
    wrong = next(c for c in ALPHABET if c != text[-1])
    with pytest.raises(RegNoError) as err:
        RegNo.parse(text[:-1] + wrong)
    assert err.value.code == "regno.check"


@pytest.mark.parametrize("bad", ["", "MKH", "MKH-2-123-K", "M-02-000123-K", "MKH-02-0001234-K", "١٢٣"])
def test_malformed_is_format_error(bad: str) -> None:
    with pytest.raises(RegNoError) as err:
        RegNo.parse(bad)
    assert err.value.code == "regno.format"
    assert not looks_like_regno(bad)


def test_check_chars_are_spread() -> None:
    chars = {check_char(f"MKH02{n:06d}") for n in itertools.islice(range(1, 10_000), 5000)}
    assert len(chars) == 36
