"""The five MRZ layouts of ICAO 9303 (TD1, TD2, TD3, MRV-A, MRV-B) as data: fields, classes, check digits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a field may hold: decides which confusions repair may undo there."""

    CODE = "code"  # document code: letters and fillers
    ALPHA = "alpha"  # country codes, names: letters and fillers
    NUM = "num"  # dates, check digits: digits (fillers where the date is unknown)
    ALNUM = "alnum"  # document number, optional data: anything in the alphabet
    SEX = "sex"  # M, F, X or filler


@dataclass(frozen=True)
class Span:
    line: int
    start: int
    end: int  # exclusive

    def take(self, lines: Sequence[str]) -> str:
        return lines[self.line][self.start : self.end]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    span: Span
    kind: Kind


@dataclass(frozen=True)
class CheckSpec:
    """A check digit at `digit` over the concatenation of `spans`.

    `may_be_filler`: the digit may be '<' when everything it covers is filler (TD3 personal number).
    """

    name: str
    spans: tuple[Span, ...]
    digit: Span
    may_be_filler: bool = False


@dataclass(frozen=True)
class Layout:
    name: str
    lines: int
    length: int
    fields: tuple[FieldSpec, ...]
    checks: tuple[CheckSpec, ...]

    def kind_map(self) -> list[list[Kind]]:
        """The kind of every character position (check digits are NUM)."""
        cached = _KIND_MAPS.get(self.name)
        if cached is None or len(cached) != self.lines:
            cached = _KIND_MAPS[self.name] = tuple(tuple(row) for row in self._kinds())
        return [list(row) for row in cached]

    def _kinds(self) -> list[list[Kind]]:
        kinds = [[Kind.ALNUM] * self.length for _ in range(self.lines)]
        for f in self.fields:
            for i in range(f.span.start, f.span.end):
                kinds[f.span.line][i] = f.kind
        for c in self.checks:
            kinds[c.digit.line][c.digit.start] = Kind.NUM
        return kinds


_KIND_MAPS: dict[str, tuple[tuple[Kind, ...], ...]] = {}


def _f(name: str, line: int, start: int, end: int, kind: Kind) -> FieldSpec:
    return FieldSpec(name, Span(line, start, end), kind)


def _s(line: int, start: int, end: int) -> Span:
    return Span(line, start, end)


def _two_line(name: str, length: int, composite: bool, personal_check: bool) -> Layout:
    """TD2, TD3 and the two visas share line 2 up to the expiry check digit."""
    opt_end = length - (1 if composite else 0) - (1 if personal_check else 0)
    fields = [
        _f("document_code", 0, 0, 2, Kind.CODE),
        _f("issuing_state", 0, 2, 5, Kind.ALPHA),
        _f("names", 0, 5, length, Kind.ALPHA),
        _f("document_number", 1, 0, 9, Kind.ALNUM),
        _f("nationality", 1, 10, 13, Kind.ALPHA),
        _f("birth_date", 1, 13, 19, Kind.NUM),
        _f("sex", 1, 20, 21, Kind.SEX),
        _f("expiry_date", 1, 21, 27, Kind.NUM),
        _f("optional_data", 1, 28, opt_end, Kind.ALNUM),
    ]
    checks = [
        CheckSpec("document_number", (_s(1, 0, 9),), _s(1, 9, 10)),
        CheckSpec("birth_date", (_s(1, 13, 19),), _s(1, 19, 20)),
        CheckSpec("expiry_date", (_s(1, 21, 27),), _s(1, 27, 28)),
    ]
    if personal_check:
        checks.append(CheckSpec("optional_data", (_s(1, 28, opt_end),), _s(1, opt_end, opt_end + 1), True))
    if composite:
        checks.append(
            CheckSpec(
                "composite",
                (_s(1, 0, 10), _s(1, 13, 20), _s(1, 21, length - 1)),
                _s(1, length - 1, length),
            )
        )
    return Layout(name, 2, length, tuple(fields), tuple(checks))


TD1 = Layout(
    "TD1",
    3,
    30,
    (
        _f("document_code", 0, 0, 2, Kind.CODE),
        _f("issuing_state", 0, 2, 5, Kind.ALPHA),
        _f("document_number", 0, 5, 14, Kind.ALNUM),
        _f("optional_data", 0, 15, 30, Kind.ALNUM),
        _f("birth_date", 1, 0, 6, Kind.NUM),
        _f("sex", 1, 7, 8, Kind.SEX),
        _f("expiry_date", 1, 8, 14, Kind.NUM),
        _f("nationality", 1, 15, 18, Kind.ALPHA),
        _f("optional_data_2", 1, 18, 29, Kind.ALNUM),
        _f("names", 2, 0, 30, Kind.ALPHA),
    ),
    (
        # TD1 long numbers (over 9 characters) carry on in the optional data; parse handles that.
        CheckSpec("document_number", (_s(0, 5, 14),), _s(0, 14, 15)),
        CheckSpec("birth_date", (_s(1, 0, 6),), _s(1, 6, 7)),
        CheckSpec("expiry_date", (_s(1, 8, 14),), _s(1, 14, 15)),
        CheckSpec("composite", (_s(0, 5, 30), _s(1, 0, 7), _s(1, 8, 15), _s(1, 18, 29)), _s(1, 29, 30)),
    ),
)
TD2 = _two_line("TD2", 36, composite=True, personal_check=False)
TD3 = _two_line("TD3", 44, composite=True, personal_check=True)
MRVA = _two_line("MRVA", 44, composite=False, personal_check=False)
MRVB = _two_line("MRVB", 36, composite=False, personal_check=False)

LAYOUTS = {lay.name: lay for lay in (TD1, TD2, TD3, MRVA, MRVB)}


def layout_for(lines: tuple[str, ...] | list[str]) -> Layout | None:
    """The layout matching the number and length of `lines` (visa vs TD by the first letter 'V')."""
    if len(lines) == 3 and all(len(x) == 30 for x in lines):
        return TD1
    if len(lines) != 2 or len(lines[0]) != len(lines[1]):
        return None
    visa = lines[0][:1] == "V"
    if len(lines[0]) == 44:
        return MRVA if visa else TD3
    if len(lines[0]) == 36:
        return MRVB if visa else TD2
    return None
