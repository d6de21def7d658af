"""Undo the usual OCR confusions (0/O, 1/I, 2/Z, 5/S, 8/B) only where a field's type allows, guided by check digits.

Two steps. (1) Class coercion: a letter in a digits-only position (dates, check digits) or a digit in a
letters-only position (country codes, names) can only be a misreading, so it is mapped to its look-alike.
Where no check digit covers the position (names, countries, document code, sex) the look-alike is only a
guess: parse.parse_lines makes such a field doubtful (the read is not valid), whatever the mapping.
(2) Check-digit search: in positions that may hold both (document number, optional data) a failing check
digit is repaired by trying look-alike substitutions and the reader's other guesses (at most two changes).
Every change must be plausible by the reader's confidence (a character read with high confidence is not
changed to a guess it gave little weight), and the best candidate is taken only when no other candidate
comes within AMBIGUOUS_FACTOR of its likelihood (a change too unlikely to be made still counts as a rival);
otherwise the repair is ambiguous and flagged.
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
UNKNOWN_ALT_PROB = 0.05  # likelihood given to a look-alike when the reader said nothing about it
MIN_CHANGE_RATIO = 0.05  # a change must be at least this likely relative to what was read
AMBIGUOUS_FACTOR = 10.0  # the best repair must be this much likelier than any other

Pos = tuple[int, int]
# The reader's other guesses per position: characters, optionally with their probabilities.
Alternatives = Mapping[Pos, Sequence[str] | Mapping[str, float]]
Confidence = Sequence[Sequence[float]]


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


def change_ratio(pos: Pos, new: str, alternatives: Alternatives, confidence: Confidence | None) -> float:
    """How likely `new` is at `pos` relative to what was read (p(new) / p(read))."""
    alts = alternatives.get(pos, ())
    p_new = alts.get(new) if isinstance(alts, Mapping) else None
    if confidence is None:
        return p_new if p_new is not None else UNKNOWN_ALT_PROB
    p_old = max(confidence[pos[0]][pos[1]], 1e-6)
    if p_new is None:  # a look-alike the reader gave no figure for: plausible only where it was unsure
        p_new = (1.0 - p_old) / 2
    return p_new / p_old


def search(
    lines: Sequence[str],
    positions: Sequence[Pos],
    options: Mapping[Pos, Sequence[str]],
    test: Callable[[list[str]], bool],
    ratio: Callable[[Pos, str], float] = lambda _p, _c: UNKNOWN_ALT_PROB,
) -> list[tuple[float, list[str]]]:
    """Every candidate line set passing `test` with at most MAX_CHANGES plausible changes, with its
    likelihood (product of the change ratios), best first.
    """
    mutable = [p for p in positions if options.get(p)]
    trials = 0
    found: list[tuple[float, list[str]]] = []
    for n in range(1, MAX_CHANGES + 1):
        for combo in combinations(mutable, n):
            for chars in product(*(options[p] for p in combo)):
                trials += 1
                if trials > _MAX_TRIALS:
                    return sorted(found, key=lambda f: -f[0])
                score = 1.0
                for p, ch in zip(combo, chars, strict=True):
                    score *= ratio(p, ch)
                cand = [list(x) for x in lines]
                for (li, pos), ch in zip(combo, chars, strict=True):
                    cand[li][pos] = ch
                joined = ["".join(x) for x in cand]
                if test(joined):
                    found.append((score, joined))
    return sorted(found, key=lambda f: -f[0])


def repair_checks(
    lines: Sequence[str],
    layout: Layout,
    checks: Sequence[CheckSpec],
    alternatives: Alternatives | None = None,
    passes: Callable[[CheckSpec, Sequence[str]], bool] = check_passes,
    confidence: Confidence | None = None,
) -> tuple[list[str], list[Repair], list[str]]:
    """Repair failing checks one by one (field checks before the composite).

    `alternatives` are the reader's other guesses per position (used only if the position's class allows
    them), `confidence` its probability for each character it read. Returns (lines, repairs, names of
    checks whose repair was ambiguous).
    """
    kinds = layout.kind_map()
    current = list(lines)
    repairs: list[Repair] = []
    ambiguous: list[str] = []
    alts: Alternatives = alternatives or {}
    locked: set[Pos] = set()
    ordered = sorted(checks, key=lambda c: c.name == "composite")
    unresolved = False

    def ratio(p: Pos, ch: str) -> float:
        return change_ratio(p, ch, alts, confidence)

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
            for alt in alts.get((li, pos), ()):
                if alt != ch and alt not in opts and allowed(kind, alt):
                    opts.append(alt)
            # Changes too unlikely to be made are still searched: one that passes the check within
            # AMBIGUOUS_FACTOR of the best makes the repair ambiguous (held-out image 1000036: a 0 read
            # at 0.98 for O, and an O/0 swap at 0.94 elsewhere in the number passed the same digit).
            options[(li, pos)] = [o for o in opts if ratio((li, pos), o) >= MIN_CHANGE_RATIO / AMBIGUOUS_FACTOR]
        def test(cand: list[str], c: CheckSpec = check) -> bool:
            return passes(c, cand)

        found = search(current, positions, options, test, ratio)
        distinct: dict[tuple[str, ...], float] = {}
        for score, cand in found:
            distinct[tuple(cand)] = max(score, distinct.get(tuple(cand), 0.0))
        ranked = sorted(distinct.items(), key=lambda kv: -kv[1])
        plausible = bool(ranked) and all(
            ratio((li, pos), b) >= MIN_CHANGE_RATIO for li in range(len(current))
            for pos, (a, b) in enumerate(zip(current[li], ranked[0][0][li], strict=True)) if a != b)
        if plausible and (len(ranked) == 1 or ranked[1][1] * AMBIGUOUS_FACTOR < ranked[0][1]):
            new = list(ranked[0][0])
            for li in range(len(current)):
                for pos, (a, b) in enumerate(zip(current[li], new[li], strict=True)):
                    if a != b:
                        repairs.append(Repair(li, pos, a, b, check.name))
            current = new
            locked.update(covered(check))
            locked.add(digit_pos)
        else:
            unresolved = True
            if ranked:
                ambiguous.append(check.name)
    return current, repairs, ambiguous
