"""The name index and the person keys brought up to date in the background, a chunk of households at a time.

When a version builds search tokens (search_index) or person keys (matching) differently, or a migration
emptied the index (0007), every household's entries are written again: in one transaction at sign-in that
took 33 s at 200,000 people (issue 18). Here the desk opens at once (`prepare` only notes the work) and
`CatchUp` rewrites the entries on a thread, in short write transactions, in household id order:
- progress is a meta row per kind (the version built, the last household id done, whether the index was
  empty), advanced in the chunk's own transaction: a crash or power cut resumes after the last chunk
  committed; the version mark comes with the last chunk;
- a chunk's entries are computed in a read transaction, then its households' names are read again under
  the write lock (BEGIN IMMEDIATE on SQLite; FOR UPDATE and an advisory lock on PostgreSQL) and whatever
  changed meanwhile is computed again: a household saved or merged during the rebuild got its new tokens
  from the normal writer (registration.index_tokens), and no chunk writes older ones over them;
- only rows that change are written; chunks are sized to about TARGET_SECONDS of write lock and followed
  by a pause of at least PAUSE_SECONDS, so a clerk's save waits for one chunk at most;
- search stays correct meanwhile: households not yet rebuilt keep their old tokens (prefix search works on
  them); when the index was empty, search adds a name scan over those households only (search_index_fallback).
A sign-out, closing the window or disposing of the engine stops the worker after its current chunk.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, event, func, insert, select, text
from sqlalchemy.orm import Session

from station.db.rows import HouseholdRow, MetaRow, NameTokenRow
from station.db.uow import Database
from station.logsafe import log_failure
from station.services import search_index
from station.services.search_index_chunks import (
    Computed,
    computing,
    held_keys,
    held_tokens,
    household_inputs,
    keys_of,
    people_inputs,
    tokens_of,
    writing_rows,
)

log = logging.getLogger(__name__)

TOKENS_STATE = search_index.CATCHUP_KEY
KEYS_STATE = "person_keys_catchup"
TARGET_SECONDS = 0.08  # one chunk's write transaction (p100 well under 0.2 s at 200,000 people)
PAUSE_SECONDS = 0.12  # at least, between two chunks: longer than SQLite's longest busy wait (0.1 s)
FIRST_CHUNK, MIN_CHUNK, MAX_CHUNK = 100, 10, 1000  # households per chunk
CHECKPOINT_SECONDS = 2.0  # the log copied into the file this often while the worker runs
SYNC_HOUSEHOLDS = 300  # a register this small is brought up to date at sign-in (well under a second)
ADVISORY_KEY = 0x5EA4C4  # PostgreSQL advisory lock of the background rebuild (any constant of our own)


@dataclass(frozen=True)
class _Kind:
    """One kind of entry kept per household: its version mark, progress row, what a chunk computes before
    the write lock (in a read transaction: the chunk's Python work) and what it writes under it."""

    state_key: str
    version_key: str
    version: Callable[[], str]
    compute: Callable[[Session, list[str]], Computed]
    write: Callable[[Session, list[str], Computed | None], None]
    has_index_table: bool  # an empty table means searches fall back to a scan


def _keys_version() -> str:
    from station.services import matching  # it imports registration and tracing, which import this package

    return matching.keys_version()


TOKENS = _Kind(TOKENS_STATE, search_index.VERSION_KEY, lambda: str(search_index.INDEX_VERSION),
               computing(household_inputs, tokens_of),
               writing_rows(household_inputs, tokens_of, "name_tokens", ("token", "household_id"), held_tokens), True)
KEYS = _Kind(KEYS_STATE, "person_keys_version", _keys_version,  # matching.VERSION_KEY
             computing(people_inputs, keys_of),
             writing_rows(people_inputs, keys_of, "person_keys", ("key", "individual_id"), held_keys), False)
KINDS = (TOKENS, KEYS)


@dataclass
class _State:
    version: str
    after: str  # the last household id done ("" before the first)
    emptied: bool  # the index was empty when the work began: households after `after` have no tokens

    def dumps(self) -> str:
        return json.dumps({"version": self.version, "after": self.after, "emptied": self.emptied})


def load_state(value: str | None) -> _State | None:
    try:
        data = json.loads(value or "")
        return _State(str(data["version"]), str(data["after"]), bool(data["emptied"]))
    except (ValueError, KeyError, TypeError):
        return None


def _set(s: Session, key: str, value: str | None) -> None:
    s.execute(delete(MetaRow).where(MetaRow.key == key))
    if value is not None:
        s.execute(insert(MetaRow).values(key=key, value=value))


def read_meta(s: Session, key: str, lock: bool = False) -> str | None:
    q = select(MetaRow.value).where(MetaRow.key == key)
    return s.scalar(q.with_for_update() if lock else q)  # FOR UPDATE: PostgreSQL (SQLite holds the write lock)


def _one_desk_at_a_time(s: Session) -> None:
    """PostgreSQL: the desks of a site note and write chunks one at a time (a transaction-scoped advisory
    lock; two desks signing in at once would both insert the progress rows). SQLite: the write lock does."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})


def prepare(db: Database, progress: Callable[[int, int], None] | None = None) -> bool:
    """At sign-in: note which kinds need rebuilding (quick); a small register is done at once, `progress`
    told (done, total). Returns whether work is left for `CatchUp`."""
    with db.uow() as uow:
        s = uow.session
        _one_desk_at_a_time(s)
        pending = False
        for kind in KINDS:
            if read_meta(s, kind.version_key, lock=True) == kind.version():
                if read_meta(s, kind.state_key) is not None:
                    _set(s, kind.state_key, None)
                continue
            pending = True
            old = load_state(read_meta(s, kind.state_key, lock=True))
            if old is not None and old.version == kind.version():
                continue  # resumed where it stopped
            empty = kind.has_index_table and s.scalar(select(NameTokenRow.token).limit(1)) is None
            _set(s, kind.state_key, _State(kind.version(), "", empty or (old is not None and old.emptied)).dumps())
        small = pending and (s.scalar(select(func.count()).select_from(HouseholdRow)) or 0) <= SYNC_HOUSEHOLDS
    if small:
        for done, kind in enumerate(KINDS):
            if progress is not None:
                progress(done, len(KINDS))
            while not step(db, kind, SYNC_HOUSEHOLDS + 1)[1]:
                pass
        if progress is not None:
            progress(len(KINDS), len(KINDS))
        return False
    return pending


def step(db: Database, kind: _Kind, size: int, held: list[float] | None = None) -> tuple[int, bool]:
    """One chunk in one write transaction: (households rewritten, whether this kind is now current). The
    chunk's entries are computed first in a read transaction, and only checked under the write lock (how
    long it was held, from BEGIN to the end of the commit, is appended to `held`)."""
    computed: Computed | None = None
    with db.reader() as uow:
        state = load_state(read_meta(uow.session, kind.state_key))
        if state is not None:
            computed = kind.compute(uow.session, _next(uow.session, state.after, size))
    with _writing(db, held) as s:
        _one_desk_at_a_time(s)
        state = load_state(read_meta(s, kind.state_key, lock=True))
        if state is None or state.version != kind.version() or read_meta(s, kind.version_key) == kind.version():
            if state is not None:  # done meanwhile (another desk, a full rebuild) or noted by another version
                _set(s, kind.state_key, None)
            return 0, True
        ids = _next(s, state.after, size, lock=True)
        if ids:
            kind.write(s, ids, computed)
        if len(ids) < size:  # the last chunk: the version mark with it
            _set(s, kind.version_key, kind.version())
            _set(s, kind.state_key, None)
            return len(ids), True
        state.after = ids[-1]
        _set(s, kind.state_key, state.dumps())
        return len(ids), False


def _next(s: Session, after: str, size: int, lock: bool = False) -> list[str]:
    q = select(HouseholdRow.id).where(HouseholdRow.id > after).order_by(HouseholdRow.id).limit(size)
    return list(s.scalars(q.with_for_update() if lock else q))


@contextmanager
def _writing(db: Database, held: list[float] | None = None) -> Iterator[Session]:
    """A session in one write transaction (BEGIN IMMEDIATE on SQLite). On SQLite its commit does not sync
    the log (synchronous NORMAL, restored after): a power cut may lose the last chunks, never half of one
    (the progress row is in the same transaction), and the next save's commit syncs them anyway."""
    with db.engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        usual = raw.execute("PRAGMA synchronous").fetchone()[0] if db.dialect == "sqlite" else None
        try:
            if usual is not None:  # outside the transaction: the driver is in autocommit (station.db.engine)
                raw.execute("PRAGMA synchronous=NORMAL")
            began: float | None = None
            try:
                with conn.execution_options(sqlite_begin="IMMEDIATE").begin():  # waits for the write lock
                    began = time.perf_counter()
                    with Session(bind=conn) as s:
                        yield s
                        s.flush()
            finally:
                if held is not None and began is not None:
                    held.append(time.perf_counter() - began)
        finally:
            if usual is not None:
                try:
                    raw.execute(f"PRAGMA synchronous={int(usual)}")
                except Exception:
                    conn.invalidate()  # never back to the pool with the log unsynced
                    raise
    if db.checkpoint is not None:
        db.checkpoint.nudge()


