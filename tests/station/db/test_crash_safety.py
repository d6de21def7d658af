"""Kill the program (SIGKILL) mid-save, 100 times: every acknowledged save survives, integrity holds."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from station.db.engine import integrity_ok
from station.db.rows import HouseholdRow
from station.services import audit
from station.services.station import initialize, sign_in
from tests.conftest import PASSPHRASE

ROOT = Path(__file__).resolve().parents[3]
ROUNDS = int(os.environ.get("STATION_CRASH_ROUNDS", "100"))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_mid_save_loses_no_acknowledged_household(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    ctx.close()
    env = os.environ | {"CRASH_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(ROOT)}
    rng = random.Random(7)
    acknowledged: set[str] = set()
    killed_mid_write = 0
    for _round in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, "-m", "tests.station.db.crash_writer"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "READY"
        for _ in range(rng.randint(0, 4)):
            line = proc.stdout.readline()
            while line.startswith("BEGIN"):
                line = proc.stdout.readline()
            assert line.startswith("ACK ")
            acknowledged.add(line.split()[1])
        time.sleep(rng.uniform(0, 0.02))  # land the kill anywhere inside the next save
        proc.send_signal(signal.SIGKILL)
        rest = proc.stdout.read()  # acknowledgements already written before the kill count too
        proc.wait()
        lines = rest.splitlines()
        acknowledged.update(line.split()[1] for line in lines if line.startswith("ACK "))
        killed_mid_write += bool(lines) and lines[-1] == "BEGIN"  # a save had started and was not acknowledged
        # after every kill: the database opens, passes the integrity check and holds every acknowledged save
        ctx = sign_in("admin", PASSPHRASE, home)
        try:
            assert integrity_ok(ctx.db.engine)
            with ctx.db.reader() as uow:
                stored = set(uow.session.scalars(select(HouseholdRow.registration_number)))
                assert acknowledged <= stored, sorted(acknowledged - stored)[:5]
                assert all(r.ok for r in audit.verify_all(uow))
        finally:
            ctx.close()
    assert killed_mid_write >= ROUNDS // 2, killed_mid_write  # most kills really landed inside a save
    assert len(acknowledged) > ROUNDS  # the test really saved
