"""Engines: the embedded SQLCipher file (WAL, foreign keys, synchronous=FULL) or a PostgreSQL URL."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from station.db import sealed
from station.errors import StationError

DB_FILE = "station.db"
# FULL: in WAL mode every commit fsyncs the log, so an acknowledged save survives a power cut.
# Cost measured in tests/perf/test_storage_perf.py (see the closing note for figures).
SYNCHRONOUS = "FULL"
CACHE_KIB = 32768  # per connection
# A save writes about 160 pages to the write-ahead log at 200,000 people (person keys and name tokens land
# on random index pages). At SQLite's default of 1,000 pages, one save in six also copied the log into the
# database, doubling its commit (tests/perf/test_matching_speed.py). The log is now copied in the background
# whenever the station is quiet for half a second (station.db.checkpoint); this threshold (8 MB of log) is
# the net for writes that never pause (an import), where a higher one made single commits wait seconds.
WAL_CHECKPOINT_PAGES = 2000
PAGE_SIZE = 4096  # SQLCipher 4 default
LOW_SPACE = 1024 * 1024  # below this, opening the file (WAL index, journal) may fail for lack of room


def sqlcipher_engine(path: Path, key: bytes, *, synchronous: str = SYNCHRONOUS) -> Engine:
    """An engine over an encrypted SQLite file; `key` is the raw 32-byte database key."""
    hex_key = key.hex()
    if not path.exists():  # owner-only from the first byte; SQLite gives -wal/-shm the same mode
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))

    def connect() -> sqlcipher.Connection:
        conn = sqlcipher.connect(str(path), timeout=30, check_same_thread=False)
        conn.execute("PRAGMA cipher_log_level = NONE")  # no SQLCipher log lines on the user's terminal
        conn.execute(f"PRAGMA key = \"x'{hex_key}'\"")
        return conn

    # The plain sqlite dialect over sqlcipher3 connections: the pysqlcipher dialect would issue its own
    # PRAGMA key from the URL, and the key must never appear in a URL.
    # Last in, first out: the connection used last is used next, so its cache of decrypted pages is warm.
    # The default (first in, first out) rotated a desk's reads over the four connections, each with a
    # quarter of the recent pages: the search's CPU time at 200,000 people, p95 75 -> 59 ms, p50 32 -> 28.5 ms.
    engine = create_engine("sqlite://", creator=connect, module=sqlcipher, poolclass=QueuePool, pool_size=4,
                           pool_use_lifo=True,
                           hide_parameters=True)  # error messages never quote the values being saved

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlcipher.Connection, _record: object) -> None:
        cur = dbapi_conn.cursor()
        try:
            cur.execute("SELECT count(*) FROM sqlite_master")
        except sqlcipher.DatabaseError as exc:
            if _no_room(path, exc):  # WAL mode cannot even open without room for its -shm file
                raise StationError("error.disk_full") from None
            raise StationError("fault.db_damaged" if _some_pages_open(cur) else "error.db_not_ours") from None
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")  # decrypted pages kept: searches stay in memory
        cur.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        cur.execute("PRAGMA secure_delete=ON")  # freed pages are zeroed, not left for recovery
        # Sorts, temporary tables and indexes in memory: SQLCipher does not encrypt a temporary file, and the
        # index rebuild sorts 200 MB of names and ids (the build's default, TEMP_STORE=2, says the same)
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Writers take the write lock up front (BEGIN IMMEDIATE) so two writers never deadlock on upgrade;
        # readers stay DEFERRED and never wait for a writer in WAL mode.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    # pysqlite's own transaction handling is replaced by explicit BEGIN above.
    @event.listens_for(engine, "connect", insert=True)
    def _autocommit(dbapi_conn: sqlcipher.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None

    # portraits and document images sealed under a key derived from the database key (station.db.sealed)
    sealed.attach_key(engine, sealed.derive_key(key, sealed.SOURCE_DB_KEY))
    return engine


def _no_room(path: Path, exc: Exception) -> bool:
    text = str(exc).lower()
    if "disk i/o error" not in text and "full" not in text:
        return False
    try:
        return shutil.disk_usage(path.parent).free < LOW_SPACE
    except OSError:
        return False


def _some_pages_open(cur: sqlcipher.Cursor) -> bool:
    """After a failed first read: do some pages authenticate under this key? Then the key is right and
    the file is damaged; if none does, it is another station's file or another key."""
    try:
        failed = len(cur.execute("PRAGMA cipher_integrity_check").fetchall())
    except sqlcipher.DatabaseError:
        return False
    pages = os.path.getsize(cur.connection.execute("PRAGMA database_list").fetchone()[2]) // PAGE_SIZE
    return 0 < failed < pages


def cipher_damage(engine: Engine) -> list[str]:
    """Pages whose authentication (HMAC) fails: damage SQLite's own integrity check cannot see."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as conn:
        return [str(r[0]) for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()]


def url_engine(url: str) -> Engine:
    """A server database (PostgreSQL) for a multi-desk site. Portraits and document images are sealed under
    the site's own random key, which the caller attaches once a sign-in has unwrapped it
    (station.services.site_join, `sealed.attach_site_key`). The key derived here from the server's password
    only opens images sealed by an older version (re-sealed under the site key when the site gets one); a
    URL with no password gives no such key."""
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    password = make_url(url).password
    sealed.attach_key(engine, sealed.derive_key(str(password).encode("utf-8"), sealed.SOURCE_SERVER_PASSWORD)
                      if password else None)
    return engine


def integrity_ok(engine: Engine) -> bool:
    """SQLite's integrity check and SQLCipher's page authentication both pass (a damaged page that SQLite
    reports as "malformed" counts as a failed check, not as an error)."""
    from sqlalchemy.exc import DatabaseError

    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                if conn.execute(text("PRAGMA integrity_check(20)")).scalar() != "ok":
                    return False
                return not cipher_damage(engine)
            conn.execute(text("SELECT 1"))
            return True
    except DatabaseError:
        return False
