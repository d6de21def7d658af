"""Read MRZ lines into fields: layout, class coercion, check-digit repair, names, dates, per-field check state."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from station import clock
from station.scanning.mrz.checkdigits import ALPHABET, check_digit
from station.scanning.mrz.formats import TD1, CheckSpec, Layout, Span, layout_for
from station.scanning.mrz.repair import (
    Alternatives,
    Confidence,
    Pos,
    Repair,
    allowed,
    check_passes,
    coerce,
    covered,
    repair_checks,
)
from station.scanning.mrz.verdict import (
    FAILED,
    NONE,
    PASSED,
    REPAIRED,
    VERIFY_ABOVE,
    doubtful_fields,
    field_verdicts,
    places,
    undistinguished,
    unsure_positions,
    weakly_checked,
)

__all__ = ["FAILED", "NONE", "PASSED", "REPAIRED", "MrzFormatError", "MrzResult", "parse_lines"]
DOUBT_BELOW = 0.6  # a character read less surely fails a field no check digit of its own protects
# ... optional data no check digit covers at all (visas): the line model reads B as 8 or 0 as O there at
# 0.90-0.91 now and then (field benchmark, held-out seeds from 2000000: 2 valid-but-wrong visas at 0.9; tuning
# split exact and valid 90 -> 86 at 0.95)
UNCHECKED_DOUBT_BELOW = 0.95
RELAX_DOUBT = 0.6  # ... names and countries: this share of it, when every check digit held as read
_SPACES = re.compile(r"\s+")


class MrzFormatError(ValueError):
    """The lines match no ICAO layout (wrong count or length). Carries a message key."""

    def __init__(self, code: str = "scanning.mrz.layout") -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CheckResult:
    name: str
    found: str  # the digit on the document (after repair)
    expected: str  # the digit computed from the data ('?' when the data holds a foreign character)
    ok: bool
    repaired: bool = False
    ambiguous: bool = False


@dataclass(frozen=True)
class MrzResult:
    format: str
    raw_lines: tuple[str, ...]
    lines: tuple[str, ...]
    fields: dict[str, str]
    # field -> passed (verified: see mrz.verdict) | repaired (a check digit chose a look-alike: the clerk
    # must confirm) | failed | none (read, please confirm: nothing vouches for it strongly enough)
    field_checks: dict[str, str]
    checks: tuple[CheckResult, ...]
    repairs: tuple[Repair, ...]
    problems: tuple[str, ...]
    names_truncated: bool = False
    valid: bool = False  # every check digit holds (after repair), every field fits its class
    repaired: bool = False  # a check digit chose between look-alikes somewhere
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "raw_lines": list(self.raw_lines),
            "lines": list(self.lines),
            "fields": dict(self.fields),
            "field_checks": dict(self.field_checks),
            "checks": [
                {"name": c.name, "found": c.found, "expected": c.expected, "ok": c.ok,
                 "repaired": c.repaired, "ambiguous": c.ambiguous}
                for c in self.checks
            ],
            "repairs": [
                {"line": r.line, "pos": r.pos, "from": r.before, "to": r.after, "by": r.reason}
                for r in self.repairs
            ],
            "problems": list(self.problems),
            "names_truncated": self.names_truncated,
            "valid": self.valid,
            "repaired": self.repaired,
        }


def normalise_line(text: str) -> str:
    """Upper-case, drop spaces; the alphabet stays, anything else is kept (and later fails its class)."""
    return _SPACES.sub("", text.upper())


def checks_for(layout: Layout, lines: Sequence[str]) -> tuple[CheckSpec, ...]:
    """The layout's checks, with the TD1 long document number (over 9 characters) spelled out."""
    checks = list(layout.checks)
    if layout is TD1 and lines[0][14] == "<" and lines[0][15] != "<":
        rest = lines[0][15:30]
        end = rest.find("<")
        end = len(rest) if end < 0 else end
        if end >= 2:
            checks[0] = CheckSpec(
                "document_number", (Span(0, 5, 14), Span(0, 15, 15 + end - 1)), Span(0, 15 + end - 1, 15 + end)
            )
    return tuple(checks)


def _expected(check: CheckSpec, lines: Sequence[str]) -> str:
    try:
        return check_digit("".join(s.take(lines) for s in check.spans))
    except ValueError:
        return "?"


