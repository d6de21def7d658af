"""Benchmarks: full figures with STATION_PERF_SHORT=0; CI runs a short mode (smaller N, looser bounds)."""

from __future__ import annotations

import os

import pytest


def short_mode() -> bool:
    return os.environ.get("STATION_PERF_SHORT", "1") != "0"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/perf/" in str(item.fspath):
            item.add_marker(pytest.mark.perf)
