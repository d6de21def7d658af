"""Search by registration number, any name part or origin (the register's rows: station.services.register_rows).

How a search ranks (station.domain.name_index holds the tokens):
- One word: households with a word starting as typed first, the rarest such word first (Mohsen before
  Mohammed for "Moh"), newest first within a word; then other spellings of the same name (Muhammad, محمد;
  never Mahmoud), marked `approximate`, rarest first again.
- Two or more words: households where one person carries the words (pair tokens of the rarest word with
  each other one, the rarer pairs' household lists intersected on the index) first, then those with every
  word somewhere (from the rarest word's households; when every word is common, among the newest RECENT
  households only); within each, those matched as typed first, then other spellings; the newest first.
Each result carries how many households match in all (`SearchResult.total`, counted up to COUNT_CAP).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, Connection, and_, exists, func, intersect, or_, select, text

from station import clock
from station.db.rows import HouseholdRow, NameTokenRow
from station.db.uow import UnitOfWork
from station.domain import soundalike
from station.domain.model import HouseholdSummary
from station.domain.name_index import (
    PREFIX,
    QueryWord,
    pair_token,
    query_words,
    spelling_pair_keys,
    spelling_range,
    token_word,
)
from station.domain.regno import RegNo, RegNoError
from station.domain.roles import Actor, Permission
from station.domain.text import normalize_digits
from station.services.authz import require
from station.services.register_rows import NEWEST, SUMMARY_COLUMNS, Query, summaries, summary
from station.services.search_index_fallback import unindexed_after, unindexed_rows

# The desk's first page: two screens of rows; more match, the count says how many and the clerk types more of
# the name. Every row costs its check and its summary: at 200,000 people a page of 200 put typed searches at
# 64 ms p95 CPU, one of 50 at 44 ms (the benchmark's typed prefixes, tests/perf/test_desk_interactive.py).
DEFAULT_LIMIT = 50
COUNT_CAP = 2000  # households counted for the total at most ("2,000 or more")
# A word matching more index entries than this is cheaper to check while walking the register newest
# first (about limit * households / matches lookups) than to start from (one lookup per match).
COMMON = 1000
SPELLINGS = 200  # spellings on file read per sound-alike key (a key's range of distinct tokens)
WORDS_RANKED = 24  # distinct words starting as typed, each counted to rank the rarest first
TYPO_MIN = 4  # words this long or longer that match nothing are looked up again as mistyped
TYPO_SIMILARITY = 80  # RapidFuzz ratio (0-100) of the typed word to a spelling on file
PAIR_WALK = 4000  # households with a pair token: from this many (1 in 12 at 200,000 people), walk the register
PAIR_MIN = 3  # letters a word needs to pair: a two-letter beginning ("Al", "Ab") is any of a hundred names
RECENT = 1000  # words each on many households, spread over a household's people: only the newest looked at
_TOP = "\U0010ffff"
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


# ---- the index: ranges, spellings, counts ----

_DISTINCT = text(
    "WITH RECURSIVE v(tok) AS ("
    " SELECT MIN(token) FROM name_tokens WHERE token >= :lo AND token < :hi"
    " UNION ALL"
    " SELECT (SELECT MIN(token) FROM name_tokens WHERE token > v.tok AND token < :hi) FROM v"
    " WHERE v.tok IS NOT NULL)"
    " SELECT tok FROM v WHERE tok IS NOT NULL LIMIT :n"
)


def _distinct_tokens(s: Connection, prefix: str, n: int) -> list[str]:
    """Distinct index tokens starting with `prefix`, at most n: one index seek each (a loose index scan)."""
    return [r[0] for r in s.execute(_DISTINCT, {"lo": prefix, "hi": prefix + _TOP, "n": n})]


@lru_cache(maxsize=512)  # built once per beginning: a typed search builds the same ones for each statement
def _prefix(token: str) -> ColumnElement[bool]:
    return and_(NameTokenRow.token >= token, NameTokenRow.token < token + _TOP)


@dataclass
class _Word:
    """A typed word resolved against the index: as typed (a prefix) and its other spellings on file."""

    query: QueryWord
    spellings: list[str]  # sound-alike tokens whose spelling is the same name
    _condition: ColumnElement[bool] | None = field(default=None, init=False, repr=False, compare=False)

    def condition(self) -> ColumnElement[bool]:
        """Built once (SQLAlchemy's work on an expression cost more than SQLite's on a short range)."""
        if self._condition is None:
            exact = _prefix(self.query.exact)
            self._condition = or_(exact, NameTokenRow.token.in_(self.spellings)) if self.spellings else exact
        return self._condition


def _resolve(s: Connection, q: QueryWord) -> _Word:
    spellings: list[str] = []
    for key in q.keys:
        spellings += [t for t in _distinct_tokens(s, spelling_range(key), SPELLINGS) if q.same_name(token_word(t))]
    if not spellings and q.keys and len(q.exact) >= TYPO_MIN and not _distinct_tokens(s, q.exact, 1):
        spellings = _mistyped(s, q)
    return _Word(q, sorted(set(spellings)))


def _mistyped(s: Connection, q: QueryWord) -> list[str]:
    """Spellings on file within one typing mistake of a word that matches nothing as typed or by sound.

    A mistake adds, drops or changes one consonant of the key at most: the spellings filed under the typed
    key with one consonant left out (a beginning each) are compared with the typed word (RapidFuzz ratio).
    """
    key = max(q.keys, key=len)
    ranges = {PREFIX + key[:i] + key[i + 1:] for i in range(len(key))} | {PREFIX + key[:-1]}
    typed = soundalike.form(q.text)
    found = []
    for prefix in sorted(r for r in ranges if len(r) > 2):
        for tok in _distinct_tokens(s, prefix, SPELLINGS):
            spelling = token_word(tok).replace(" ", "")
            bare = spelling[2:] if spelling[:2] in ("al", "el", "ال") else spelling  # Al-Jubouri as Jubori
            if spelling.isascii() == typed.isascii() and max(
                    fuzz.ratio(typed, spelling), fuzz.ratio(typed, bare)) >= TYPO_SIMILARITY:
                found.append(tok)
    return found


def _count(s: Connection, cond: ColumnElement[bool], cap: int = COUNT_CAP) -> int:
    """Distinct households with an index token meeting `cond`, counted up to `cap`."""
    # DISTINCT over an expression, not the bare column: SQLite answered DISTINCT household_id by skip-scanning
    # the (household, token) index (470 ms for "You" at 200,000 people); GROUP BY reads the whole token range
    # before the limit (50 ms for "Hussein"); the expression reads the range and stops at `cap` (1-2 ms).
    sample = select(NameTokenRow.household_id.concat("")).where(cond).distinct().limit(cap).subquery()
    return int(s.scalar(select(func.count()).select_from(sample)) or 0)


def _entries(s: Connection, cond: ColumnElement[bool], cap: int = COMMON) -> int:
    """Index entries meeting `cond`, up to `cap` (a cheap covering-index range)."""
    sample = select(NameTokenRow.household_id).where(cond).limit(cap).subquery()
    return int(s.scalar(select(func.count()).select_from(sample)) or 0)


def _token_entries(s: Connection, tokens: Sequence[str], cap: int = COMMON) -> dict[str, int]:
    """`_entries` of each token (the token exactly), each counted up to `cap`, in one statement per hundred
    tokens: ranking a word's two dozen spellings took a statement each, and SQLAlchemy's work on each cost
    more than SQLite's (a typed search at 200,000 people ran up to 40 of them)."""
    out: dict[str, int] = {}
    table = NameTokenRow.__tablename__
    for start in range(0, len(tokens), 100):
        chunk = tokens[start:start + 100]
        cols = ", ".join(f"(SELECT count(*) FROM (SELECT 1 FROM {table} WHERE token = :t{i} LIMIT :cap) AS e{i})"
                         for i in range(len(chunk)))
        row = s.execute(text(f"SELECT {cols}"), {"cap": cap, **{f"t{i}": t for i, t in enumerate(chunk)}}).one()
        out.update(zip(chunk, (int(n) for n in row), strict=True))
    return out


