"""Undo the usual OCR confusions (0/O, 1/I, 2/Z, 5/S, 8/B) only where a field's type allows, guided by check digits.

Two steps. (1) Class coercion: a letter in a digits-only position (dates, check digits) or a digit in a
letters-only position (country codes, names) can only be a misreading, so it is mapped to its look-alike.
(2) Check-digit search: in positions that may hold both (document number, optional data) a failing check
digit is repaired by trying look-alike substitutions, fewest first (at most two); a repair is taken only
when exactly one candidate satisfies the check. Two different valid repairs are ambiguous and flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, product

from station.scanning.mrz.checkdigits import ALPHABET, check_digit
from station.scanning.mrz.formats import CheckSpec, Kind, Layout

DIGIT_FOR = {"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6"}
LETTER_FOR = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G"}
# Pairs that swap both ways in positions that allow digits and letters.
PARTNER = {"0": "O", "O": "0", "1": "I", "I": "1", "2": "Z", "Z": "2", "5": "S", "S": "5", "8": "B", "B": "8"}
MAX_CHANGES = 2
_MAX_TRIALS = 4000

Pos = tuple[int, int]


@dataclass(frozen=True)
class Repair:
    line: int
    pos: int
    before: str
    after: str
    reason: str  # "class" or the name of the check digit that chose it


def allowed(kind: Kind, ch: str) -> bool:
    if ch == "<":
        return True
    if kind is Kind.NUM:
        return ch.isdigit()
    if kind in (Kind.ALPHA, Kind.CODE):
        return "A" <= ch <= "Z"
    if kind is Kind.SEX:
        return ch in "MFX"
    return ch in ALPHABET


def coerce(lines: Sequence[str], layout: Layout) -> tuple[list[str], list[Repair]]:
    """Map look-alikes into each position's class; returns new lines and what changed."""
    kinds = layout.kind_map()
    out: list[str] = []
    repairs: list[Repair] = []
    for li, line in enumerate(lines):
        chars = list(line)
        for pos, ch in enumerate(chars):
            kind = kinds[li][pos]
            new = ch
            if kind is Kind.NUM and ch in DIGIT_FOR:
                new = DIGIT_FOR[ch]
            elif kind in (Kind.ALPHA, Kind.CODE) and ch in LETTER_FOR:
                new = LETTER_FOR[ch]
            elif kind is Kind.SEX and ch == "H":
                new = "M"
            if new != ch:
                chars[pos] = new
                repairs.append(Repair(li, pos, ch, new, "class"))
        out.append("".join(chars))
    return out, repairs


def covered(check: CheckSpec) -> list[Pos]:
    return [(s.line, i) for s in check.spans for i in range(s.start, s.end)]


def check_passes(check: CheckSpec, lines: Sequence[str]) -> bool:
    data = "".join(s.take(lines) for s in check.spans)
    digit = check.digit.take(lines)
    if check.may_be_filler and digit == "<" and set(data) <= {"<"}:
        return True
    try:
        return check_digit(data) == digit
    except ValueError:
        return False


def search(
    lines: Sequence[str],
    positions: Sequence[Pos],
    options: Mapping[Pos, Sequence[str]],
    test: Callable[[list[str]], bool],
) -> tuple[list[list[str]], int]:
    """All candidate line sets passing `test` at the smallest number of changes (<= MAX_CHANGES).

    Returns (candidates, changes); an empty list means nothing in reach passes.
    """
    mutable = [p for p in positions if options.get(p)]
    trials = 0
    for n in range(1, MAX_CHANGES + 1):
        found: list[list[str]] = []
        for combo in combinations(mutable, n):
            for chars in product(*(options[p] for p in combo)):
                trials += 1
                if trials > _MAX_TRIALS:
                    return found, n
                cand = [list(x) for x in lines]
                for (li, pos), ch in zip(combo, chars, strict=True):
                    cand[li][pos] = ch
                joined = ["".join(x) for x in cand]
                if test(joined):
                    found.append(joined)
        if found:
            return found, n
    return [], 0


def repair_checks(
    lines: Sequence[str],
    layout: Layout,
    checks: Sequence[CheckSpec],
    alternatives: Mapping[Pos, Sequence[str]] | None = None,
    passes: Callable[[CheckSpec, Sequence[str]], bool] = check_passes,
) -> tuple[list[str], list[Repair], list[str]]:
    """Repair failing checks one by one (field checks before the composite).

    `alternatives` are the reader's other guesses per position (used only if the position's class allows
    them). Returns (lines, repairs, names of checks whose repair was ambiguous).
    """
    kinds = layout.kind_map()
    current = list(lines)
    repairs: list[Repair] = []
    ambiguous: list[str] = []
    alternatives = alternatives or {}
    locked: set[Pos] = set()
    ordered = sorted(checks, key=lambda c: c.name == "composite")
    unresolved = False
    for check in ordered:
        digit_pos = (check.digit.line, check.digit.start)
        if passes(check, current):
            locked.update(covered(check))
            locked.add(digit_pos)
            continue
        if check.name == "composite" and unresolved:
            break  # the fault is in a field already failed: do not "fix" the unchecked data to match it
        positions = [p for p in [*covered(check), digit_pos] if p not in locked]
        options: dict[Pos, list[str]] = {}
        for li, pos in positions:
            kind = kinds[li][pos]
            ch = current[li][pos]
            opts: list[str] = []
            if kind is Kind.ALNUM and ch in PARTNER:
                opts.append(PARTNER[ch])
            for alt in alternatives.get((li, pos), ()):
                if alt != ch and alt not in opts and allowed(kind, alt):
                    opts.append(alt)
            options[(li, pos)] = opts
        found, _ = search(current, positions, options, lambda cand, c=check: passes(c, cand))
        unique = {tuple(f) for f in found}
        if len(unique) == 1:
            new = list(next(iter(unique)))
            for li in range(len(current)):
                for pos, (a, b) in enumerate(zip(current[li], new[li], strict=True)):
                    if a != b:
                        repairs.append(Repair(li, pos, a, b, check.name))
            current = new
            locked.update(covered(check))
            locked.add(digit_pos)
        else:
            unresolved = True
            if len(unique) > 1:
                ambiguous.append(check.name)
    return current, repairs, ambiguous
