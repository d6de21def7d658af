"""The search's words against the name index: ranges of tokens, a typed word's spellings on file, counts and
pair tokens (station.services.search ranks with them; station.domain.name_index makes the tokens)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select, text

from station.db.rows import HouseholdRow, NameTokenRow
from station.domain import soundalike
from station.domain.name_index import (
    PREFIX,
    QueryWord,
    given_pair_token,
    pair_token,
    spelling_pair_keys,
    spelling_range,
    token_word,
)

COUNT_CAP = 2000  # households counted for the total at most ("2,000 or more")
# A word matching more index entries than this is cheaper to check while walking the register newest
# first (about limit * households / matches lookups) than to start from (one lookup per match).
COMMON = 1000
SPELLINGS = 200  # spellings on file read per sound-alike key (a key's range of distinct tokens)
TYPO_MIN = 4  # words this long or longer that match nothing are looked up again as mistyped
TYPO_SIMILARITY = 80  # RapidFuzz ratio (0-100) of the typed word to a spelling on file
_TOP = "\U0010ffff"

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
    whole: bool = False  # matched as whole words only (not as the beginning of a longer name)
    _condition: ColumnElement[bool] | None = field(default=None, init=False, repr=False, compare=False)

    def typed(self) -> ColumnElement[bool]:
        """The word as typed: a whole index word, or the beginning of one."""
        return NameTokenRow.token == self.query.exact if self.whole else _prefix(self.query.exact)

    def condition(self) -> ColumnElement[bool]:
        """Built once (SQLAlchemy's work on an expression cost more than SQLite's on a short range)."""
        if self._condition is None:
            exact = self.typed()
            self._condition = or_(exact, NameTokenRow.token.in_(self.spellings)) if self.spellings else exact
        return self._condition

    def as_whole(self) -> _Word:
        """This word as a whole name: the spellings of that very name, not of longer ones it begins."""
        return _Word(self.query, [t for t in self.spellings if soundalike.same_name(self.query.text, token_word(t))],
                     whole=True)


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


# ---- pairs: one person carrying two of the words ----

def _pair_keys(word: _Word) -> set[str]:
    """The keys of the names a word may be: those of its spellings on file (a half-typed "Al-Sha" pairs as
    Al-Shammari, Smr, not as its own lS and S, which pair with nobody or with other names), else its own."""
    return {k for t in word.spellings for k in spelling_pair_keys(t)} or set(word.query.keys)


def _pairs(a: _Word, b: _Word) -> list[str]:
    """Pair tokens of one person carrying both words, as the names on file they may be, in any order."""
    keys_a, keys_b = _pair_keys(a), _pair_keys(b)
    return sorted({t for x in keys_a for y in keys_b
                   for t in (pair_token(x, y), given_pair_token(x, y), given_pair_token(y, x))})


def _given_pairs(given: _Word, other: _Word) -> list[str]:
    """Pair tokens of one person whose given name is the first word and who carries the other."""
    return sorted({given_pair_token(x, y) for x in _pair_keys(given) for y in _pair_keys(other)})


def _word_entries(s: Connection, word: _Word) -> int:
    """Index entries of a word (as typed and its spellings), counted up to COMMON (one statement)."""
    return _entries(s, word.condition())