class CatchUp:
    """The background worker of one open database: each pending kind, chunk after chunk, until current.

    `stop` returns once no more write can come from it (the current chunk finished or rolled back)."""

    def __init__(self, db: Database, *, pause: float | None = None, target: float | None = None) -> None:
        self.db = db
        self.pause = PAUSE_SECONDS if pause is None else pause
        self.target = TARGET_SECONDS if target is None else target
        self.durations: list[float] = []  # each chunk's write transaction (seconds; the benchmark's figures)
        self.finished = False  # every kind current
        self.failed: BaseException | None = None
        self._done = 0  # households rewritten, over all kinds (each kind counts every household once)
        self._total = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._engine: Engine = db.engine
        event.listen(self._engine, "engine_disposed", self._on_disposed)

    def start(self) -> CatchUp:
        self._thread = threading.Thread(target=self._run, name="index-catch-up", daemon=True)
        self._thread.start()
        return self

    def percent(self) -> int:
        with self._lock:
            return 100 if self.finished else min(99, 100 * self._done // max(self._total, 1))

    @property
    def chunks(self) -> int:
        return len(self.durations)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        if event.contains(self._engine, "engine_disposed", self._on_disposed):
            event.remove(self._engine, "engine_disposed", self._on_disposed)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the work to end (finished, failed or stopped); whether it did within `timeout`."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _on_disposed(self, _engine: Engine) -> None:
        self._stop.set()  # the rest is waited for by whoever closes (StationContext.close stops first)

    def _run(self) -> None:
        try:
            self._plan()
            for kind in KINDS:
                if not self._catch_up(kind):
                    return
            with self._lock:
                self.finished = True
        except Exception as exc:  # the work resumes at the next sign-in; searches meanwhile fall back
            self.failed = exc
            log_failure(log, "index catch-up", exc)

    def _plan(self) -> None:
        """Households left per pending kind (progress shown on the desk)."""
        with self.db.reader() as uow:
            s = uow.session
            for kind in KINDS:
                state = load_state(read_meta(s, kind.state_key))
                if state is None:
                    continue
                total = s.scalar(select(func.count()).select_from(HouseholdRow)) or 0
                done = s.scalar(select(func.count()).select_from(HouseholdRow)
                                .where(HouseholdRow.id <= state.after)) or 0
                with self._lock:
                    self._total += total
                    self._done += done

    def _catch_up(self, kind: _Kind) -> bool:
        """Chunks of `kind` until current (True) or stopped (False)."""
        size = FIRST_CHUNK
        checkpointed = time.perf_counter()
        while not self._stop.is_set():
            held: list[float] = []
            n, current = step(self.db, kind, size, held)
            took = held[-1] if held else 0.0  # the write transaction: what a clerk's save may wait for
            with self._lock:
                self.durations.append(took)
                self._done += n
            if current:
                return True
            size = max(MIN_CHUNK, min(MAX_CHUNK, int(size * min(2.0, self.target / max(took, 1e-3)))))
            pause = time.perf_counter() + max(self.pause, took)
            if pause - checkpointed > CHECKPOINT_SECONDS:
                _checkpoint(self.db)
                checkpointed = time.perf_counter()
            if self._stop.wait(max(0.0, pause - time.perf_counter())):
                break
        return False


def _checkpoint(db: Database) -> None:
    """Copy the log into the file between two chunks (PASSIVE: it waits for no reader or writer). The
    engine's own checkpoint waits for a quiet desk, which the worker never leaves it, and SQLite's automatic
    one would land inside a commit: a clerk's save's, as likely as a chunk's."""
    if db.dialect == "sqlite":
        with db.engine.connect() as conn:
            raw: Any = conn.connection.dbapi_connection
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def start(db: Database) -> CatchUp | None:
    """A running worker when `prepare` left work (None when every kind is current)."""
    with db.reader() as uow:
        if all(read_meta(uow.session, kind.state_key) is None for kind in KINDS):
            return None
    return CatchUp(db).start()
