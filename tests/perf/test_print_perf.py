"""Print benchmarks: one ration card PDF (and its cost against a bare ReportLab canvas), a sheet run of
200 cards, memory across repeated runs.

STATION_PERF_SHORT=1 (CI) runs smaller counts with proportional limits. Figures are printed (-s).
Run: STATION_PERF_SHORT=0 .venv/bin/python -m pytest -q -s -p no:cacheprovider tests/perf/test_print_perf.py

Card against bare canvas (issue 18: "within 1.3x"), measured 2026-12-01 on a shared 2-core machine, CPU time
(time.process_time), one card at a time: before 36.3 ms against 19.6 ms (1.85x; Sorani 2.04x). The extra
went to deflating the ~180 KB of glyph-outline page streams at zlib level 6 (~13 ms), formatting each new
name's ~4,000 outline numbers one by one (~8 ms) and drawImage decoding the whole portrait only to name it
(~2.7 ms). After (station/printing/pdfstream.py: level-1 deflate and the JPEG named by its bytes;
draw._line_code formatting on arrays), full mode, best of 9 rounds: Arabic 17.9 ms against 20.2 ms
(0.89x), Sorani 21.0 ms against 17.5 ms (1.20x; round-to-round spread on the loaded machine is +-30 %).
Printed pixels unchanged (tests/station/printing/test_pdf_speedups.py); PDFs about 9 % larger.
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
from reportlab.lib.colors import Color, white
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from station.paths import fonts_dir
from station.printing import payload
from station.printing.card import render_cards
from station.printing.content import CardContent, Labels, labels
from station.printing.draw import qr_ec_level, qr_modules
from station.printing.fonts import RL_BOLD, RL_REGULAR, register_reportlab
from station.printing.geometry import PT_PER_MM, CardLayout, TextSlot
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


def cards(n: int, first: int = 0) -> list[CardContent]:
    """n cards, each with its own name (`first` keeps two runs of one process apart: shaped names are cached)."""
    photos = portraits(n)
    res = []
    for i in range(first, first + n):
        regno = f"MKH-02-{i + 1:06d}-K"
        res.append(CardContent(regno, 1 + i % 3, NAMES_AR[i % 3] + f" {i}", f"Person Number {i} Al-Test", 1 + i % 9,
                               date(2026, 11, 25), payload.card_payload(KEY, regno, 1 + i % 3), photos[i - first]))
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
    times, walls = [], []
    for c in batch:  # CPU time: this machine kind is shared, and the wall clock counts the neighbours' work
        t, w = time.process_time(), time.perf_counter()
        pdf = render_cards([c], lab)
        times.append(time.process_time() - t)
        walls.append(time.perf_counter() - w)
        assert pdf.startswith(b"%PDF")
    med, p90 = statistics.median(times) * 1000, sorted(times)[int(0.9 * len(times))] * 1000
    print(f"\none ration card PDF (front+back, new portrait each): median {med:.1f} ms CPU, p90 {p90:.1f} ms CPU, "
          f"wall median {statistics.median(walls) * 1000:.1f} ms, n={n}")
    assert med < 50


BARE_AR = "BareNotoSansArabic"


def bare_card(card: CardContent, lab: Labels) -> bytes:
    """The reference: a plain ReportLab canvas drawing the same boxes, strings, portrait and QR on both sides.

    Strings are plain drawString calls (Arabic script unshaped, in a registered Noto Sans Arabic), the
    camera JPEG goes to drawImage as it is, and the QR is one rectangle per dark module.
    """
    register_reportlab()
    if BARE_AR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(BARE_AR, str(fonts_dir() / "NotoSansArabic-Regular.ttf")))
    lay = CardLayout()
    out = io.BytesIO()
    c = Canvas(out, pagesize=(lay.width * PT_PER_MM, lay.height * PT_PER_MM), pageCompression=1)

    def text(s: str, slot: TextSlot, font: str = RL_REGULAR) -> None:
        c.setFont(font, slot.size)
        c.drawString(slot.x * PT_PER_MM, slot.y * PT_PER_MM, s)

    def header(latin: str, local: str, lt: TextSlot, ls: TextSlot) -> None:
        c.setFillColor(Color(0.09, 0.3, 0.5))
        c.rect(*lay.header.pt(), stroke=0, fill=1)
        c.setFillColor(white)
        text(latin, lt, RL_BOLD)
        text(local, ls, BARE_AR)

    header(lab.title[0], lab.title[1], lay.title_latin, lay.title_local)
    assert card.portrait_jpeg
    c.drawImage(ImageReader(io.BytesIO(card.portrait_jpeg)), *lay.portrait.pt())
    c.setFillColor(Color(0.11, 0.11, 0.13))
    text(card.registration_number, lay.regno, RL_BOLD)
    text(card.name_local, lay.name_local, BARE_AR)
    text(card.name_latin.upper(), lay.name_latin, RL_BOLD)
    for box, label, value in zip(lay.fields, (lab.household_size, lab.issued),
                                 (str(card.household_size), card.issued_on.isoformat()), strict=True):
        x, y, w, h = box.pt()
        c.setFont(RL_REGULAR, 5.2)
        c.drawString(x, y + h - 5, label[0])
        c.setFont(BARE_AR, 5.6)
        c.drawRightString(x + w, y + h - 5, label[1])
        c.setFont(RL_BOLD, 9.5)
        c.drawString(x, y + 0.5, value)
    qx, qy, qs, _ = lay.qr.pt()
    mods = qr_modules(card.payload, qr_ec_level(card.payload))
    n = mods.shape[0]
    m = qs / n
    path = c.beginPath()
    for r in range(n):
        for col in range(n):
            if mods[r, col]:
                path.rect(qx + col * m, qy + (n - 1 - r) * m, m, m)
    c.drawPath(path, stroke=0, fill=1)
    text(f"{lab.card_no[0]} {card.issue}", lay.qr_caption)
    text(f"{lab.card_no[1]} {card.issue}", lay.qr_caption_local, BARE_AR)
    c.line(3.5 * PT_PER_MM, lay.rule_y * PT_PER_MM, (lay.width - 3.5) * PT_PER_MM, lay.rule_y * PT_PER_MM)
    text(f"{lab.free[0]}  {lab.latest_only[0]}", lay.footer)
    text(f"{lab.free[1]} {lab.latest_only[1]}", lay.footer_local, BARE_AR)
    c.showPage()
    header(lab.rounds[0], lab.rounds[1], lay.back_title_latin, lay.back_title_local)
    gx, gy, gw, gh = lay.grid.pt()
    cw, ch = gw / lay.grid_cols, gh / lay.grid_rows
    c.rect(gx, gy, gw, gh, stroke=0, fill=1)
    for i in range(lay.grid_rows + 1):
        c.line(gx, gy + i * ch, gx + gw, gy + i * ch)
    for j in range(lay.grid_cols + 1):
        c.line(gx + j * cw, gy, gx + j * cw, gy + gh)
    c.setFont(RL_REGULAR, 5)
    for k in range(lay.grid_rows * lay.grid_cols):
        c.drawString(gx + (k % lay.grid_cols) * cw + 1.2, gy + gh - (k // lay.grid_cols) * ch - 6, str(k + 1))
    text(f"{card.registration_number}  ·  {lab.return_note[0]}", lay.back_footer)
    text(lab.return_note[1], lay.back_footer_local, BARE_AR)
    c.showPage()
    c.save()
    return out.getvalue()


@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_card_within_1_3x_of_a_bare_canvas(lang: str) -> None:
    """Issue 18: a ration card PDF costs at most 1.3x a bare canvas drawing the same things.

    CPU time (time.process_time) of each, interleaved card by card, so a busy shared machine slows both
    alike; the best round of each is compared; wall time is printed beside it.
    """
    rounds, per_round = (5, 6) if SHORT else (9, 10)
    batch = cards(3 + rounds * per_round, first=10_000 * (1 + ['ar', 'ckb'].index(lang)))  # all new names
    lab = labels(lang)
    for c in batch[:3]:  # fonts, shaping and QR caches warm, as in a running station
        render_cards([c], lab)
        bare_card(c, lab)
    cpu: dict[str, list[float]] = {"card": [], "bare": []}
    wall: dict[str, list[float]] = {"card": [], "bare": []}
    for r in range(rounds):
        spent = {"card": 0.0, "bare": 0.0}
        walls = {"card": 0.0, "bare": 0.0}
        for c in batch[3 + r * per_round: 3 + (r + 1) * per_round]:
            for name, fn in (("card", render_cards), ("bare", bare_card)):
                t, w = time.process_time(), time.perf_counter()
                pdf = fn([c], lab) if name == "card" else fn(c, lab)  # type: ignore[arg-type]
                spent[name] += time.process_time() - t
                walls[name] += time.perf_counter() - w
                assert pdf.startswith(b"%PDF")
        for name in spent:
            cpu[name].append(spent[name] * 1000 / per_round)
            wall[name].append(walls[name] * 1000 / per_round)
    # the least disturbed round of each (timeit's rule: noise only ever adds time)
    med = {k: min(v) for k, v in cpu.items()}
    wmed = {k: min(v) for k, v in wall.items()}
    ratio = med["card"] / med["bare"]
    print(f"\n[{lang}] ration card PDF {med['card']:.1f} ms CPU ({wmed['card']:.1f} ms wall) against a bare canvas "
          f"{med['bare']:.1f} ms CPU ({wmed['bare']:.1f} ms wall): {ratio:.2f}x; best of {rounds} rounds of "
          f"{per_round} cards; CPU per round: card " + ", ".join(f"{v:.1f}" for v in cpu["card"])
          + "; bare " + ", ".join(f"{v:.1f}" for v in cpu["bare"]))
    assert ratio <= 1.3, med


def test_sheet_run_200_cards_under_10s() -> None:
    n = 50 if SHORT else 200
    limit = 10.0 * n / 200
    batch = cards(n)
    lab = labels("ckb")
    out = io.BytesIO()
    t, w = time.process_time(), time.perf_counter()
    count = write_sheets(out, batch, lab)
    took = time.process_time() - t  # CPU time (shared machine), wall printed beside it
    print(f"\nA4 sheet run: {count} cards, {2 * -(-count // 10)} pages, {took:.2f} s CPU "
          f"({time.perf_counter() - w:.2f} s wall), "
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
