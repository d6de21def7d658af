"""Registration numbers SITE-STATION-SEQUENCE-CHECK (e.g. MKH-02-000123-K).

The check character is Luhn mod 36 over the site letters, station and sequence digits: it catches every
single wrong character and every swap of two neighbouring digits or letters (its one blind spot, swapping
the values 0 and Z, cannot occur inside a well-formed number), so a mistyped number is refused on entry
instead of opening somebody else's file. (ISO 7064 MOD 37,36 was tried first and misses some swaps.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from station.domain.text import normalize_digits

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MOD = 36
_PATTERN = re.compile(r"^([A-Z]{2,5})-?(\d{2})-?(\d{6})-?([0-9A-Z])$")
SITE_PATTERN = re.compile(r"^[A-Z]{2,5}$")


class RegNoError(ValueError):
    """Carries an error code: `regno.format` or `regno.check`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_char(payload: str) -> str:
    """Luhn mod 36 check character for `payload` (characters 0-9, A-Z)."""
    factor, total = 2, 0
    for ch in reversed(payload):
        addend = factor * ALPHABET.index(ch)
        factor = 1 if factor == 2 else 2
        total += addend // _MOD + addend % _MOD
    return ALPHABET[(_MOD - total % _MOD) % _MOD]


@dataclass(frozen=True, order=True)
class RegNo:
    site: str
    station: int
    sequence: int

    def __post_init__(self) -> None:
        if not SITE_PATTERN.match(self.site) or not 0 < self.station < 100 or not 0 < self.sequence < 10**6:
            raise RegNoError("regno.format")

    @property
    def check(self) -> str:
        return check_char(f"{self.site}{self.station:02d}{self.sequence:06d}")

    def __str__(self) -> str:
        return f"{self.site}-{self.station:02d}-{self.sequence:06d}-{self.check}"

    @classmethod
    def parse(cls, text: str) -> RegNo:
        """Parse what a clerk typed or a scanner sent; raises RegNoError('regno.format'|'regno.check')."""
        cleaned = normalize_digits(text).strip().upper().replace(" ", "")
        m = _PATTERN.match(cleaned)
        if not m:
            raise RegNoError("regno.format")
        number = cls(m.group(1), int(m.group(2)), int(m.group(3)))
        if number.check != m.group(4):
            raise RegNoError("regno.check")
        return number


def looks_like_regno(text: str) -> bool:
    return bool(_PATTERN.match(normalize_digits(text).strip().upper().replace(" ", "")))
