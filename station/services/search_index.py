"""Keep the name index in step with the code that builds it.

Each household's search tokens (station.domain.name_index: folded words, sound-alike and pair tokens) are
written when it is saved or merged. When a new version of the station builds tokens differently, the
tokens already on file are rebuilt once, at start-up after the migrations, in one transaction: a crash
leaves the old index and the old version mark, so the rebuild simply runs again next time.

The rebuild reads plain columns (no ORM objects), computes each distinct name part's tokens and each
pair of name slots' pair tokens once (`_Tokens`), collects each token's households, drops the token table
and makes it again (emptying millions of rows one by one took minutes), writes the rows in primary-key
order (every insert at the end of the index) without SQLAlchemy's per-row handling, builds the
(household, token) index after the rows (one sort instead of millions of random inserts), keeps the whole
index in the page cache while it writes (SQLite), and reports progress (done, total) for the sign-in screen.
Measured (tests/perf/test_signin_perf.py, 2026-12-01, a shared 2-core machine under load): 200,000 people,
2.8 million index rows, 33 s CPU against 42+ s before; SQLite's own insert and index work is about 20 s of it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from station.db.engine import CACHE_KIB
from station.db.rows import DocumentRow, HouseholdRow, IndividualRow, MetaRow, NameTokenRow
from station.db.uow import Database
from station.domain import soundalike
from station.domain.name_index import MAX_TOKEN, pair_token, part_tokens
from station.domain.text import search_tokens

VERSION_KEY = "search_index_version"
# 1: folded words and articles joined; 2: + sound-alike keys (station.domain.soundalike);
# 3: sound-alike tokens carry the spelling ("~key spelling"), pair tokens ("^key key"), compounds joined,
#    Kurdish Latin letters read.
INDEX_VERSION = 3
BATCH = 2000  # households read per step (a progress step)
WRITE_ROWS = 100_000  # index rows per insert (a progress step)
REBUILD_CACHE_KIB = 262_144  # page cache while rebuilding (the connection's usual size is restored after)
_SECONDARY = "ix_name_tokens_household_token"
_TABLE: Table = NameTokenRow.__table__  # type: ignore[assignment]
_NAMES = (IndividualRow.given_ar, IndividualRow.father_ar, IndividualRow.grandfather_ar, IndividualRow.family_ar,
          IndividualRow.given_lat, IndividualRow.father_lat, IndividualRow.grandfather_lat, IndividualRow.family_lat)
Progress = Callable[[int, int], None]


def is_current(db: Database) -> bool:
    with db.reader() as uow:
        mark = uow.session.get(MetaRow, VERSION_KEY)
        return mark is not None and mark.value == str(INDEX_VERSION)


def ensure_current(db: Database, progress: Progress | None = None) -> int:
    """Rebuild every household's tokens if an older version built them; returns how many were rebuilt."""
    if is_current(db):
        return 0
    return _rebuild(db, progress, only_if_stale=True)


def rebuild(db: Database, progress: Progress | None = None) -> int:
    """Rebuild every household's tokens now (whatever the version mark says); returns how many."""
    return _rebuild(db, progress, only_if_stale=False)


def _rebuild(db: Database, progress: Progress | None, only_if_stale: bool) -> int:
    with db.uow() as uow:
        s = uow.session
        if db.dialect == "postgresql":  # one desk of a site rebuilds; the others wait here, then find it done
            s.execute(text("LOCK TABLE name_tokens IN SHARE ROW EXCLUSIVE MODE"))
        mark = s.get(MetaRow, VERSION_KEY, populate_existing=True)
        if only_if_stale and mark is not None and mark.value == str(INDEX_VERSION):
            return 0
        households = s.execute(select(HouseholdRow.id, HouseholdRow.origin_key).order_by(HouseholdRow.id)).all()
        sqlite = db.dialect == "sqlite"
        if sqlite:  # this transaction only: the whole index in the page cache, freed pages not zeroed one by one
            s.execute(text(f"PRAGMA cache_size=-{REBUILD_CACHE_KIB}"))
            s.execute(text("PRAGMA secure_delete=FAST"))
        try:
            _write_all(s, households, progress)
        finally:
            if sqlite:
                s.execute(text(f"PRAGMA cache_size=-{CACHE_KIB}"))
                s.execute(text("PRAGMA secure_delete=ON"))
        if mark is None:
            s.add(MetaRow(key=VERSION_KEY, value=str(INDEX_VERSION)))
        else:
            mark.value = str(INDEX_VERSION)
    return len(households)


