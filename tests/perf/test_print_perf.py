"""Print benchmarks: one ration card PDF, a sheet run of 200 cards, memory across repeated runs.

STATION_PERF_SHORT=1 (CI) runs smaller counts with proportional limits. Figures are printed (-s).
"""

from __future__ import annotations

import io
import os
import statistics
import time
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from station.printing import payload
from station.printing.card import render_cards
from station.printing.content import CardContent, labels
from station.printing.sheet import write_sheets
from tests.perf.conftest import short_mode

pytestmark = pytest.mark.perf
SHORT = short_mode()  # STATION_PERF_SHORT=0 for the full figures
FACES = Path(__file__).resolve().parents[1] / "data" / "faces"
KEY = bytes(range(32))
NAMES_AR = ["فاطمة حسين علي الجبوري", "ئاوێزان هەڵگورد عەبدوڵڵا", "عبد الرحمن محمد صالح الدليمي السامرائي"]


def portraits(n: int) -> list[bytes]:
    """n different 600x800 JPEGs (as a camera would give), so no run benefits from image reuse."""
    base = [Image.open(p).convert("RGB") for p in sorted(FACES.glob("*.jpg"))]
    out = []
    for i in range(n):
        im = ImageOps.fit(base[i % len(base)], (600 + i % 7, 800), centering=(0.3 + (i % 5) * 0.1, 0.5))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=85 - i % 10)
        out.append(buf.getvalue())
    return out


def cards(n: int) -> list[CardContent]:
    photos = portraits(n)
    res = []
    for i in range(n):
        regno = f"MKH-02-{i + 1:06d}-K"
        res.append(CardContent(regno, 1 + i % 3, NAMES_AR[i % 3] + f" {i}", f"Person Number {i} Al-Test", 1 + i % 9,
                               date(2026, 11, 25), payload.card_payload(KEY, regno, 1 + i % 3), photos[i]))
    return res


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_one_card_under_50ms() -> None:
    n = 30 if SHORT else 60
    batch = cards(n)
    lab = labels("ar")
    for c in batch[:3]:  # fonts and caches warm, as in a running station
        render_cards([c], lab)
    times = []
    for c in batch:
        t = time.perf_counter()
        pdf = render_cards([c], lab)
        times.append(time.perf_counter() - t)
        assert pdf.startswith(b"%PDF")
    med, p90 = statistics.median(times) * 1000, sorted(times)[int(0.9 * len(times))] * 1000
    print(f"\none ration card PDF (front+back, new portrait each): median {med:.1f} ms, p90 {p90:.1f} ms, n={n}")
    assert med < 50


def test_sheet_run_200_cards_under_10s() -> None:
    n = 50 if SHORT else 200
    limit = 10.0 * n / 200
    batch = cards(n)
    lab = labels("ckb")
    out = io.BytesIO()
    t = time.perf_counter()
    count = write_sheets(out, batch, lab)
    took = time.perf_counter() - t
    print(f"\nA4 sheet run: {count} cards, {2 * -(-count // 10)} pages, {took:.2f} s, "
          f"{len(out.getvalue()) / 2**20:.1f} MB PDF")
    assert count == n and took < limit


def test_memory_flat_across_runs() -> None:
    n = 30 if SHORT else 100
    runs = 4 if SHORT else 6
    batch = cards(n)
    lab = labels("ar")
    levels = []
    for _ in range(runs):
        out = io.BytesIO()
        write_sheets(out, batch, lab)
        del out
        levels.append(rss_mb())
    growth = levels[-1] - levels[1]
    print(f"\nRSS after each sheet run of {n} cards (MB): " + ", ".join(f"{v:.0f}" for v in levels))
    assert growth < 15, levels
