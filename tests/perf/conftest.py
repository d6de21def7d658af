"""Benchmarks: full figures with STATION_PERF_SHORT=0; CI runs a short mode (smaller N, looser bounds)."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest


def short_mode() -> bool:
    return os.environ.get("STATION_PERF_SHORT", "1") != "0"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/perf/" in str(item.fspath):
            item.add_marker(pytest.mark.perf)


@pytest.fixture(autouse=True)
def _earlier_benchmarks_heap_frozen() -> Iterator[None]:
    """The benchmarks run one after another in one process: what the earlier ones left is frozen (kept out of
    Python's cycle collections) while this one measures. A desk's process never carries forty benchmarks'
    objects; with them, the desk-save p95 was 326 ms CPU in the full run against 71 ms alone, most likely a
    full collection over those objects inside a timed save."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
