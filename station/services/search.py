"""Search by registration number, any name part or origin (the register's rows: station.services.register_rows).

How a search ranks (station.domain.name_index holds the tokens):
- One word: households with a word starting as typed first, the rarest such word first (Mohsen before
  Mohammed for "Moh"), newest first within a word; then other spellings of the same name (Muhammad, محمد;
  never Mahmoud), marked `approximate`, rarest first again.
- Two or more words: first the households where one person carries the very names typed (whole names, in
  any spelling) with the first name typed as their given name ("=given other" pair tokens; of two words,
  then the last one as the given name: "Al-Rawi Omar"), those with more of the words as typed first, then
  the newest; then those where one person carries the words in any order or names they begin (pair tokens
  of the rarest word with each other one, the rarer pairs' household lists intersected on the index); then
  those with every word somewhere (from the rarest word's households; when every word is common, among the
  newest RECENT households only); within each, those matched as typed first, then other spellings; the
  newest first. The index-reading pieces are in station.services.search_words.
Each result carries how many households match in all (`SearchResult.total`, counted up to COUNT_CAP).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, case, exists, intersect, select

from station import clock
from station.db.rows import HouseholdRow, NameTokenRow
from station.db.uow import UnitOfWork
from station.domain import soundalike
from station.domain.model import HouseholdSummary
from station.domain.name_index import (
    QueryWord,
    query_words,
)
from station.domain.regno import RegNo, RegNoError
from station.domain.roles import Actor, Permission
from station.domain.text import normalize_digits
from station.services.authz import require
from station.services.register_rows import NEWEST, SUMMARY_COLUMNS, Query, summaries, summary
from station.services.search_index_fallback import unindexed_after, unindexed_rows
from station.services.search_words import (
    COMMON,
    COUNT_CAP,
    _count,
    _distinct_tokens,
    _entries,
    _given_pairs,
    _has,
    _pairs,
    _prefix,
    _resolve,
    _token_entries,
    _Word,
    _word_entries,
)

# The desk's first page: two screens of rows; more match, the count says how many and the clerk types more of
# the name. Every row costs its check and its summary: at 200,000 people a page of 200 put typed searches at
# 64 ms p95 CPU, one of 50 at 44 ms (the benchmark's typed prefixes, tests/perf/test_desk_interactive.py).
DEFAULT_LIMIT = 50
WORDS_RANKED = 24  # distinct words starting as typed, each counted to rank the rarest first
PAIR_WALK = 4000  # households with a pair token: from this many (1 in 12 at 200,000 people), walk the register
PAIR_MIN = 3  # letters a word needs to pair: a two-letter beginning ("Al", "Ab") is any of a hundred names
RECENT = 1000  # words each on many households, spread over a household's people: only the newest looked at
_PARTIAL_REGNO = re.compile(r"^(?:([A-Z]{2,5})-?)?(?:(\d{2})-)?(\d{1,6})(?:-[0-9A-Z])?$")



@dataclass(frozen=True)
class SearchResult:
    """A page of households, most likely first, and how many match in all."""

    rows: list[HouseholdSummary]
    total: int  # households matching, counted up to COUNT_CAP
    capped: bool = False  # more than COUNT_CAP match: `total` is a lower bound

    @property
    def more(self) -> int:
        """Households matching beyond this page."""
        return max(0, self.total - len(self.rows))


def _regno_query(text: str) -> Query | None:
    cleaned = normalize_digits(text).strip().upper().replace(" ", "")
    try:
        return select(*SUMMARY_COLUMNS).where(HouseholdRow.registration_number == str(RegNo.parse(cleaned)))
    except RegNoError:
        pass
    m = _PARTIAL_REGNO.match(cleaned)
    if not m or (m.group(1) is None and len(m.group(3)) < 3):
        return None
    q = select(*SUMMARY_COLUMNS).where(HouseholdRow.sequence == int(m.group(3)))
    if m.group(1):
        q = q.where(HouseholdRow.site_code == m.group(1))
    if m.group(2):
        q = q.where(HouseholdRow.station_number == int(m.group(2)))
    return q


def _newest(uow: UnitOfWork, cond: ColumnElement[bool], limit: int, skip: set[str],
            entries: int | None = None) -> list[HouseholdSummary]:
    """Households with a token meeting `cond`, newest first, leaving out `skip` (`entries`: `_entries` of
    `cond`, when the caller has counted them already)."""
    q = select(*SUMMARY_COLUMNS)
    if entries is None:
        entries = _entries(uow.session.connection(), cond)
    if entries >= COMMON:  # common: walk the register newest first, stop at `limit`
        q = q.where(_has(cond))
    else:
        q = q.where(HouseholdRow.id.in_(select(NameTokenRow.household_id).where(cond)))
    if skip:
        q = q.where(HouseholdRow.id.not_in(skip))
    return summaries(uow, q.order_by(*NEWEST).limit(limit))


# ---- search ----

def search(uow: UnitOfWork, actor: Actor, text: str, limit: int = DEFAULT_LIMIT) -> list[HouseholdSummary]:
    """Every word must match the start of a name part (either script), document number or origin word,
    or be another spelling of a name on file; those found only so are marked `approximate`."""
    return search_page(uow, actor, text, limit).rows


def search_page(uow: UnitOfWork, actor: Actor, text: str, limit: int = DEFAULT_LIMIT) -> SearchResult:
    """`search`, with the number of households matching in all."""
    require(actor, Permission.SEARCH)
    text = text.strip()
    if not text:
        return SearchResult([], 0)
    regno_q = _regno_query(text)
    if regno_q is not None:
        found = summaries(uow, regno_q.limit(limit))
        if found:
            return SearchResult(found, len(found))
    words = query_words(text)
    if not words or len(words[0].exact) < 2:
        return SearchResult([], 0)  # a single letter would list everybody; wait for the next keystroke
    resolved = [_resolve(uow.session.connection(), w) for w in words]
    order = {w: i for i, w in reversed(list(enumerate(soundalike.words(text))))}  # each word's first place
    result = (_one_word(uow, resolved[0], limit) if len(resolved) == 1
              else _several_words(uow, resolved, limit, order))
    after = unindexed_after(uow.session)  # the index being rebuilt after it was emptied: scan the rest
    if after is None:
        return result
    typed = [h for h in result.rows if not h.approximate]  # the scan's rows (as typed) before other spellings
    rows, more, capped = unindexed_rows(uow, text, after, {h.id for h in result.rows}, limit - len(typed))
    rows = typed + rows + [h for h in result.rows if h.approximate]
    return SearchResult(rows[:limit], result.total + more, result.capped or capped)


def _one_word(uow: UnitOfWork, word: _Word, limit: int) -> SearchResult:
    s = uow.session.connection()
    if _word_entries(s, word) >= COMMON:
        return _one_common_word(uow, word, limit)
    cond = word.condition()
    hits = s.execute(select(NameTokenRow.token, NameTokenRow.household_id, HouseholdRow.arrived_at,
                            HouseholdRow.sequence)
                     .join(HouseholdRow, HouseholdRow.id == NameTokenRow.household_id)
                     .where(cond).limit(COMMON + 1)).all()
    if len(hits) > COMMON:
        return _one_common_word(uow, word, limit)
    counts: dict[str, int] = {}
    for tok, *_ in hits:
        counts[tok] = counts.get(tok, 0) + 1
    spellings = set(word.spellings)
    # exact words first, the rarest first; then other spellings, the rarest first
    rank = {t: (t in spellings and not t.startswith(word.query.exact), n, t) for t, n in counts.items()}
    best: dict[str, tuple[tuple[bool, int, str], datetime, int]] = {}
    for tok, hid, at, seq in hits:
        key = (rank[tok], at, seq)
        if hid not in best or key[0] < best[hid][0]:
            best[hid] = key
    newest_first = sorted(best, key=lambda h: (best[h][1], best[h][2]), reverse=True)
    order = sorted(newest_first, key=lambda h: best[h][0])[:limit]  # stable: newest first within a rank
    found = {h.id: h for h in summaries(uow, select(*SUMMARY_COLUMNS).where(HouseholdRow.id.in_(order)))}
    rows = [replace(found[h], approximate=True) if best[h][0][0] else found[h] for h in order if h in found]
    return SearchResult(rows, len(best))


def _one_common_word(uow: UnitOfWork, word: _Word, limit: int) -> SearchResult:
    """A word on many households: each matching word's households newest first, the rarest word first."""
    s = uow.session.connection()
    typed = _distinct_tokens(s, word.query.exact, WORDS_RANKED + 1)
    many = len(typed) > WORDS_RANKED  # a short beginning (Mo): too many words to rank one by one
    ranked = [] if many else typed
    counts = _token_entries(s, ranked + [t for t in word.spellings if t not in ranked])
    # (approximate, condition, its entries when counted above)
    groups: list[tuple[bool, ColumnElement[bool], int | None]] = [(False, _prefix(word.query.exact), None)] * many
    groups += [(False, NameTokenRow.token == t, counts[t]) for t in sorted(ranked, key=lambda t: (counts[t], t))]
    groups += [(True, NameTokenRow.token == t, counts[t])
               for t in sorted(word.spellings, key=lambda t: (counts[t], t))]
    rows: list[HouseholdSummary] = []
    seen: set[str] = set()
    for approximate, cond, entries in groups:
        if len(rows) >= limit:
            break
        found = _newest(uow, cond, limit - len(rows), seen, entries)
        rows += [replace(h, approximate=True) for h in found] if approximate else found
        seen |= {h.id for h in found}
    if len(rows) < limit:
        return SearchResult(rows, len(rows))
    total = _count(s, word.condition())
    return SearchResult(rows, total, total >= COUNT_CAP)


