"""Parallel wrong passphrases get no more tries than the throttle allows (issue 15): each attempt is counted
under the key file's lock before its key derivation, not after it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from station.security.kdf import KdfParams
from station.services.station import initialize
from tests.conftest import PASSPHRASE

ROOT = Path(__file__).resolve().parents[3]
ATTEMPTS = 16
ALLOWED = 4  # the throttle in the child processes: 4 tries, then locked (no growing delay to wait out)

CHILD = """
import sys, time
from pathlib import Path
from station.security import signin_guard
signin_guard.FREE_FAILURES = signin_guard.LOCK_AFTER = int(sys.argv[3])
from station.errors import StationError
from station.services.recovery import recover
from station.services.station import sign_in
home, go = Path(sys.argv[1]), Path(sys.argv[2])
(go.parent / ("ready-" + sys.argv[4])).touch()
while not go.exists():
    time.sleep(0.002)
try:
    if sys.argv[5] == "recovery":
        recover("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH", "boss", "a brand new passphrase", home).close()
    else:
        sign_in("admin", "not the passphrase at all", home).close()
    print("OPENED")
except StationError as exc:
    print(exc.code)
"""


@pytest.mark.parametrize(("door", "refusal"), [("sign-in", "error.bad_credentials"),
                                               ("recovery", "accounts.error.recovery_code_wrong")])
def test_parallel_wrong_passphrases_in_processes_get_only_the_allowed_tries(home: Path, tmp_path: Path, door: str,
                                                                          refusal: str) -> None:
    # a derivation slow enough (tens of ms) that parallel attempts overlap, as a real one (0.3 s) would
    kdf = KdfParams.fresh(time_cost=2, memory_kib=32768, parallelism=1)
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home, kdf=kdf)
    ctx.close()
    sync = tmp_path / "sync"
    sync.mkdir()
    go = sync / "go"
    env = {**os.environ, "STATION_HOME": str(home), "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(home), str(go), str(ALLOWED), str(i), door],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
             for i in range(ATTEMPTS)]
    try:
        deadline = time.monotonic() + 120
        while len(list(sync.glob("ready-*"))) < ATTEMPTS:  # every process started and imported: then all at once
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "a child did not start"
            time.sleep(0.01)
        go.touch()
        outcomes = Counter()
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err[-2000:]
            outcomes[out.strip()] += 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert outcomes == {refusal: ALLOWED, "error.account_locked": ATTEMPTS - ALLOWED}
