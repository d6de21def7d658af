"""Migration 0005: a household's arrival, kept as the station's wall-clock time until then, becomes UTC.

Runs on the released 0003 station (tests/data/schemas/0003) with its zone set to Baghdad (UTC+3 all
year), so every arrival must move three hours back in storage and read back unchanged on screen.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from station import settings
from station.db.engine import sqlcipher_engine
from station.db.migrate import current_revision, head_revision
from station.db.rows import HouseholdRow
from station.security.keyring import Keyring
from station.services.station import sign_in
from station.services.views import household_view
from tests.installer.schema_fixture import ADMIN, ADMIN_PASSPHRASE, SCHEMAS

BAGHDAD = ZoneInfo("Asia/Baghdad")


def _raw_arrivals(home: Path, key: bytes) -> dict[str, datetime]:
    engine = sqlcipher_engine(home / "station.db", key)
    try:
        with engine.connect() as conn:
            return {hid: datetime.fromisoformat(at) for hid, at in
                    conn.execute(text("SELECT id, arrived_at FROM households"))}
    finally:
        engine.dispose()


def test_arrivals_become_utc_and_read_back_as_the_clerk_typed_them(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("STATION_HOME", str(home))  # as the station process runs: its zone is its home's
    shutil.copytree(SCHEMAS / "0003", home)
    (home / "manifest.json").unlink()
    for f in home.iterdir():
        f.chmod(0o600)
    settings.update(settings.StationSettings, home, time_zone="Asia/Baghdad")
    key = Keyring.load(home).unwrap(ADMIN, ADMIN_PASSPHRASE)
    before = _raw_arrivals(home, key)
    assert len(before) >= 10

    ctx = sign_in(ADMIN, ADMIN_PASSPHRASE, home)
    try:
        assert current_revision(ctx.db.engine) == head_revision()
        with ctx.db.reader() as uow:
            rows = {r.id: r for r in uow.session.query(HouseholdRow)}
            for hid, wall in before.items():
                stored = rows[hid].arrived_at
                assert stored == wall - timedelta(hours=3), hid  # naive UTC in the database
                shown = household_view(rows[hid], set()).arrived_at
                assert shown.tzinfo is not None and shown.utcoffset() == timedelta(hours=3)
                assert shown.replace(tzinfo=None) == wall  # the desk shows what was typed
    finally:
        ctx.close()
