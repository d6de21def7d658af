"""ICAO 9303 check digits: weights 7-3-1 over digit, letter (A=10..Z=35) and filler (<=0) values."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
_WEIGHTS = (7, 3, 1)


def char_value(ch: str) -> int:
    """The value ICAO gives one MRZ character; ValueError for anything outside the alphabet."""
    if len(ch) != 1:
        raise ValueError("one character expected")
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    if ch == "<":
        return 0
    raise ValueError("character outside the MRZ alphabet")


_VALUES = {ch: char_value(ch) for ch in ALPHABET}


def check_digit(data: str) -> str:
    """The check digit (as a character) over `data`; ValueError if `data` holds a foreign character."""
    total = 0
    try:
        for i, ch in enumerate(data):
            total += _VALUES[ch] * _WEIGHTS[i % 3]
    except KeyError:
        raise ValueError("character outside the MRZ alphabet") from None
    return str(total % 10)


def is_valid(data: str, digit: str) -> bool:
    try:
        return check_digit(data) == digit
    except ValueError:
        return False