def resolve_date(yymmdd: str, *, birth: bool, today: date) -> date | None:
    """Six digits to a date: a birth date lies in the past; an expiry up to 50 years ahead."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if birth:
        year = 2000 + yy
        if (year, mm, dd) > (today.year, today.month, today.day):
            year -= 100
    else:
        year = 2000 + yy if 2000 + yy <= today.year + 50 else 1900 + yy
    try:
        return date(year, mm, dd)
    except ValueError:
        return None


def split_names(text: str) -> tuple[str, str, bool]:
    """(surname, given names, truncated) from the MRZ name field."""
    truncated = not text.endswith("<")
    primary, _, secondary = text.partition("<<")
    surname = " ".join(primary.replace("<", " ").split())
    given = " ".join(secondary.replace("<", " ").split())
    return surname, given, truncated


def parse_lines(
    lines: Sequence[str],
    *,
    today: date | None = None,
    alternatives: Alternatives | None = None,
    confidence: Confidence | None = None,
    doubtful: Collection[Pos] = (),
    doubt_below: float = DOUBT_BELOW,
    verify_above: float = VERIFY_ABOVE,
    relax: float = RELAX_DOUBT,
) -> MrzResult:
    """Parse 2 or 3 MRZ lines; raises MrzFormatError when no layout fits. Never trusts a failed check.

    `confidence`: the reader's probability for each character (None for text typed or given as lines).
    A field no check digit of its own covers (names, countries, sex, optional data) is failed, and the
    whole read invalid, when it holds a character read with less than `doubt_below` (names and countries:
    `relax` times that when every check digit held as read), one of the `doubtful` positions, or a character
    of the wrong class (a digit in a name: class repair would only guess the letter).
    A field with a check digit of its own is failed when the digit cannot vouch for it: two of its characters
    unsure, repaired or `doubtful`, or a `doubtful` one where letters and digits may stand (verdict.weakly_checked).
    Each field's verdict is in `field_checks` (see station.scanning.mrz.verdict).
    """
    today = today or clock.local_today()
    raw = tuple(normalise_line(x) for x in lines)
    layout = layout_for(raw)
    if layout is None:
        raise MrzFormatError()
    if confidence is not None and [len(r) for r in confidence] != [len(x) for x in raw]:
        confidence = None
    fixed, repairs = coerce(raw, layout)
    checks = checks_for(layout, fixed)
    # A letter-only (or sex) position read as another class where no check digit looks (names, countries,
    # the document code, sex) cannot be right, and its look-alike is only a guess ("1" read for a printed
    # L becomes I): the field is doubtful, never silently repaired into a valid-looking value.
    checked = {p for c in checks for p in (*covered(c), (c.digit.line, c.digit.start))}
    hidden = set(doubtful)
    doubtful = hidden | {(r.line, r.pos) for r in repairs if (r.line, r.pos) not in checked}
    fixed, check_repairs, ambiguous = repair_checks(fixed, layout, checks, alternatives, confidence=confidence)
    repairs += check_repairs
    checks = checks_for(layout, fixed)
    problems: list[str] = [f"repair.ambiguous.{name}" for name in ambiguous]

    results = []
    repaired_by = {r.reason for r in check_repairs}
    for c in checks:
        ok = check_passes(c, fixed)
        results.append(
            CheckResult(c.name, c.digit.take(fixed), _expected(c, fixed), ok, c.name in repaired_by,
                        c.name in ambiguous)
        )
    failed_checks = {r.name for r in results if not r.ok or r.ambiguous}

    kinds = layout.kind_map()
    bad_fields: set[str] = set()
    for f in layout.fields:
        text = f.span.take(fixed)
        if any(not allowed(kinds[f.span.line][f.span.start + i], ch) or ch not in ALPHABET
               for i, ch in enumerate(text)):
            bad_fields.add(f.name)
            problems.append(f"field.characters.{f.name}")

    values: dict[str, str] = {}
    get = {f.name: f.span.take(fixed) for f in layout.fields}
    values["document_code"] = get["document_code"].replace("<", "")
    values["issuing_state"] = get["issuing_state"].replace("<", "")
    values["nationality"] = get["nationality"].replace("<", "")
    surname, given, truncated = split_names(get["names"])
    values["surname"], values["given_names"] = surname, given
    number_check = next(c for c in checks if c.name == "document_number")
    values["document_number"] = "".join(s.take(fixed) for s in number_check.spans).replace("<", "")
    values["sex"] = {"M": "M", "F": "F"}.get(get["sex"], "X")
    values["optional_data"] = get["optional_data"].replace("<", "")
    if layout is TD1:
        if len(number_check.spans) > 1:  # long number: the optional data starts after its check digit
            values["optional_data"] = fixed[0][number_check.digit.start + 1 : 30].replace("<", "")
        values["optional_data_2"] = get["optional_data_2"].replace("<", "")
    for name, birth in (("birth_date", True), ("expiry_date", False)):
        text = get[name]
        resolved = resolve_date(text, birth=birth, today=today)
        if resolved is not None:
            values[name] = resolved.isoformat()
        elif set(text) <= {"<"}:
            values[name] = ""
        elif len(text) == 6 and text[:2].isdigit() and set(text[2:]) <= {"<"}:
            values[name] = ""
            values[name.replace("_date", "_year_partial")] = text[:2]
        else:
            values[name] = ""
            bad_fields.add(name)
            problems.append(f"field.date.{name}")
    as_read = not failed_checks and not check_repairs
    strict = unsure_positions(confidence, doubt_below) | set(doubtful)
    relaxed = unsure_positions(confidence, doubt_below * (relax if as_read else 1.0)) | set(doubtful)
    unchecked = unsure_positions(confidence, max(doubt_below, UNCHECKED_DOUBT_BELOW))
    weak = weakly_checked(layout, checks, confidence, doubt_below, {(r.line, r.pos) for r in check_repairs}, hidden)
    weak += undistinguished(layout, checks, fixed, alternatives, confidence,
                            {r.name for r in results if r.ok and not r.repaired})
    for name in dict.fromkeys([*doubtful_fields(places(layout, checks, fixed), strict, relaxed, unchecked), *weak]):
        bad_fields.add(name)
        problems.append(f"field.doubtful.{name}")
    if not surname and not given:  # ICAO allows an empty primary identifier, not an empty name
        bad_fields.add("names")
        problems.append("field.names.empty")
    field_checks = field_verdicts(layout, checks, fixed, failed_checks, bad_fields, repairs, confidence,
                                  verify_above)
    valid = not failed_checks and not bad_fields and not ambiguous
    return MrzResult(
        format=layout.name,
        raw_lines=raw,
        lines=tuple(fixed),
        fields=values,
        field_checks=field_checks,
        checks=tuple(results),
        repairs=tuple(repairs),
        problems=tuple(problems),
        names_truncated=truncated,
        valid=valid,
        repaired=bool(check_repairs),
    )
