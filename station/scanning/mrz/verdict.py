"""Per-field verdicts of an MRZ read: which check vouches for each field, at what confidence it was read.

A field is "passed" (verified) only when the check that covers it holds as read (no repair touched it)
and its characters were read with high confidence. The ICAO 7-3-1 digit cannot see some single
substitutions in alphanumeric data (A/K/U/0/<, B/L/V/1, ... differ by a multiple of 10), so an
alphanumeric field needs every character confident even when its own digit holds; a digits-only field
(dates) is verified by its own digit with at most one unsure character, since a single wrong digit
always changes the sum. Fields covered only by the composite digit or by none at all (names, countries,
sex, optional data) are verified only when every character was read with very high confidence
(UNCHECKED_VERIFY_ABOVE) and no check of the read failed (a failed check may mean a line read one place
off); letters and digits no check digit covers at all (a visa's optional data) are never verified; without
confidence figures (lines typed or given as text) they are "none": read, please confirm.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from station.scanning.mrz.formats import CheckSpec, Kind, Layout, Span
from station.scanning.mrz.repair import AMBIGUOUS_FACTOR, Alternatives, Confidence, Pos, Repair, allowed, check_passes

PASSED, REPAIRED, FAILED, NONE = "passed", "repaired", "failed", "none"
VERIFY_ABOVE = 0.97  # a character read at least this surely counts as confidently read
# ... in a field no check digit of its own covers, where the reader's confidence alone vouches: the line model
# reads wrong characters at up to 0.996 (field benchmark, tuning split, a misplaced zone aside; held out, a
# retrained model read an L of a 6 px font it never saw as I at 0.99 in a given name, and verified it)
UNCHECKED_VERIFY_ABOVE = 0.999
FIELD_KEYS = ("document_code", "issuing_state", "surname", "given_names", "document_number", "nationality",
              "birth_date", "sex", "expiry_date", "optional_data", "optional_data_2")


@dataclass(frozen=True)
class FieldPlace:
    positions: tuple[Pos, ...]  # the field's characters
    own: CheckSpec | None  # its own check digit
    composite: bool  # the composite digit covers it
    digits_only: bool
    alnum: bool = False  # letters and digits both allowed (document number, optional data)


def _positions(spans: Sequence[Span]) -> tuple[Pos, ...]:
    return _span_positions(tuple(spans))


@cache
def _span_positions(spans: tuple[Span, ...]) -> tuple[Pos, ...]:
    return tuple((s.line, i) for s in spans for i in range(s.start, s.end))


def places(layout: Layout, checks: Sequence[CheckSpec], lines: Sequence[str]) -> dict[str, FieldPlace]:
    """Where every field key sits, which digit is its own, and whether the composite covers it."""
    by_name = {c.name: c for c in checks}
    spans = {f.name: f.span for f in layout.fields}
    composite = by_name.get("composite")
    in_composite = set(_positions(composite.spans)) if composite else set()
    number = by_name["document_number"]
    kinds = layout.kind_map()
    out: dict[str, FieldPlace] = {}
    for key in FIELD_KEYS:
        spec = "names" if key in ("surname", "given_names") else key
        if spec not in spans:
            continue
        pos = _positions([spans[spec]])
        if key == "document_number":
            pos = _positions(number.spans)
            if len(number.spans) > 1:  # a long TD1 number: the filler before it and the one ending it count
                end = number.digit.start + 1
                pos = (*pos, (0, 14), *(((0, end),) if end < len(lines[0]) else ()))
        elif key == "optional_data" and len(number.spans) > 1:  # TD1 long number: the rest after its digit
            pos = tuple((0, i) for i in range(number.digit.start + 1, len(lines[0])))
        own = by_name.get(key) if key in ("document_number", "birth_date", "expiry_date", "optional_data") \
            else None
        kind = kinds[spans[spec].line][spans[spec].start]
        out[key] = FieldPlace(pos, own, bool(pos) and set(pos) <= in_composite, kind is Kind.NUM, kind is Kind.ALNUM)
    return out


def field_verdicts(
    layout: Layout,
    checks: Sequence[CheckSpec],
    lines: Sequence[str],
    failed_checks: Collection[str],
    bad_fields: Collection[str],
    repairs: Sequence[Repair],
    confidence: Confidence | None,
    verify_above: float = VERIFY_ABOVE,
    unchecked_verify_above: float = UNCHECKED_VERIFY_ABOVE,
) -> dict[str, str]:
    """field key -> passed | repaired | failed | none (see the module docstring); a field no check digit of its
    own covers needs every character at `unchecked_verify_above` (at least `verify_above`)."""
    repaired = {(r.line, r.pos) for r in repairs}
    where = places(layout, checks, lines)
    by_name = {c.name: c for c in checks}
    composite = by_name.get("composite")
    # The composite digit vouches for a field only when all it covers was read surely and left alone:
    # one unsure character (a filler read as 0 moves where a long TD1 number ends) can shift field bounds.
    comp_scope: tuple[Pos, ...] = ()
    if composite is not None:
        comp_scope = (*_positions(composite.spans), (composite.digit.line, composite.digit.start))
    comp_sure = composite is not None and _unsure(comp_scope, confidence, verify_above) == 0 and not any(
        p in repaired for p in comp_scope)
    # The first characters choose the layout (a visa's 'V'): fields no digit of their own covers move with it.
    layout_sure = _unsure(((0, 0), (0, 1)), confidence, verify_above) == 0 and not any(
        p in repaired for p in ((0, 0), (0, 1)))
    out: dict[str, str] = {}
    for key, place in where.items():
        spec = "names" if key in ("surname", "given_names") else key
        digit: tuple[Pos, ...] = ((place.own.digit.line, place.own.digit.start),) if place.own else ()
        covering = [place.own.name] if place.own else (["composite"] if place.composite else [])
        if spec in bad_fields or any(c in failed_checks for c in covering):
            out[key] = FAILED
            continue
        if any(p in repaired for p in (*place.positions, *digit)):
            out[key] = REPAIRED
            continue
        unsure = _unsure(place.positions + digit, confidence, verify_above)
        if place.own is not None and place.digits_only:
            out[key] = PASSED if confidence is None or unsure <= 1 else NONE
        elif place.own is None and failed_checks:
            out[key] = NONE  # a check failed: the line may be read shifted by a character, which a field
            # with no digit of its own would not show (a visa's optional data read one place off)
        elif place.own is None and not layout_sure:
            out[key] = NONE
        elif place.own is None and place.composite and not comp_sure:
            out[key] = NONE
        elif place.own is None and not place.composite and place.alnum:
            out[key] = NONE  # letters and digits no check digit covers at all (a visa's optional data):
            # 0/O, 1/I, 2/Z, 5/S, 8/B are read wrong at high confidence now and then, and nothing would show it
        elif confidence is not None and unsure == 0 and (place.own is not None or _unsure(
                place.positions, confidence, max(verify_above, unchecked_verify_above)) == 0):
            out[key] = PASSED
        else:
            out[key] = NONE
    return out


def _unsure(positions: Sequence[Pos], confidence: Confidence | None, verify_above: float) -> int:
    if confidence is None:
        return len(positions)  # nothing known: every character counts as unsure
    return sum(1 for li, i in positions if confidence[li][i] < verify_above)


def unsure_positions(confidence: Confidence | None, below: float) -> set[Pos]:
    if confidence is None:
        return set()
    return {(li, i) for li, row in enumerate(confidence) for i, c in enumerate(row) if c < below}


def doubtful_fields(
    where: Mapping[str, FieldPlace], doubtful: Collection[Pos], relaxed: Collection[Pos],
    unchecked: Collection[Pos] = (),
) -> list[str]:
    """Fields no check digit of their own protects that hold a character read too unsurely to accept.

    Names, countries, sex and the document code use `relaxed` (the positions under the lower threshold
    used when every check digit held as read); optional data covered only by the composite digit uses
    `doubtful` (the composite is a weak check over many characters); optional data no digit covers at
    all (visas) uses `unchecked`, a stricter threshold: a misread there would pass for valid.
    """
    out: list[str] = []
    for key, place in where.items():
        if place.own is not None or key in ("birth_date", "expiry_date", "document_number"):
            continue
        pool = relaxed
        if key.startswith("optional_data"):
            pool = doubtful if place.composite else set(doubtful) | set(unchecked)
        spec = "names" if key in ("surname", "given_names") else key
        if spec not in out and any(p in pool for p in place.positions):
            out.append(spec)
    return out


def weakly_checked(
    layout: Layout, checks: Sequence[CheckSpec], confidence: Confidence | None, doubt_below: float,
    repaired: Collection[Pos], hidden: Collection[Pos],
) -> list[str]:
    """Fields whose own check digit cannot vouch for them: two or more of their characters (the digit
    included) were read unsurely, changed by a repair or hidden (under a stamp or glare), or a letter-or-digit
    character of theirs was hidden.

    One digit catches any one wrong character, but two can cancel out (a read wrong in two places, one
    of them "repaired" to match the digit, passes one time in ten), and in letters-and-digits data it
    cannot see a character replaced by one whose value differs by a multiple of ten (P and F under a
    stamp's ring), so a hidden character there is not vouched for at all.
    """
    kinds = layout.kind_map()
    out: list[str] = []
    for c in checks:
        if c.name == "composite":
            continue
        scope = (*_positions(c.spans), (c.digit.line, c.digit.start))
        doubted = {p for p in scope if p in repaired or p in hidden or (
            confidence is not None and confidence[p[0]][p[1]] < doubt_below)}
        if len(doubted) >= 2 or any(kinds[li][i] is Kind.ALNUM and (li, i) in hidden for li, i in scope):
            out.append(c.name)
    return out



def undistinguished(
    layout: Layout, checks: Sequence[CheckSpec], lines: Sequence[str], alternatives: Alternatives | None,
    confidence: Confidence | None, left_alone: Collection[str], factor: float = AMBIGUOUS_FACTOR,
) -> list[str]:
    """Checks (the fields' own digits, of `left_alone` ones: held as read) that would hold as well with a
    character replaced by an alternative the reader gave at least 1/`factor` of what it read there.

    A 7-3-1 digit cannot tell apart characters whose values differ by a multiple of ten (L and 1, A and 0,
    ...): it vouches for one of them no more than for the other, so the reading must, by the same margin a
    check-digit repair needs to choose between candidates (repair.AMBIGUOUS_FACTOR).
    """
    if not alternatives or confidence is None:
        return []
    kinds = layout.kind_map()
    out: list[str] = []
    for c in checks:
        if c.name == "composite" or c.name not in left_alone:
            continue
        scope = (*_positions(c.spans), (c.digit.line, c.digit.start))
        for li, i in scope:
            alts = alternatives.get((li, i))
            if not isinstance(alts, Mapping):
                continue
            for ch, p in alts.items():
                if ch == lines[li][i] or not allowed(kinds[li][i], ch) or p * factor < confidence[li][i]:
                    continue
                cand = list(lines)
                cand[li] = cand[li][:i] + ch + cand[li][i + 1:]
                if check_passes(c, cand):
                    out.append(c.name)
                    break
            if out and out[-1] == c.name:
                break
    return out
