"""Is this the same person? Blocking keys and a scored comparison of two person records, across scripts.

Names are compared part by part (given, father, grandfather, family), in whichever script both records
share (Arabic-script text folded, Latin text folded) and, across scripts, through the sound-alike
consonant key (station.domain.soundalike). String similarity is RapidFuzz's (well kept, C++, fast);
what is written here is only how the parts are paired and weighed. Parts may be swapped (at a small
cost) or missing (not counted, but fewer compared parts weigh less). The birth date or estimated age is
compared with a tolerance that grows with the uncertainty; sex and origin add or subtract; an equal
document number is decisive. Each comparison returns a score (0-100) and its reasons as codes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from itertools import combinations

from rapidfuzz import fuzz

from station.domain import soundalike
from station.domain.text import has_arabic, search_key

KEY_PREFIX = "p:"
KEYS_VERSION = 1  # bump when the keys change: station.services.matching rebuilds them
# Weight of each name part in the name similarity: the given name says most, the grandfather's least.
PART_WEIGHTS = (0.3, 0.25, 0.2, 0.25)
SWAP_COST = 0.9  # father's and grandfather's names swapped (or the grandfather's typed as family name)
# Pairings of the four slots tried: as written, father/grandfather swapped, grandfather/family swapped.
# Free permutations would pair Mohammed Hassan Ali with Ali Hassan Mohammed: another person.
_PAIRINGS = ((0, 1, 2, 3), (0, 2, 1, 3), (0, 1, 3, 2))
SAME_FLOOR, MIN_SAMENESS = 0.7, 0.02
TYPO_MIN_LENGTH, TYPO_COST = 5, 0.95
# Points of each kind of evidence (the score is their sum over 100, clipped to 0..100).
NAME_POINTS, DATE_POINTS, SEX_POINTS, ORIGIN_POINTS = 55.0, 25.0, 10.0, 10.0
SEX_MISMATCH_POINTS = -35.0
DATE_MISMATCH_POINTS = -20.0
# Origins this unlike (Mosul / Anbar 0.15; the same place in the other script 0.9, two districts of one
# governorate 0.55-0.65, two places across scripts about 0.4) say another person: without it a common
# two-part name of the right sex and age reached an alert alone (Mohammed Ali from Mosul sought, Mohammed
# Ali Hussein Al-Tamimi from Anbar registered: 72).
ORIGIN_MISMATCH_POINTS, ORIGIN_DIFFERS_BELOW = -10.0, 0.3


class CaseStatus(StrEnum):
    OPEN = "open"
    POSSIBLE_MATCH = "possible_match"
    FOUND = "found"
    CLOSED = "closed"


class AlertStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class Person:
    """What the comparison looks at, from a registered member or a tracing case."""

    name_ar: tuple[str, str, str, str] = ("", "", "", "")
    name_lat: tuple[str, str, str, str] = ("", "", "", "")
    sex: str = "X"  # F | M | X (unknown)
    birth_date: date | None = None
    birth_estimated: bool = False
    origin: str = ""
    documents: tuple[tuple[str, str], ...] = ()  # (type, number as stored: upper case, trimmed)


@dataclass(frozen=True)
class Reason:
    """Why two records look alike (or not): a code for the catalogue (`tracing.reason.<code>`) and a number."""

    code: str
    value: int = 0


@dataclass(frozen=True)
class Match:
    score: int  # 0..100
    reasons: tuple[Reason, ...] = field(default=())


# ---- normalisation and keys ----

@lru_cache(maxsize=65536)
def part_words(part: str) -> tuple[str, ...]:
    """The words of one name part, compounds and articles joined (soundalike.words: Abd al-Rahman is one)."""
    return tuple(soundalike.words(part))


@lru_cache(maxsize=65536)
def fold_part(part: str) -> str:
    """One name part folded for display-free comparison (accents, Arabic letter variants, spaces)."""
    return search_key(part).replace(" ", "")


@lru_cache(maxsize=65536)
def part_key(part: str) -> str:
    """The sound-alike key of one name part, the same in Arabic script and in Latin (article dropped)."""
    return "".join(soundalike.name_keys(part)) if part.strip() else ""


def blocking_keys(p: Person) -> frozenset[str]:
    """Keys that a true match very likely shares: every unordered pair of two name parts' sound-alike
    keys (one typo or one missing part still leaves other pairs; swapped parts give the same pair).
    A pair is selective even when one key is short (Ali -> l) or both are alike (Hassan Hussein)."""
    return _name_keys(p.name_ar, p.name_lat)


@lru_cache(maxsize=65536)
def _name_keys(name_ar: tuple[str, ...], name_lat: tuple[str, ...]) -> frozenset[str]:
    # cached on the names alone: an import writes each person's keys, then looks up the cases sharing them
    slots = [{k for k in (part_key(ar), part_key(lat)) if k} for ar, lat in zip(name_ar, name_lat, strict=True)]
    keys: set[str] = set()
    for a, b in combinations(slots, 2):
        for ka in a:
            for kb in b:
                lo, hi = (ka, kb) if ka <= kb else (kb, ka)  # not sorted(): a million calls in a rebuild
                keys.add((KEY_PREFIX + lo + "|" + hi)[:64])
    return frozenset(keys)


# ---- comparison ----

_Part = tuple[str, ...]  # one name part as written, in each script given (a plain tuple: hashed in C)


@lru_cache(maxsize=65536)
def _parts(name_ar: tuple[str, ...], name_lat: tuple[str, ...]) -> tuple[_Part | None, ...]:
    return tuple(tuple(t for t in (ar, lat) if t.strip()) or None for ar, lat in zip(name_ar, name_lat, strict=True))


@lru_cache(maxsize=262144)
def _text_similarity(a: str, b: str) -> float:
    """Two spellings of one name part, in any scripts: soundalike.similarity word by word (1.0 for
    spellings of one name, 0.5 for distinct names sharing a key such as Hassan / Hussein, lower for typos);
    a longer word with one typo in the same script also gets RapidFuzz's ratio of the folded text (a
    short word one letter off is as likely another name: Ahmed / Hamid)."""
    wa, wb = part_words(a), part_words(b)
    if not wa or not wb:
        return 0.0
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    best = [max(soundalike.similarity(w, x) for x in long_) for w in short]
    value: float = sum(best) / len(best) * (len(short) / len(long_)) ** 0.5
    fa, fb = fold_part(a), fold_part(b)
    if value < soundalike.DISTINCT_SAME_KEY and min(len(fa), len(fb)) >= TYPO_MIN_LENGTH \
            and has_arabic(fa) == has_arabic(fb):
        value = max(value, TYPO_COST * float(fuzz.ratio(fa, fb)) / 100)
    return value


def _part_similarity(a: _Part, b: _Part) -> float:
    return max(_text_similarity(x, y) for x in a for y in b)


def _sameness(similarity: float) -> float:
    """String similarity to evidence of the same name: two different names still share letters (Ahmed and
    Hamid 0.6), so similarity below SAME_FLOOR counts as nothing, and the rest is stretched to 0..1."""
    return max(MIN_SAMENESS, min(1.0, (similarity - SAME_FLOOR) / (1.0 - SAME_FLOOR)))


@lru_cache(maxsize=262144)
def _log_sameness(a: _Part, b: _Part) -> float:
    return math.log(_sameness(_part_similarity(a, b)))


def name_similarity(a: Person, b: Person) -> tuple[float, int]:
    """(similarity 0..1, number of parts compared). Each part is compared with the same part of the other
    record (or, at a small cost, the father's and grandfather's names swapped); parts missing on either
    side are not compared. A different given name makes a brother or a sister, not the same person."""
    pa, pb = _parts(a.name_ar, a.name_lat), _parts(b.name_ar, b.name_lat)
    best, best_n = 0.0, 0
    for pairing in _PAIRINGS:
        weight = log_sum = 0.0
        n = 0
        for i, j in enumerate(pairing):
            x, y = pa[i], pb[j]
            if x is not None and y is not None:
                # Weighted geometric mean of "sameness": one clearly different part (another grandfather,
                # another family) says another person, where an arithmetic mean would say three quarters.
                weight += PART_WEIGHTS[i]
                log_sum += PART_WEIGHTS[i] * _log_sameness(x, y)
                n += 1
        if n:
            value = (1.0 if pairing is _PAIRINGS[0] else SWAP_COST) * math.exp(log_sum / weight)
            if value > best:
                best, best_n = value, n
    return best, best_n


def _years_between(a: date, b: date) -> float:
    return abs((a - b).days) / 365.25


def date_similarity(a: Person, b: Person, on: date) -> tuple[float, float] | None:
    """(agreement -1..1, years apart), or None when a birth date is missing on either side. Exact dates
    must agree (the same year or day and month swapped still count a little); an estimated age has a
    tolerance of two years, growing by one year per twenty years of age (a stated 45 is often 40 or 50).
    Up to twice the tolerance says nothing; further apart says another person."""
    if a.birth_date is None or b.birth_date is None:
        return None
    years = _years_between(a.birth_date, b.birth_date)
    if not (a.birth_estimated or b.birth_estimated):
        if a.birth_date == b.birth_date:
            return 1.0, 0.0
        if (a.birth_date.year == b.birth_date.year
                or (a.birth_date.day, a.birth_date.month) == (b.birth_date.month, b.birth_date.day)):
            return 0.7, years
        return (0.4 if years <= 1.0 else -1.0), years
    age = max(0.0, _years_between(on, min(a.birth_date, b.birth_date)))
    tolerance = 2.0 + age / 20.0
    if years <= tolerance:
        return 1.0 - 0.5 * years / tolerance, years
    if years <= 2 * tolerance:
        return 0.0, years
    return -1.0, years


@lru_cache(maxsize=65536)
def origin_similarity(a: str, b: str) -> float | None:
    fa, fb = search_key(a), search_key(b)
    if not fa or not fb:
        return None
    if has_arabic(fa) != has_arabic(fb):  # across scripts: the words' consonant keys, from the raw text
        # (search_key strips the cedilla, so Şêxan would lose its "sh" before the key is made)
        fa = " ".join(soundalike.skeleton(w) for w in a.split())
        fb = " ".join(soundalike.skeleton(w) for w in b.split())
    return fuzz.token_set_ratio(fa, fb) / 100


def same_document(a: Person, b: Person) -> bool:
    numbers = {(t, n) for t, n in a.documents if n}
    return any((t, n) in numbers for t, n in b.documents if n)


def compare(a: Person, b: Person, on: date) -> Match:
    """Score two records 0..100 with reasons. The names alone reach at most 55: a shared name needs
    agreeing age, sex or origin (or a document) before it becomes an alert."""
    reasons: list[Reason] = []
    if same_document(a, b):
        return Match(100, (Reason("same_document"),))
    names, compared = name_similarity(a, b)
    coverage = min(1.0, compared / 3) if compared else 0.0  # two parts say less than three or four
    points = NAME_POINTS * (names ** 2) * coverage  # squared: 0.8-similar names are not "80% the same"
    reasons.append(Reason("names", round(names * 100)))
    reasons.append(Reason("name_parts", compared))
    dates = date_similarity(a, b, on)
    if dates is not None:
        sim, years = dates
        if sim > 0:
            points += DATE_POINTS * sim
            exact = years == 0 and not (a.birth_estimated or b.birth_estimated)
            reasons.append(Reason("birth_date_same" if exact else "age_close", round(years)))
        elif sim < 0:
            points += DATE_MISMATCH_POINTS
            reasons.append(Reason("age_differs", round(years)))
    if "X" not in (a.sex, b.sex) and a.sex and b.sex:
        if a.sex == b.sex:
            points += SEX_POINTS
            reasons.append(Reason("sex_same"))
        else:
            points += SEX_MISMATCH_POINTS
            reasons.append(Reason("sex_differs"))
    origin = origin_similarity(a.origin, b.origin)
    if origin is not None and origin >= 0.6:
        points += ORIGIN_POINTS * origin
        reasons.append(Reason("origin_same", round(origin * 100)))
    elif origin is not None and origin < ORIGIN_DIFFERS_BELOW:
        points += ORIGIN_MISMATCH_POINTS
        reasons.append(Reason("origin_differs"))
    return Match(max(0, min(100, round(points))), tuple(reasons))


# ---- tracing cases ----

@dataclass(frozen=True)
class CaseDraft:
    """A tracing request as typed: who is sought, by whom (a member of a registered household)."""

    seeker_household_id: str
    sought_ar: tuple[str, str, str, str] = ("", "", "", "")  # given, father, grandfather, family
    sought_lat: tuple[str, str, str, str] = ("", "", "", "")
    sex: str = "X"
    birth_date: date | None = None
    age_years: int | None = None  # when the birth date is not known
    origin: str = ""
    last_seen_place: str = ""
    last_seen_on: date | None = None
    circumstances: str = ""  # e.g. "injured, taken to hospital in Erbil"
    seeker_individual_id: str = ""
    consent_to_share: bool = False


@dataclass(frozen=True)
class CaseView:
    id: str
    station: str
    status: CaseStatus
    sought_ar: tuple[str, str, str, str]
    sought_lat: tuple[str, str, str, str]
    sex: str
    birth_date: date | None
    birth_estimated: bool
    origin: str
    last_seen_place: str
    last_seen_on: date | None
    circumstances: str
    seeker_household_id: str
    seeker_individual_id: str
    seeker_registration_number: str
    consent_to_share: bool
    found_individual_id: str
    found_registration_number: str
    closed_reason: str
    open_alerts: int
    version: int
    created_at: datetime
    created_by: str

    def sought_name(self) -> str:
        return " ".join(p for p in (*self.sought_lat, "/", *self.sought_ar) if p).strip(" /")

    def person(self) -> Person:
        return Person(self.sought_ar, self.sought_lat, self.sex, self.birth_date, self.birth_estimated, self.origin)
