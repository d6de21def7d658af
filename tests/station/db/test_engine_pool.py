"""The desk's reads reuse the connection used last, whose cache of decrypted pages is warm (station.db.engine)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text

from station.db.engine import sqlcipher_engine


def test_reads_one_after_another_reuse_the_last_connection(tmp_path: Path) -> None:
    engine = sqlcipher_engine(tmp_path / "station.db", os.urandom(32))
    try:
        held = [engine.connect() for _ in range(3)]  # three connections in the pool, as a busy desk has
        ids = [id(c.connection.dbapi_connection) for c in held]
        for c in held:
            c.execute(text("SELECT 1"))
            c.close()
        assert len(set(ids)) == 3
        last = ids[-1]  # returned last
        for _ in range(5):  # one read after another: always the same, warm connection
            with engine.connect() as c:
                c.execute(text("SELECT 1"))
                assert id(c.connection.dbapi_connection) == last
    finally:
        engine.dispose()


def test_sorts_and_temporary_tables_stay_in_memory(tmp_path: Path) -> None:
    """SQLCipher does not encrypt temporary files: a sort that spilled (the index rebuild sorts 200 MB at
    200,000 people) would leave names and ids on disk in the clear. Every connection keeps them in memory."""
    engine = sqlcipher_engine(tmp_path / "station.db", os.urandom(32))
    try:
        held = [engine.connect() for _ in range(2)]
        assert [c.exec_driver_sql("PRAGMA temp_store").scalar() for c in held] == [2, 2]  # 2: MEMORY
        for c in held:
            c.close()
    finally:
        engine.dispose()