def _several_words(uow: UnitOfWork, words: list[_Word], limit: int, order: dict[str, int]) -> SearchResult:
    """Several words (`order`: each typed word's place in the text)."""
    s = uow.session.connection()
    entries = {id(w): _word_entries(s, w) for w in words}
    words = sorted(words, key=lambda w: entries[id(w)])
    if entries[id(words[0])] == 0:
        return SearchResult([], 0)
    typed = [w.query for w in words]
    # 1. Households where one person carries the names (pair tokens of the rarest name with each other one)
    named = [w for w in words if w.query.keys and len(w.query.exact) >= PAIR_MIN]
    first: list[HouseholdSummary] = []
    persons = 0
    if len(named) >= 2:
        # One person carrying the very names typed (whole names, any spelling) with the first name typed as
        # their given name (of two names, then the last: "Al-Rawi Omar"); then one person carrying the
        # names in any order, or names the words begin (the last one still being typed), the newest first.
        rarest = entries[id(words[0])]
        wholes = {id(w): w.as_whole() for w in named}
        if all(w.spellings for w in wholes.values()):
            as_typed = sorted(named, key=lambda w: order.get(w.query.text, len(order)))
            whole_words = [wholes.get(id(w), w) for w in words]
            for given in (as_typed[0], as_typed[-1]) if len(named) == 2 else as_typed[:1]:
                if len(first) >= limit:
                    break
                by_given = [wholes[id(given)]] + [wholes[id(w)] for w in named if w is not given]
                found, _ = _one_person(uow, by_given, whole_words, rarest, limit - len(first),
                                       {h.id for h in first}, _given_pairs, by_typed=True)
                first += found
        rest, persons = _one_person(uow, named, words, rarest, limit - len(first), {h.id for h in first})
        first += rest
    if len(first) >= limit:
        return SearchResult(first, max(persons, len(first)), persons >= PAIR_WALK)
    # 2. Then households with every word somewhere (in different people), the newest first.
    seen = {h.id for h in first}
    driver, cap = words[0], limit + len(seen)
    if entries[id(driver)] < COMMON:  # start from the rarest word's households, check the others on each
        q = select(*SUMMARY_COLUMNS).where(
            HouseholdRow.id.in_(select(NameTokenRow.household_id).where(driver.condition())))
        for w in words[1:]:
            q = q.where(_has(w.condition()))
        found = summaries(uow, q.order_by(*NEWEST).limit(cap))
        bounded = len(found) >= cap
    else:  # every word is common: only the newest RECENT households, each checked for every word, rarest first
        # (intersecting whole word lists cost 100 ms at 200,000 people; one person carrying the words was
        # found above through the pair tokens however old)
        recent = select(*SUMMARY_COLUMNS, HouseholdRow.sequence).order_by(*NEWEST).limit(RECENT).subquery()
        q = select(*list(recent.c)[:len(SUMMARY_COLUMNS)]).where(
            *[exists().where(and_(NameTokenRow.household_id == recent.c.id, w.condition())) for w in words])
        found = summaries(uow, q.order_by(recent.c.arrived_at.desc(), recent.c.sequence.desc()).limit(cap))
        bounded = True  # older households were not looked at: the count is a lower bound
    others = _exact_first(s, typed, [h for h in found if h.id not in seen][:limit - len(first)])
    found_ids = {f.id for f in found}
    total = len(found) + sum(1 for h in first if h.id not in found_ids)
    return SearchResult(first + others, max(total, len(first) + len(others)), bounded)


