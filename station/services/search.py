"""The register: today's households, and search by registration number, any name part or origin."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, intersect, select

from station.db.rows import HouseholdRow, NameTokenRow
from station.db.uow import UnitOfWork
from station.domain import soundalike
from station.domain.codes import HouseholdStatus
from station.domain.model import HouseholdSummary, Origin
from station.domain.regno import RegNo, RegNoError
from station.domain.roles import Actor, Permission
from station.domain.text import normalize_digits, query_tokens, search_key
from station.errors import NotFound
from station.services.authz import require

DEFAULT_LIMIT = 200
# Sound-alike matches shown after the exact ones at most: keys are coarse, so a common name has thousands;
# the clerk narrows with more words (father's name, family) rather than scrolling.
SOUND_LIMIT = 50
SOUND_WHEN_FEWER = 20  # look for other spellings only when the exact words found fewer households than this
SOUND_CANDIDATES = 400  # ranked by closeness to the head's name before the best SOUND_LIMIT are kept
_TOP = "\U0010ffff"
_PARTIAL_REGNO = re.compile(r"^(?:([A-Z]{2,5})-?)?(?:(\d{2})-)?(\d{1,6})(?:-[0-9A-Z])?$")


_SUMMARY_COLUMNS = (
    HouseholdRow.id, HouseholdRow.registration_number, HouseholdRow.arrived_at, HouseholdRow.head_name_ar,
    HouseholdRow.head_name_lat, HouseholdRow.size, HouseholdRow.origin_governorate, HouseholdRow.origin_district,
    HouseholdRow.origin_place, HouseholdRow.status,
)


def _summaries(uow: UnitOfWork, q: Select[Any]) -> list[HouseholdSummary]:
    """Run a query over the summary columns only (no ORM objects: the register stays fast)."""
    return [
        HouseholdSummary(id=r[0], registration_number=r[1], arrived_at=r[2], head_name_ar=r[3], head_name_lat=r[4],
                         size=r[5], origin=Origin(r[6], r[7], r[8]).text(), status=HouseholdStatus(r[9]))
        for r in uow.session.execute(q)
    ]


def day_register(uow: UnitOfWork, actor: Actor, day: date, limit: int = 2000) -> list[HouseholdSummary]:
    """Households that arrived on `day` (local station day), newest first."""
    require(actor, Permission.SEARCH)
    start = datetime.combine(day, time.min)
    q = (
        select(*_SUMMARY_COLUMNS)
        .where(and_(HouseholdRow.arrived_at >= start, HouseholdRow.arrived_at < start + timedelta(days=1)))
        .order_by(HouseholdRow.arrived_at.desc(), HouseholdRow.sequence.desc())
        .limit(limit)
    )
    return _summaries(uow, q)


def _regno_query(text: str) -> Select[Any] | None:
    cleaned = normalize_digits(text).strip().upper().replace(" ", "")
    try:
        return select(*_SUMMARY_COLUMNS).where(HouseholdRow.registration_number == str(RegNo.parse(cleaned)))
    except RegNoError:
        pass
    m = _PARTIAL_REGNO.match(cleaned)
    if not m or (m.group(1) is None and len(m.group(3)) < 3):
        return None
    q = select(*_SUMMARY_COLUMNS).where(HouseholdRow.sequence == int(m.group(3)))
    if m.group(1):
        q = q.where(HouseholdRow.site_code == m.group(1))
    if m.group(2):
        q = q.where(HouseholdRow.station_number == int(m.group(2)))
    return q


# A word matching more index entries than this is cheaper to check while walking the register newest
# first (about limit * households / matches lookups) than to start from (one lookup per match).
COMMON = 2000


def _prefix(token: str) -> ColumnElement[bool]:
    return and_(NameTokenRow.token >= token, NameTokenRow.token < token + _TOP)


def _matches(uow: UnitOfWork, token: str) -> int:
    """Index entries starting with `token`, counted up to COMMON (a cheap covering-index range)."""
    sample = select(NameTokenRow.household_id).where(_prefix(token)).limit(COMMON).subquery()
    return int(uow.session.scalar(select(func.count()).select_from(sample)) or 0)


def search(uow: UnitOfWork, actor: Actor, text: str, limit: int = DEFAULT_LIMIT) -> list[HouseholdSummary]:
    """Every word must match the start of a name part (either script), document number or origin word.

    Households found only through sound-alike names (Muhammad for Mohammed, حسين for Hussein) follow the
    exact matches, marked `approximate`.
    """
    require(actor, Permission.SEARCH)
    text = text.strip()
    if not text:
        return []
    regno_q = _regno_query(text)
    if regno_q is not None:
        found = _summaries(uow, regno_q.limit(limit))
        if found:
            return found
    tokens = query_tokens(text)[:6]
    if not tokens or len(tokens[0]) < 2:
        return []  # a single letter would list everybody; wait for the next keystroke
    exact = _token_search(uow, tokens, limit)
    if len(exact) >= min(limit, SOUND_WHEN_FEWER):
        return exact  # plenty found as typed: more words narrow it down faster than other spellings would
    sounds = _sound_tokens(text)
    if not sounds or set(sounds) <= set(tokens):
        return exact
    seen = {h.id for h in exact}
    room = min(limit - len(exact), SOUND_LIMIT)
    candidates = [h for h in _token_search(uow, sounds, SOUND_CANDIDATES + len(seen)) if h.id not in seen]
    # Closest first: households whose head's name carries more of the typed words (newest first among equals).
    wanted = [t for t in sounds if t.startswith(soundalike.PREFIX)]
    candidates.sort(key=lambda h: -_closeness(wanted, h))
    return exact + [replace(h, approximate=True) for h in candidates[:room]]


def _closeness(wanted: list[str], h: HouseholdSummary) -> int:
    have = _head_keys(h.head_name_lat, h.head_name_ar)
    return sum(any(k.startswith(w) for k in have) for w in wanted)


def _sound_tokens(text: str) -> list[str]:
    """Each typed word as its sound-alike key; numbers stay as typed, words too short for a key are left out."""
    out: list[str] = []
    for word in soundalike.words(text):
        key = soundalike.query_token(word)
        if key and not any(ch.isdigit() for ch in word):
            out.append(key)
        elif any(ch.isdigit() for ch in word):
            out.extend(search_key(word).split())  # a document number stays as typed
        # a word too short for a key (Ali, Eli) is left out: its spelling may be the very thing that differs
    if not any(t.startswith(soundalike.PREFIX) for t in out):
        return []
    return sorted({t for t in out if len(t) >= 2}, key=len, reverse=True)[:6]


@lru_cache(maxsize=8192)
def _head_keys(latin: str, arabic: str) -> frozenset[str]:
    return frozenset(soundalike.index_tokens(latin, arabic))  # names repeat: cached


def _token_search(uow: UnitOfWork, tokens: list[str], limit: int) -> list[HouseholdSummary]:
    """Households with an index entry starting with each token, newest first."""
    q = select(*_SUMMARY_COLUMNS)
    counts = {tok: _matches(uow, tok) for tok in tokens}
    driver = min(tokens, key=lambda t: counts[t])
    if counts[driver] == 0:
        return []
    if counts[driver] >= COMMON and len(tokens) > 1:
        # Every word is common (Mohammed Jassim Al-Jubouri): intersect their households on the index, which
        # stays fast when the combination is rare (walking the register would visit every household).
        both = intersect(*[select(NameTokenRow.household_id).where(_prefix(t)) for t in tokens]).subquery()
        q = q.where(HouseholdRow.id.in_(select(both.c.household_id)))
        rest = []
    elif counts[driver] >= COMMON:
        # One common word: walk the register newest first and stop at `limit` matches.
        rest = tokens
    else:
        # Start from the households matching the rarest word, then check the other words on each.
        q = q.where(HouseholdRow.id.in_(select(NameTokenRow.household_id).where(_prefix(driver))))
        rest = [t for t in tokens if t != driver]
    for tok in rest:
        q = q.where(exists().where(and_(NameTokenRow.household_id == HouseholdRow.id, _prefix(tok))))
    q = q.order_by(HouseholdRow.arrived_at.desc()).limit(limit)
    return _summaries(uow, q)


def household_summary(uow: UnitOfWork, actor: Actor, household_id: str) -> HouseholdSummary:
    require(actor, Permission.SEARCH)
    found = _summaries(uow, select(*_SUMMARY_COLUMNS).where(HouseholdRow.id == household_id))
    if not found:
        raise NotFound("error.household_not_found")
    return found[0]