def _write_all(s: Session, households: Sequence[Any], progress: Progress | None) -> None:
    """Every household's tokens: (household id, origin key) rows in id order in; progress in two halves,
    reading and computing, then writing."""
    # Dropped and made again (its index after the rows): emptying millions of rows one by one takes minutes.
    s.execute(text(f"DROP INDEX IF EXISTS {_SECONDARY}"))
    s.execute(text("DROP TABLE name_tokens"))
    _TABLE.create(s.connection())
    s.execute(text(f"DROP INDEX IF EXISTS {_SECONDARY}"))
    total = len(households)
    report = progress or (lambda done, of: None)
    # token -> its households, in id order (households come in id order): the rows come out in primary-key
    # order without sorting millions of pairs, and are written in that order, so every insert lands at the
    # end of the table and of its index.
    postings: dict[str, list[str]] = defaultdict(list)
    tokens = _Tokens()
    for start in range(0, total, BATCH):
        chunk = households[start:start + BATCH]
        people, numbers = _names_of(s, chunk[0][0], chunk[-1][0])
        for hid, origin_key in chunk:
            for t in tokens.household(people.get(hid, ()), numbers.get(hid, ()), origin_key or ""):
                postings[t].append(hid)
        report(start + len(chunk), 2 * total)
    write = _writer(s)
    batch: list[tuple[str, list[str]]] = []
    size, written, count = 0, 0, sum(map(len, postings.values())) or 1
    for t in sorted(postings):
        batch.append((t, postings.pop(t)))
        size += len(batch[-1][1])
        if size >= WRITE_ROWS:
            write(batch)
            written, batch, size = written + size, [], 0
            report(total + total * written // count, 2 * total)
    write(batch)
    report(2 * total, 2 * total)
    s.execute(text(f"CREATE INDEX {_SECONDARY} ON name_tokens (household_id, token)"))


def _names_of(s: Session, first: str, last: str) -> tuple[dict[str, list[tuple[str | None, ...]]],
                                                           dict[str, list[str]]]:
    """People's name parts and document numbers of the households with ids from `first` to `last`
    (one index range each, not a list of ids)."""
    people: dict[str, list[tuple[str | None, ...]]] = defaultdict(list)
    for hid, *names in s.execute(select(IndividualRow.household_id, *_NAMES)
                                 .where(IndividualRow.household_id.between(first, last))):
        people[hid].append(tuple(names))
    numbers: dict[str, list[str]] = defaultdict(list)
    for hid, number in s.execute(select(IndividualRow.household_id, DocumentRow.number)
                                 .join(DocumentRow, DocumentRow.individual_id == IndividualRow.id)
                                 .where(IndividualRow.household_id.between(first, last))):
        numbers[hid].append(number)
    return people, numbers


def _writer(s: Session) -> Callable[[list[tuple[str, list[str]]]], None]:
    """Write (token, its households) groups. Millions of rows passed one by one through SQLAlchemy's
    per-row parameter handling cost several times the writing itself: plain tuples go to the driver's
    executemany, and on SQLite a token's households go in one statement (a JSON array unpacked by
    json_each inside SQLite: a third less time than executemany)."""
    conn = s.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    insert = f"INSERT INTO name_tokens (token, household_id) VALUES ({mark}, {mark})"
    unpack = "INSERT INTO name_tokens (token, household_id) SELECT ?, value FROM json_each(?)"
    sqlite = conn.dialect.name == "sqlite"

    def write(groups: list[tuple[str, list[str]]]) -> None:
        rows: list[tuple[str, str]] = []
        for token, hids in groups:
            if sqlite and len(hids) >= 16:
                conn.exec_driver_sql(unpack, (token, json.dumps(hids)))
            else:
                rows += [(token, hid) for hid in hids]
        if rows:
            conn.exec_driver_sql(insert, rows)
    return write


class _Tokens:
    """`name_index.household_tokens`, with every piece computed once per distinct input: a register
    repeats a few thousand names, so a person's tokens are unions of cached sets (the same result: the
    rebuild test compares them with what saving writes)."""

    def __init__(self) -> None:
        self._slots: dict[tuple[str | None, str | None], frozenset[str]] = {}
        self._pairs: dict[tuple[frozenset[str], frozenset[str]], frozenset[str]] = {}

    def household(self, people: Iterable[tuple[str | None, ...]], numbers: Iterable[str],
                  origin_key: str) -> set[str]:
        out: set[str] = set()
        for names in people:
            out |= self._person(names)
        for number in numbers:
            out |= {t[:MAX_TOKEN] for t in search_tokens(number)}
        out |= {t[:MAX_TOKEN] for t in origin_key.split()}
        return out

    def _person(self, names: tuple[str | None, ...]) -> set[str]:
        out: set[str] = set()
        for part in names:
            if part:
                out |= part_tokens(part)  # cached in name_index
        slots = [self._slot(names[i], names[i + 4]) for i in range(4)]
        for i, one in enumerate(slots):
            for other in slots[i + 1:]:
                if one and other:
                    out |= self._pair(one, other)
        return out

    def _slot(self, ar: str | None, lat: str | None) -> frozenset[str]:
        hit = self._slots.get((ar, lat))
        if hit is None:
            keys = (k for part in (ar, lat) if part for k in soundalike.name_keys(part))
            hit = self._slots[(ar, lat)] = frozenset(keys)
        return hit

    def _pair(self, one: frozenset[str], other: frozenset[str]) -> frozenset[str]:
        hit = self._pairs.get((one, other))
        if hit is None:
            hit = self._pairs[(one, other)] = frozenset(pair_token(a, b) for a in one for b in other)
        return hit