def _one_person(uow: UnitOfWork, named: list[_Word], words: list[_Word], rarest: int, limit: int,
                skip: set[str], pairs_of: Callable[[_Word, _Word], list[str]] | None = None,
                by_typed: bool = False) -> tuple[list[HouseholdSummary], int]:
    """The first `limit` households (not in `skip`) where one person carries the names, and how many persons
    carry them (counted up to PAIR_WALK per pair): pair tokens of the rarest name with each other one, the
    rarer pairs' households intersected on the index (short, contiguous ranges), the common ones checked
    on what is left. `words` are every word, rarest first (`rarest`: the first one's index entries)."""
    s = uow.session.connection()
    pairs = [NameTokenRow.token.in_((pairs_of or _pairs)(named[0], w)) for w in named[1:]]
    counts = [_entries(s, pair, PAIR_WALK) for pair in pairs]
    persons = min(counts)
    if not persons or limit <= 0:
        return [], persons
    rare: list[ColumnElement[bool]] = [pair for pair, n in zip(pairs, counts, strict=True) if n < PAIR_WALK]
    common = [pair for pair, n in zip(pairs, counts, strict=True) if n >= PAIR_WALK]
    if rarest < COMMON:  # a rare word narrows the pairs' households on the index too
        rare.append(words[0].condition())
    q: Query = select(HouseholdRow.id)
    if len(rare) > 1:
        both = intersect(*[select(NameTokenRow.household_id).where(pair) for pair in rare]).subquery()
        q = q.where(HouseholdRow.id.in_(select(both.c.household_id)))
    elif rare:
        q = q.where(HouseholdRow.id.in_(select(NameTokenRow.household_id).where(rare[0])))
    # (no rare pair: a common one, walked newest first, stopping at the page)
    for pair in common:
        q = q.where(_has(pair))
    if skip:
        q = q.where(HouseholdRow.id.not_in(skip))
    return _checked(uow, q.order_by(*NEWEST), words, limit, bounded=bool(rare), by_typed=by_typed), persons


