"""Rebuild the whole name index in one transaction (`rebuild`, `ensure_current`: tests, tools, benchmarks).

Each household's search tokens (station.domain.name_index: folded words, sound-alike and pair tokens) are
written when it is saved or merged. When a new version builds tokens differently (or migration 0007 empties
the index), the desk rebuilds them in the background, a chunk at a time (search_index_background: the
sign-in no longer waits). This module rebuilds all of them at once: a crash leaves the old index and mark.

How the rebuild is made fast (issue 18):
- it reads plain columns and works per distinct value, not per person: each distinct name slot (the
  Arabic-script and Latin part of given, father, ... name), pair of slots, document number and origin
  collects the households that carry it, and its tokens are computed once (`_Postings`); a token's
  households are the union of those sets;
- the token table is dropped and made again (emptying millions of rows one by one took minutes), a
  WITHOUT ROWID table on SQLite (0007: each row stored twice, not three times); dropping runs on a
  second thread while the names are read through another connection;
- the rows are written in primary-key order (every insert lands at the end of the table), 100,000 at a
  time in one statement (a JSON object token -> households unpacked by json_each inside SQLite: no
  per-row Python work), on a second thread while the next batch is merged, with the foreign-key check off
  for this transaction: every household id comes from the households table read under the same write
  lock, so 2.8 million look-ups of households.id would check nothing;
- the (household, token) index is built after the rows (one sort), and the whole index stays in the page
  cache while it is written;
- the commit neither syncs the log nor copies it into the file (`_REBUILDING`): the background checkpoint
  (station.db.checkpoint) copies it once the desk is quiet.
Progress (done, total) is weighted by where the time goes.
Measured: see tests/perf/test_index_rebuild_perf.py. What is left is SQLite's own work on 2.8 million rows
of 36-character household ids: inserting them, the index's sort (single-threaded while it fits in memory)
and encrypting some 72,000 pages at the commit; writing the rows with the index already there (in either
order) took twice as long, and so did per-row executemany.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, text, update
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql import ClauseElement

from station.db.engine import CACHE_KIB
from station.db.rows import DocumentRow, HouseholdRow, IndividualRow, MetaRow, NameTokenRow
from station.db.uow import Database
from station.services.search_index_postings import Postings as _Postings
from station.services.search_index_postings import union as _union

VERSION_KEY = "search_index_version"
CATCHUP_KEY = "search_index_catchup"  # progress of the background rebuild (search_index_background)
# 1: folded words and articles joined; 2: + sound-alike keys (station.domain.soundalike);
# 3: sound-alike tokens carry the spelling ("~key spelling"), pair tokens ("^key key"), compounds joined,
#    Kurdish Latin letters read.
# 4: the given name's pair tokens keep its order ("=given other"); a second sound-alike key for words with a
#    letter read two ways (ث t/s, ذ ض ظ d/z: Othman / Osman).
INDEX_VERSION = 4
READ_ROWS = 20_000  # people read per step (a progress step)
WRITE_ROWS = 100_000  # index rows per insert statement (a progress step)
REBUILD_CACHE_KIB = 262_144  # page cache while rebuilding (the connection's usual size is restored after)
# Share of the progress bar per stage (measured shares of the time at 200,000 people).
READING, WRITING, INDEXING = 25, 25, 30  # the rest (20): the commit
# Outside the transaction, for its length (restored after): the commit neither syncs the log (synchronous
# NORMAL: a power cut may lose the rebuilt index, never half of it: the old index and version mark come back
# and the rebuild runs again) nor copies it into the file (wal_autocheckpoint 0: station.db.checkpoint does
# that in the background once the desk is quiet, and the next save's commit syncs the log).
_KEPT = ("synchronous", "wal_autocheckpoint")
_REBUILDING = ("foreign_keys=OFF", "synchronous=NORMAL", "wal_autocheckpoint=0")
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
    report = progress or (lambda done, total: None)
    with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.dbapi_connection
        usual: dict[str, object] = {}
        if sqlite:  # connection settings, outside the transaction (foreign_keys is ignored inside one)
            usual = {name: raw.execute(f"PRAGMA {name}").fetchone()[0]  # type: ignore[union-attr]
                     for name in _KEPT}
        try:
            for pragma in _REBUILDING if sqlite else ():
                raw.execute(f"PRAGMA {pragma}")  # type: ignore[union-attr]
            with conn.execution_options(sqlite_begin="IMMEDIATE").begin():
                if not sqlite:  # one desk of a site rebuilds; the others wait here, then find it done
                    conn.execute(text("LOCK TABLE name_tokens IN SHARE ROW EXCLUSIVE MODE"))
                mark = conn.scalar(select(MetaRow.value).where(MetaRow.key == VERSION_KEY))
                if only_if_stale and mark == str(INDEX_VERSION):
                    return 0
                if sqlite:  # this transaction: the index in the page cache, freed pages not zeroed one by one
                    for pragma in (f"cache_size=-{REBUILD_CACHE_KIB}", "secure_delete=FAST"):
                        conn.exec_driver_sql(f"PRAGMA {pragma}")
                count = _write_all(conn, report)
                conn.execute(delete(MetaRow).where(MetaRow.key == CATCHUP_KEY))  # a background rebuild's progress
                if mark is None:
                    conn.execute(insert(MetaRow).values(key=VERSION_KEY, value=str(INDEX_VERSION)))
                else:
                    conn.execute(update(MetaRow).where(MetaRow.key == VERSION_KEY).values(value=str(INDEX_VERSION)))
        finally:
            if sqlite:
                _restore(conn, raw, usual)
    if db.checkpoint is not None and count:  # the log is copied into the file once the desk is quiet
        db.checkpoint.nudge()
    report(100, 100)
    return count


def _restore(conn: Connection, raw: Any, usual: dict[str, object]) -> None:
    """The connection's usual settings (station.db.engine) before it goes back to the pool; a connection
    that cannot take them back is closed, never handed out with foreign keys off."""
    try:
        for pragma in ("foreign_keys=ON", f"cache_size=-{CACHE_KIB}", "secure_delete=ON", "threads=0",
                       *(f"{name}={value}" for name, value in usual.items())):
            raw.execute(f"PRAGMA {pragma}")
    except Exception:
        conn.invalidate()
        raise


def _write_all(conn: Connection, report: Progress) -> int:
    """Every household's tokens, written again; returns the number of households."""
    households = list(conn.scalars(select(HouseholdRow.id).order_by(HouseholdRow.id)))
    postings = _Postings(households)
    if conn.dialect.name == "sqlite":
        # Emptying the old index (SQLite reads every page it frees) runs on this connection in a second
        # thread (SQLite works without Python's lock), while this one reads the names through another
        # connection and computes the tokens: under our write lock it sees the same committed rows.
        raw = conn.connection.dbapi_connection
        ddl = str(CreateTable(_TABLE).compile(dialect=conn.dialect))
        emptying = _Background(lambda: _empty(raw, ddl))
        try:
            with conn.engine.connect() as reader:
                _gather(reader, postings, report)
        finally:
            emptying.join()
    else:
        _empty(conn.connection.dbapi_connection, "")
        _TABLE.create(conn)
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {_SECONDARY}")  # built after the rows: one sort
        _gather(conn, postings, report)
    sources = postings.sources()
    total = sum(len(sets) for sets in sources.values()) or 1  # progress by what is left to merge
    write = _writer(conn, households)
    batch: list[tuple[str, list[int]]] = []
    size = merged = 0
    try:
        for token in sorted(sources):  # code-point order: SQLite's BINARY order of the UTF-8 text
            sets = sources.pop(token)
            batch.append((token, _union(sets)))
            size, merged = size + len(batch[-1][1]), merged + len(sets)
            if size >= WRITE_ROWS:
                write.put(batch)
                batch, size = [], 0
                report(READING + WRITING * merged // total, 100)
        write.put(batch)
    finally:
        write.close()
    report(READING + WRITING, 100)
    conn.exec_driver_sql(f"CREATE INDEX {_SECONDARY} ON name_tokens (household_id, token)")
    report(READING + WRITING + INDEXING, 100)
    return len(households)


def _empty(raw: Any, ddl: str) -> None:
    """Drop the token table and its (household, token) index; make the table again when given its DDL.
    Dropped, not emptied: deleting millions of rows one by one takes minutes."""
    cur = raw.cursor()
    try:
        cur.execute(f"DROP INDEX IF EXISTS {_SECONDARY}")
        cur.execute("DROP TABLE name_tokens")
        if ddl:
            cur.execute(ddl)
    finally:
        cur.close()


class _Background:
    """A call on a second thread; `join` waits for it and raises what it raised."""

    def __init__(self, call: Callable[[], None]) -> None:
        self._error: BaseException | None = None

        def run() -> None:
            try:
                call()
            except BaseException as exc:  # handed to the caller's thread by join()
                self._error = exc

        self._thread = threading.Thread(target=run, name="search-index-drop", daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def _gather(conn: Connection, postings: _Postings, report: Progress) -> None:
    """Read every person's names, every document number and origin into `postings` (the reading quarter
    of the progress). Plain driver rows: SQLAlchemy's row objects cost more than the reading."""
    people = conn.scalar(select(func.count()).select_from(IndividualRow)) or 0
    done = 0
    for chunk in _rows(conn, select(IndividualRow.household_id, *_NAMES)):
        postings.add_people(chunk)
        done += len(chunk)
        report(READING * done // max(people, 1), 100)
    for chunk in _rows(conn, select(IndividualRow.household_id, DocumentRow.number)
                       .join(DocumentRow, DocumentRow.individual_id == IndividualRow.id)):
        postings.add_numbers(chunk)
    for chunk in _rows(conn, select(HouseholdRow.id, HouseholdRow.origin_key)):
        postings.add_origins(chunk)


def _rows(conn: Connection, stmt: ClauseElement) -> Iterator[Sequence[Any]]:
    """The rows of a statement without parameters, READ_ROWS at a time, from the driver's cursor."""
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(str(stmt.compile(dialect=conn.dialect)))
        while chunk := cur.fetchmany(READ_ROWS):
            yield chunk
    finally:
        cur.close()


_END = object()


class _Writer:
    """Write (token, its households' positions) batches, in the order given, on a second thread while
    this one merges the next batch (SQLite works without Python's lock); with `threaded=False` at once.
    `close` waits for the last write and raises what a write raised."""

    def __init__(self, write: Callable[[list[tuple[str, list[int]]]], None], threaded: bool) -> None:
        self._write = write
        self._failed: BaseException | None = None
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._thread = _Background(self._loop) if threaded else None

    def put(self, batch: list[tuple[str, list[int]]]) -> None:
        if self._failed is not None:
            raise self._failed
        if self._thread is None:
            self._write(batch)
        else:
            self._queue.put(batch)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(_END)
            self._thread.join()
        if self._failed is not None:
            raise self._failed

    def _loop(self) -> None:
        while (batch := self._queue.get()) is not _END:
            if self._failed is None:  # after a failure the rest is only drained
                try:
                    self._write(batch)
                except BaseException as exc:  # raised in the caller's thread by put() or close()
                    self._failed = exc


def _writer(conn: Connection, households: Sequence[str]) -> _Writer:
    """The writer of (token, households' positions in `households`) batches.

    Millions of rows passed one by one through SQLAlchemy's per-row parameter handling cost several
    times the writing itself. On SQLite one statement takes a whole batch as a JSON object
    {token: [household id, ...]} that json_each unpacks inside SQLite (the ids are JSON-quoted once each),
    on the second thread; elsewhere plain tuples go to the driver's executemany."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    if conn.dialect.name == "sqlite":
        quoted = [json.dumps(hid) for hid in households]
        unpack = ("INSERT INTO name_tokens (token, household_id)"
                  " SELECT t.key, h.value FROM json_each(?) AS t, json_each(t.value) AS h")

        def write_json(groups: list[tuple[str, list[int]]]) -> None:
            if groups:
                body = ",".join(f"{json.dumps(token)}:[{','.join(map(quoted.__getitem__, at))}]"
                                for token, at in groups)
                raw.execute(unpack, ("{" + body + "}",))
        return _Writer(write_json, threaded=True)

    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    plain = f"INSERT INTO name_tokens (token, household_id) VALUES ({mark}, {mark})"

    def write_rows(groups: list[tuple[str, list[int]]]) -> None:
        rows = [(token, households[i]) for token, at in groups for i in at]
        if rows:
            conn.exec_driver_sql(plain, rows)
    return _Writer(write_rows, threaded=False)
