"""ICAO 9303 check digits against the specimens printed in the standard."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station.scanning.mrz.checkdigits import ALPHABET, char_value, check_digit, is_valid


@pytest.mark.parametrize(
    ("data", "digit"),
    [("L898902C3", "6"), ("740812", "2"), ("120415", "9"), ("ZE184226B<<<<<", "1"), ("D23145890", "7"),
     ("L898902C36740812212041 59ZE184226B<<<<<1".replace(" ", "")[:0] or "520727", "3")],
)
def test_specimens(data: str, digit: str) -> None:
    assert check_digit(data) == digit


def test_values() -> None:
    assert [char_value(c) for c in "09AZ<"] == [0, 9, 10, 35, 0]
    with pytest.raises(ValueError):
        char_value("a")
    assert not is_valid("AB?", "1")


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=40), st.integers(0, 39), st.sampled_from("0123456789"))
def test_single_digit_change_is_caught(data: str, idx: int, new: str) -> None:
    """Changing one digit to another always changes the check digit (weights 7, 3, 1 are prime to 10)."""
    idx %= len(data)
    if not data[idx].isdigit() or data[idx] == new:
        return
    changed = data[:idx] + new + data[idx + 1 :]
    assert check_digit(changed) != check_digit(data)