def _has(cond: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(and_(NameTokenRow.household_id == HouseholdRow.id, cond))


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
    result = _one_word(uow, resolved[0], limit) if len(resolved) == 1 else _several_words(uow, resolved, limit)
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


def _several_words(uow: UnitOfWork, words: list[_Word], limit: int) -> SearchResult:
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
        # the rarest name paired with each other one; the rarer pairs' households intersected on the
        # index (short, contiguous ranges), the common ones checked on what is left
        pairs = [NameTokenRow.token.in_(_pairs(named[0], w)) for w in named[1:]]
        counts = [_entries(s, pair, PAIR_WALK) for pair in pairs]
        persons = min(counts)
        if persons:
            rare: list[ColumnElement[bool]] = [pair for pair, n in zip(pairs, counts, strict=True) if n < PAIR_WALK]
            common = [pair for pair, n in zip(pairs, counts, strict=True) if n >= PAIR_WALK]
            if entries[id(words[0])] < COMMON:  # a rare word narrows the pairs' households on the index too
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
            first = _checked(uow, q.order_by(*NEWEST), words, limit, bounded=bool(rare))
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


def _checked(uow: UnitOfWork, candidates: Query, words: list[_Word], limit: int,
             bounded: bool = False) -> list[HouseholdSummary]:
    """The first `limit` candidate households (in the candidates' order) that have every word, as typed or
    another spelling, those with every word as typed first (the others marked).

    Candidates are checked a batch at a time, newest first, in the statement that reads the batch's rows;
    most pair tokens hold the words, so one batch fills the page. A `bounded` candidate set (under
    PAIR_WALK households) whose first batch does not is checked whole in one more statement: a pair of
    sound-alike keys on a half-typed word ("Hussein Al-Hamd") can hold thousands of households of which
    a few hundred carry the words, and batch after batch re-read and re-sorted them (480 ms at 200,000
    people). An unbounded set (a common pair, walked newest first) goes on up to 50 pages of candidates."""
    s = uow.session.connection()
    as_typed = and_(*[_has(_prefix(w.query.exact)) for w in words]).label("as_typed")
    has_words = [_has(w.condition()) for w in words]

    zone = clock.station_zone()

    def rows_of(ids: Sequence[str], need: int, *conditions: ColumnElement[bool]) -> list[HouseholdSummary]:
        """The first `need` households of `ids` that meet `conditions`, in the order of `ids`, those not as
        typed marked (only the rows kept are made into summaries: a batch holds twice the page)."""
        rows = {r[0]: r for r in s.execute(select(*SUMMARY_COLUMNS, as_typed)
                                           .where(HouseholdRow.id.in_(ids), *conditions))}
        kept = [rows[i] for i in ids if i in rows][:need]
        return [summary(r, zone, approximate=not r[-1]) for r in kept]

    kept: list[HouseholdSummary] = []
    for offset in range(0, 50 * limit, 2 * limit):
        batch = list(s.scalars(candidates.limit(2 * limit).offset(offset)))
        kept += rows_of(batch, limit - len(kept), *has_words)
        if len(kept) >= limit or len(batch) < 2 * limit:
            break
        if bounded:  # the page's ids from the whole set (a narrow sort), then their rows
            pool = candidates.with_only_columns(HouseholdRow.id).order_by(None).scalar_subquery()
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


def _pair_keys(word: _Word) -> set[str]:
    """The keys of the names a word may be: those of its spellings on file (a half-typed "Al-Sha" pairs as
    Al-Shammari, Smr, not as its own lS and S, which pair with nobody or with other names), else its own."""
    return {k for t in word.spellings for k in spelling_pair_keys(t)} or set(word.query.keys)


def _pairs(a: _Word, b: _Word) -> list[str]:
    """Pair tokens of one person carrying both words, as the names on file they may be."""
    return sorted({pair_token(x, y) for x in _pair_keys(a) for y in _pair_keys(b)})


def _word_entries(s: Connection, word: _Word) -> int:
    """Index entries of a word (as typed and its spellings), counted up to COMMON (one statement)."""
    return _entries(s, word.condition())

