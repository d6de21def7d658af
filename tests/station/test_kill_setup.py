"""Set-up, account creation and the start-up backup + migration under SIGKILL at random moments (short:
a few kills each; tests/perf/test_kill_setup_perf.py does at least 50 each). After every kill the station
starts, with nothing lost, and an interrupted set-up or account creation can simply be run again."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.station.kill_harness import SCENARIOS, kill_many

KILLS = 3


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("op", sorted(SCENARIOS))
def test_kill_at_random_moments_leaves_a_station_that_starts(op: str, tmp_path: Path) -> None:
    prepare, check = SCENARIOS[op](tmp_path)
    report = kill_many(op, tmp_path / "runs", KILLS, prepare, check)
    assert report.kills == KILLS
    assert sum(report.outcomes.values()) == KILLS