def _checked(uow: UnitOfWork, candidates: Query, words: list[_Word], limit: int,
             bounded: bool = False, by_typed: bool = False) -> list[HouseholdSummary]:
    """The first `limit` candidate households (in the candidates' order) that have every word, as typed or
    another spelling, those with every word as typed first (the others marked).

    Candidates are checked a batch at a time, newest first, in the statement that reads the batch's rows;
    most pair tokens hold the words, so one batch fills the page. A `bounded` candidate set (under
    PAIR_WALK households) whose first batch does not is checked whole in one more statement: a pair of
    sound-alike keys on a half-typed word ("Hussein Al-Hamd") can hold thousands of households of which
    a few hundred carry the words, and batch after batch re-read and re-sorted them (480 ms at 200,000
    people). An unbounded set (a common pair, walked newest first) goes on up to 50 pages of candidates.
    `by_typed`: a bounded set is ranked whole, those with more of the words as typed first (Saad Omar
    before Suad Omar for "Saad Omer"), the newest first within each count."""
    s = uow.session.connection()
    as_typed = and_(*[_has(w.typed()) for w in words]).label("as_typed")
    has_words = [_has(w.condition()) for w in words]
    pool = candidates.with_only_columns(HouseholdRow.id).order_by(None).scalar_subquery()

    zone = clock.station_zone()

    def rows_of(ids: Sequence[str], need: int, *conditions: ColumnElement[bool]) -> list[HouseholdSummary]:
        """The first `need` households of `ids` that meet `conditions`, in the order of `ids`, those not as
        typed marked (only the rows kept are made into summaries: a batch holds twice the page)."""
        rows = {r[0]: r for r in s.execute(select(*SUMMARY_COLUMNS, as_typed)
                                           .where(HouseholdRow.id.in_(ids), *conditions))}
        kept = [rows[i] for i in ids if i in rows][:need]
        return [summary(r, zone, approximate=not r[-1]) for r in kept]

    kept: list[HouseholdSummary] = []
    if bounded and by_typed:
        typed = sum((case((_has(w.typed()), 1), else_=0) for w in words[1:]), case((_has(words[0].typed()), 1),
                                                                                     else_=0))
        return rows_of(list(s.scalars(select(HouseholdRow.id).where(HouseholdRow.id.in_(pool), *has_words)
                                      .order_by(typed.desc(), *NEWEST).limit(limit))), limit)
    for offset in range(0, 50 * limit, 2 * limit):
        batch = list(s.scalars(candidates.limit(2 * limit).offset(offset)))
        kept += rows_of(batch, limit - len(kept), *has_words)
        if len(kept) >= limit or len(batch) < 2 * limit:
            break
        if bounded:  # the page's ids from the whole set (a narrow sort), then their rows
            page = list(s.scalars(select(HouseholdRow.id).where(HouseholdRow.id.in_(pool), *has_words)
                                  .order_by(*NEWEST).limit(limit)))
            kept = rows_of(page, limit)
            break
    return [h for h in kept if not h.approximate] + [h for h in kept if h.approximate]


def _exact_first(s: Connection, typed: list[QueryWord], rows: list[HouseholdSummary]) -> list[HouseholdSummary]:
    """Households with every word as typed first, then those found through other spellings (marked)."""
    if not rows:
        return rows
    exact = set(s.scalars(select(HouseholdRow.id).where(HouseholdRow.id.in_([h.id for h in rows]),
                                                        *[_has(_prefix(w.exact)) for w in typed])))
    return [h for h in rows if h.id in exact] + [replace(h, approximate=True) for h in rows if h.id not in exact]

