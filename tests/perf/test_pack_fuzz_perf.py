"""Benchmark: fuzz pack import (container, codec, merge) with Hypothesis for a long run: no traceback (only
catalogued refusals), no hang (each import under a deadline), bounded memory (peak RSS under 500 MB).

Full mode (STATION_PERF_SHORT=0): 1,500 examples of each kind; short mode (CI): 30.

    STATION_PERF_SHORT=0 .venv/bin/python -m pytest -q -p no:cacheprovider tests/perf/test_pack_fuzz_perf.py -s
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from station.errors import StationError
from station.export.crypto import generate_office_key, load_private_key
from station.services.pack_import import import_pack
from station.services.station import StationContext, initialize
from tests.conftest import PASSPHRASE
from tests.perf.conftest import short_mode
from tests.station.export.pack_fuzz import edits, mutate, records, sealed_pack
from tests.station.export.test_pack_hostile import IMPORT_CODES

EXAMPLES = 30 if short_mode() else 1500
PEAK_MB = 500
_stats: dict[str, list[float]] = {"records": [], "bytes": []}


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StationContext, Any, Path]]:
    home = tmp_path_factory.mktemp("office")
    ctx, _ = initialize(site_code="OFF", station_number=1, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    priv, _pub = generate_office_key("office key passphrase")
    key = home.parent / "office.key"
    key.write_bytes(priv)
    yield ctx, load_private_key(key, "office key passphrase"), home.parent
    ctx.close()


def _try(office: tuple[StationContext, Any, Path], data: bytes, kind: str) -> None:
    ctx, private, folder = office
    path = folder / "fuzz.rspack"
    path.write_bytes(data)
    t = time.perf_counter()
    try:
        import_pack(ctx.db, ctx.actor, path, private)
    except StationError as exc:
        assert exc.code in IMPORT_CODES, exc.code
    _stats[kind].append(time.perf_counter() - t)


_SETTINGS = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=5), derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck))


@_SETTINGS
@given(recs=records)
def test_fuzz_record_streams(office: tuple[StationContext, Any, Path], recs: list[Any]) -> None:
    _try(office, sealed_pack(office[1].public_key(), recs), "records")


@_SETTINGS
@given(e=edits)
def test_fuzz_pack_bytes(office: tuple[StationContext, Any, Path], e: list[tuple[int, int, int]]) -> None:
    base = sealed_pack(office[1].public_key(), [("audit", {"seq": 1}, b""), ("households", {"id": "x"}, b"")])
    _try(office, mutate(base, e), "bytes")


def _reset_peak() -> None:
    """Start the memory high-water mark afresh (Linux: clear_refs 5), so earlier tests in a long-lived
    worker process do not count; elsewhere the process-wide peak stands."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture(autouse=True, scope="module")
def _fresh_peak() -> None:
    _reset_peak()


def test_fuzz_figures() -> None:
    peak = _peak_mb()
    for kind, times in _stats.items():
        if times:
            times.sort()
            print(f"\n[perf] pack fuzz {kind}: {len(times)} imports, median {times[len(times) // 2] * 1000:.1f} ms, "
                  f"max {times[-1] * 1000:.1f} ms")
    print(f"[perf] pack fuzz peak RSS {peak:.0f} MB (bound {PEAK_MB} MB)")
    assert peak < PEAK_MB
