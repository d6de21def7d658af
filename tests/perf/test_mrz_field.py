"""The harder MRZ benchmark (tests/station/scanning/fieldgen.py): five layouts, several OCR-B-like fonts,
character heights 6-20 px, one capture condition per image; ours and PassportEye on the same images.

Reports exact-and-valid, valid-but-wrong and verified-but-wrong (a field marked verified whose value is
wrong) per condition and per character height, on the tuning split and on the held-out split, and
writes the table to build/mrz_field_benchmark.txt. STATION_PERF_SHORT=1 (default): a small grid;
=0: every condition x every height x STATION_PERF_FIELD_REPS images per split. PassportEye runs on
STATION_PERF_PE_N images per split (tesseract's legacy model when the installed language data has it).
STATION_PERF_FIELD_HELD_OUT=N (N >= fieldgen.HELD_OUT; default fieldgen.HELD_OUT) draws the held-out split
from seeds N on: a fresh held-out set once the usual one has been looked at.
The hard rule asserted here: nothing wrong is ever marked verified.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from station.scanning.idscan import scan_image
from station.scanning.mrz.parse import PASSED, parse_lines
from tests.perf.conftest import short_mode
from tests.station.scanning import fieldgen

SHORT = short_mode()
REPS = int(os.environ.get("STATION_PERF_FIELD_REPS", "1" if SHORT else "3"))
HEIGHTS = (8, 14) if SHORT else fieldgen.HEIGHTS  # CI: two heights, one image each
PE_N = int(os.environ.get("STATION_PERF_PE_N", "3" if SHORT else "150"))
OUT = Path(__file__).resolve().parents[2] / "build" / "mrz_field_benchmark.txt"


def held_out_base() -> int:
    """The first held-out seed (never below fieldgen.HELD_OUT: the tuning seeds lie below it)."""
    base = int(os.environ.get("STATION_PERF_FIELD_HELD_OUT", str(fieldgen.HELD_OUT)))
    if base < fieldgen.HELD_OUT:
        raise ValueError(f"STATION_PERF_FIELD_HELD_OUT must be at least {fieldgen.HELD_OUT}")
    return base


def height_band(h: int) -> str:
    return "6-7" if h <= 7 else "8-9" if h <= 9 else "10-12" if h <= 12 else "13-20"


def _passporteye() -> Callable[[str], Any] | None:
    if shutil.which("tesseract") is None:
        return None
    try:
        warnings.filterwarnings("ignore")
        from passporteye import read_mrz
    except ImportError:
        return None
    legacy = "--oem 0"
    with tempfile.TemporaryDirectory() as tmp:  # the legacy engine needs language data that carries it
        probe = Path(tmp) / "probe.png"
        cv2.imwrite(str(probe), cv2.putText(255 * np.ones((200, 900, 3), np.uint8), "P<UTOERIKSSON<<ANNA",
                                            (10, 100), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3))
        try:
            read_mrz(str(probe), extra_cmdline_params=legacy)
        except Exception as exc:  # PassportEye passes on whatever tesseract reports
            if "legacy" in str(exc).lower():
                legacy = ""

    def run(path: str) -> Any:
        return read_mrz(path, extra_cmdline_params=legacy)

    run.legacy = bool(legacy)  # type: ignore[attr-defined]
    return run


def seeds(split: str) -> list[tuple[int, str, int]]:
    base = held_out_base() if split == "held_out" else 0
    out = []
    k = 0
    for condition in fieldgen.CONDITIONS:
        for h in HEIGHTS:
            for _ in range(REPS):
                out.append((base + k, condition, h))
                k += 1
    return out


def evaluate(split: str, read_pe: Callable[[str], Any] | None, tmp: Path) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for i, (seed, condition, h) in enumerate(seeds(split)):
        s = fieldgen.make(seed, condition=condition, char_h=h)
        truth = parse_lines(s.lines)
        t = time.perf_counter()
        r = scan_image(s.image, barcodes=False)
        ms = (time.perf_counter() - t) * 1000
        m = r.mrz
        exact = m is not None and m.valid and m.lines == s.lines
        wrong_verified = [] if m is None else [
            k for k, v in m.field_checks.items() if v == PASSED and m.fields.get(k) != truth.fields.get(k)]
        row = {"condition": condition, "band": height_band(h), "font": s.font, "layout": s.layout,
               "exact": exact, "valid_wrong": bool(m is not None and m.valid and not exact),
               "verified_wrong": len(wrong_verified), "ms": ms, "pe": None}
        if read_pe is not None and PE_N > 0 and i % max(1, len(seeds(split)) // PE_N) == 0:
            path = tmp / f"{split}{i}.png"
            cv2.imwrite(str(path), s.image)
            try:
                pe = read_pe(str(path))
            except Exception:
                pe = None
            pe_valid = bool(pe is not None and pe.valid)
            pe_exact = pe_valid and "\n".join(s.lines) in (pe.aux.get("text", ""), pe.aux.get("raw_text", ""))
            row["pe"] = (pe_exact, pe_valid and not pe_exact)
        rows.append(row)
    return {"rows": rows}


def table(split: str, rows: list[dict[str, Any]]) -> list[str]:
    lines = [f"== {split}: {len(rows)} images =="]
    for key in ("condition", "band", "font", "layout"):
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            groups[r[key]].append(r)
        lines.append(f"  by {key}: exact+valid | valid-but-wrong | verified-but-wrong fields | PassportEye "
                     "exact (n) / valid-but-wrong")
        for name in sorted(groups):
            g = groups[name]
            pe = [r["pe"] for r in g if r["pe"] is not None]
            pe_text = (f"{sum(p[0] for p in pe) / len(pe):6.1%} ({len(pe)}) / {sum(p[1] for p in pe)}"
                       if pe else "-")
            lines.append(f"    {name:16s} {sum(r['exact'] for r in g) / len(g):6.1%} (n={len(g):3d}) | "
                         f"{sum(r['valid_wrong'] for r in g):3d} | {sum(r['verified_wrong'] for r in g):3d} | "
                         f"{pe_text}")
    lines.append(f"  median time per image {statistics.median(r['ms'] for r in rows):.0f} ms")
    return lines


@pytest.mark.perf
def test_mrz_field_benchmark() -> None:
    read_pe = _passporteye()
    report: list[str] = [f"fonts: {', '.join(sorted(fieldgen.available_fonts()))}; heights {HEIGHTS}; "
                         f"reps {REPS}; held-out seeds from {held_out_base()}; PassportEye: "
                         + ("absent" if read_pe is None else "legacy model" if read_pe.legacy  # type: ignore[attr-defined]
                            else "LSTM model (no legacy data installed)")]
    all_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for split in ("tune", "held_out"):
            rows = evaluate(split, read_pe, Path(tmp))["rows"]
            report += table(split, rows)
            all_rows += rows
    text = "\n".join(report)
    print(text)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text + "\n", encoding="utf-8")
    assert sum(r["verified_wrong"] for r in all_rows) == 0  # nothing wrong is ever marked verified
    assert sum(r["exact"] for r in all_rows) > 0
