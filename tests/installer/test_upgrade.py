"""A station made by the previous release (schema 0003, tests/data/schemas/0003/) opens in this build intact.

Like TagStudio's tests/core/library/test_migrations.py: the fixture was written once by release 0.1.0's code;
this build signs in (which migrates to the newest schema after a backup copy) and every row of every record
table must still be there, unchanged in the columns the old release knew.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect

from station.db.engine import sqlcipher_engine
from station.db.migrate import current_revision, head_revision
from station.security.keyring import Keyring
from station.services import audit
from station.services.station import sign_in
from tests.installer.schema_fixture import SCHEMAS, table_rows

RELEASED = sorted(p.name for p in SCHEMAS.iterdir() if (p / "manifest.json").is_file())


def _copy(revision: str, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    home = tmp_path / "home"
    shutil.copytree(SCHEMAS / revision, home)
    (home / "manifest.json").unlink()
    for f in home.iterdir():
        f.chmod(0o600)
    return home, json.loads((SCHEMAS / revision / "manifest.json").read_text(encoding="utf-8"))


def _missing_rows(engine: Any, expected: dict[str, Any]) -> dict[str, int]:
    """Per table, how many of the fixture's rows the database no longer holds (0 everywhere = intact)."""
    missing: dict[str, int] = {}
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        for table, spec in expected["tables"].items():
            if table not in present:
                missing[table] = len(spec["rows"])
                continue
            have = Counter(table_rows(conn, table, spec["columns"]))
            want = Counter(spec["rows"])
            lost = sum((want - have).values())
            if lost:
                missing[table] = lost
    return missing


def test_fixture_covers_the_previous_release() -> None:
    assert "0003" in RELEASED
    assert head_revision() >= RELEASED[-1]


@pytest.mark.parametrize("revision", RELEASED)
def test_released_station_opens_with_every_record(revision: str, tmp_path: Path) -> None:
    home, expected = _copy(revision, tmp_path)
    # The fixture as stored is what its manifest says (so a pass below means something).
    key = Keyring.load(home).unwrap(expected["admin"], expected["admin_passphrase"])
    engine = sqlcipher_engine(home / "station.db", key)
    try:
        assert current_revision(engine) == expected["revision"] == revision
        assert _missing_rows(engine, expected) == {}
    finally:
        engine.dispose()
    assert sum(len(t["rows"]) for t in expected["tables"].values()) > 150

    ctx = sign_in(expected["admin"], expected["admin_passphrase"], home)  # migrates, after a backup
    try:
        assert current_revision(ctx.db.engine) == head_revision()
        assert _missing_rows(ctx.db.engine, expected) == {}
        with ctx.db.reader() as uow:
            chain = audit.verify_station(uow, ctx.station_code)
        assert chain.ok, chain
    finally:
        ctx.close()
    backups = sorted((home / "backups").glob("station-*.db")) if (home / "backups").exists() else []
    assert len(backups) == (0 if revision == head_revision() else 1)
    clerk = sign_in(expected["clerk"], expected["clerk_passphrase"], home)  # the other account's key copy
    clerk.close()
    assert ctx.station_code == "MKH-02"


def test_a_lost_row_is_noticed(tmp_path: Path) -> None:
    """The comparison itself can fail: delete one hand-out and it reports exactly that."""
    home, expected = _copy(RELEASED[0], tmp_path)
    ctx = sign_in(expected["admin"], expected["admin_passphrase"], home)
    try:
        from sqlalchemy import text

        with ctx.db.engine.begin() as conn:
            conn.execute(text("DELETE FROM distributions WHERE rowid = (SELECT min(rowid) FROM distributions)"))
        assert _missing_rows(ctx.db.engine, expected) == {"distributions": 1}
    finally:
        ctx.close()
