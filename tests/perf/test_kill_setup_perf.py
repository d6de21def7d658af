"""Benchmark: SIGKILL at random moments inside set-up, account creation and the start-up backup +
migration, at least 50 kills each (full mode, STATION_PERF_SHORT=0; short mode: 3 each).

After every kill the station must start with nothing lost (tests/station/kill_harness.py checks: the
set-up either finished, with its recovery code saved, or runs again; the account either exists and signs
in or its name is still free; the migration is done or redone, every household is there, and every backup
that looks complete is complete). Prints how the kills landed.

    STATION_PERF_SHORT=0 .venv/bin/python -m pytest -q -p no:cacheprovider tests/perf/test_kill_setup_perf.py -s
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.perf.conftest import short_mode
from tests.station.kill_harness import SCENARIOS, kill_many

KILLS = 3 if short_mode() else 50


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("op", sorted(SCENARIOS))
def test_kills_during_setup_operations(op: str, tmp_path: Path) -> None:
    prepare, check = SCENARIOS[op](tmp_path)
    report = kill_many(op, tmp_path / "runs", KILLS, prepare, check, seed=1600 + len(op))
    print(f"\n[perf] kill {op}: {report.kills} kills over an operation of {report.op_seconds * 1000:.0f} ms; "
          f"{report.finished_before_kill} finished before their kill; outcomes {report.outcomes}")
    assert report.kills == KILLS >= (3 if short_mode() else 50)
    assert sum(report.outcomes.values()) == KILLS
