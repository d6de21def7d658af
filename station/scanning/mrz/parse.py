"""Read MRZ lines into fields: layout, class coercion, check-digit repair, names, dates, per-field check state."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from station.scanning.mrz.checkdigits import ALPHABET, check_digit
from station.scanning.mrz.formats import TD1, CheckSpec, Layout, Span, layout_for
from station.scanning.mrz.repair import Pos, Repair, allowed, check_passes, coerce, repair_checks

PASSED, REPAIRED, FAILED, NONE = "passed", "repaired", "failed", "none"
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
    # field -> passed | repaired (a check digit chose a look-alike: the clerk must confirm) | failed |
    # none (no check digit covers it: names, nationality, sex)
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
    alternatives: Mapping[Pos, Sequence[str]] | None = None,
    doubtful: Collection[Pos] = (),
) -> MrzResult:
    """Parse 2 or 3 MRZ lines; raises MrzFormatError when no layout fits. Never trusts a failed check.

    `doubtful`: positions the reader was unsure of; a field no check digit covers (names, nationality,
    sex) is failed when it holds one, since nothing else would catch a misreading there.
    """
    today = today or date.today()
    raw = tuple(normalise_line(x) for x in lines)
    layout = layout_for(raw)
    if layout is None:
        raise MrzFormatError()
    fixed, repairs = coerce(raw, layout)
    checks = checks_for(layout, fixed)
    fixed, check_repairs, ambiguous = repair_checks(fixed, layout, checks, alternatives)
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
    for f in layout.fields:
        if any((f.span.line, i) in doubtful for i in range(f.span.start, f.span.end)) and f.name in (
                "names", "nationality", "sex", "issuing_state", "document_code"):
            bad_fields.add(f.name)
            problems.append(f"field.doubtful.{f.name}")
    if not surname:
        bad_fields.add("names")
        problems.append("field.names.empty")

    covering: dict[str, list[str]] = {
        "document_number": ["document_number", "composite"],
        "birth_date": ["birth_date", "composite"],
        "expiry_date": ["expiry_date", "composite"],
        "optional_data": ["optional_data", "composite"] if layout.name == "TD3" else ["composite"],
        "optional_data_2": ["composite"],
    }
    present = {c.name for c in checks}
    field_checks: dict[str, str] = {}
    spans = {f.name: f.span for f in layout.fields}
    spans["document_number"] = number_check.spans[-1] if len(number_check.spans) > 1 else spans["document_number"]
    touched = {
        name
        for r in check_repairs
        for name, sp in spans.items()
        if sp.line == r.line and sp.start <= r.pos < sp.end
    }
    for c in checks:  # a guessed check digit weakens what it vouches for
        if any((r.line, r.pos) == (c.digit.line, c.digit.start) for r in check_repairs):
            touched.update([c.name] if c.name != "composite" else ["optional_data", "optional_data_2"])
    for key in ("document_code", "issuing_state", "surname", "given_names", "document_number", "nationality",
                "birth_date", "sex", "expiry_date", "optional_data", "optional_data_2"):
        if key not in values:
            continue
        spec_name = "names" if key in ("surname", "given_names") else key
        cover = [c for c in covering.get(key, []) if c in present]
        if len(cover) > 1:  # a field's own check digit speaks for it; the composite only for the rest
            cover = cover[:1]
        if spec_name in bad_fields or any(c in failed_checks for c in cover):
            field_checks[key] = FAILED
        elif spec_name in touched:
            field_checks[key] = REPAIRED
        elif cover:
            field_checks[key] = PASSED
        else:
            field_checks[key] = NONE
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
