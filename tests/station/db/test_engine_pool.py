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
