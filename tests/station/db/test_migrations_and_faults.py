"""Start-up migration backs the file up first; a full disk fails a save cleanly and loses nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select

from station.db.engine import DB_FILE, integrity_ok, sqlcipher_engine
from station.db.migrate import _config, current_revision, head_revision
from station.db.rows import HouseholdRow
from station.security.keyring import Keyring
from station.services.registration import register_household
from station.services.station import initialize, sign_in
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five

ROOT = Path(__file__).resolve().parents[3]


def test_old_schema_is_backed_up_then_migrated(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, family_of_five())
    key = ctx.db_key
    ctx.close()
    engine = sqlcipher_engine(home / DB_FILE, key)
    cfg = _config()
    with engine.begin() as conn:  # take the database back to the first released schema
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert current_revision(engine) == "0001"
    engine.dispose()
    ctx = sign_in("admin", PASSPHRASE, home)  # start-up migrates to head, after a backup copy
    try:
        assert current_revision(ctx.db.engine) == head_revision()
        with ctx.db.reader() as uow:
            assert uow.session.get(HouseholdRow, saved.id) is not None
    finally:
        ctx.close()
    backups = sorted((home / "backups").glob("station-*.db"))
    assert len(backups) == 1 and oct(backups[0].stat().st_mode & 0o777) == "0o600"
    old = sqlcipher_engine(backups[0], Keyring.load(home).unwrap("admin", PASSPHRASE))
    assert current_revision(old) == "0001" and integrity_ok(old)  # the copy is the pre-migration file
    old.dispose()


CHILD = r"""
import os, resource, signal, sys
from station.services.registration import register_household
from station.services.station import sign_in
from tests.factories import family_of_five
ctx = sign_in("admin", os.environ["PW"], None)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full device: writes fail instead of killing us
limit = sum(p.stat().st_size for p in __import__("pathlib").Path(os.environ["STATION_HOME"]).glob("station.db*"))
resource.setrlimit(resource.RLIMIT_FSIZE, (limit + 64 * 1024, resource.RLIM_INFINITY))
saved = 0
try:
    for _ in range(10_000):
        with ctx.db.uow() as uow:
            register_household(uow, ctx.actor, family_of_five())
        saved += 1
except Exception as exc:
    print("FAILED", type(exc).__name__, saved, flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
def test_full_disk_fails_cleanly_and_loses_nothing(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    with ctx.db.uow() as uow:
        first = register_household(uow, ctx.actor, family_of_five())
    ctx.close()
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env=os.environ | {"PW": PASSPHRASE, "PYTHONPATH": str(ROOT)})
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-800:]
    assert line.startswith("FAILED OperationalError"), line
    acknowledged = int(line.split()[-1])
    assert acknowledged >= 1  # some saves fitted before the device filled up
    ctx = sign_in("admin", PASSPHRASE, home)
    try:
        assert integrity_ok(ctx.db.engine)
        with ctx.db.reader() as uow:
            stored = uow.session.scalars(select(HouseholdRow.registration_number)).all()
        assert first.registration_number in stored
        assert len(stored) == acknowledged + 1  # every acknowledged save, and nothing half-written
    finally:
        ctx.close()



def test_closing_refreshes_the_planner_statistics(sqlite_ctx) -> None:
    from sqlalchemy import text

    from station.services.registration import register_household
    from tests.factories import family_of_five

    with sqlite_ctx.db.uow() as uow:
        for _ in range(30):
            register_household(uow, sqlite_ctx.actor, family_of_five())
    with sqlite_ctx.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar() == 0
    sqlite_ctx.db.dispose()  # what closing the station does
    with sqlite_ctx.db.engine.connect() as conn:  # the engine reopens on demand
        analysed = set(conn.execute(text("SELECT tbl FROM sqlite_stat1")).scalars())
    assert {"households", "individuals", "name_tokens"} <= analysed
