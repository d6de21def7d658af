"""Fonts registered once per process: HarfBuzz faces for shaping, glyph outlines, and ReportLab TTFonts."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

import uharfbuzz as hb
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from station.paths import fonts_dir

# One outline: a list of PDF path operators in font units ("m", x, y) / ("l", x, y) / ("c", 6 floats) / ("h",)
Outline = tuple[tuple[object, ...], ...]


class Family(StrEnum):
    """Font roles used on printed documents (each an ordered fallback chain)."""

    NAME_RTL = "name_rtl"  # names in Arabic script: Noto Naskh Arabic, Latin falls back to Noto Sans
    LABEL_RTL = "label_rtl"  # labels in Arabic script: Noto Sans Arabic
    LATIN = "latin"  # Noto Sans; Arabic letters in a Latin line fall back to Noto Sans Arabic


_FILES = {
    ("naskh", False): "NotoNaskhArabic-Regular.ttf",
    ("naskh", True): "NotoNaskhArabic-Bold.ttf",
    ("sans_ar", False): "NotoSansArabic-Regular.ttf",
    ("sans_ar", True): "NotoSansArabic-Bold.ttf",
    ("sans", False): "NotoSans-Regular.ttf",
    ("sans", True): "NotoSans-Bold.ttf",
}

_CHAINS = {
    Family.NAME_RTL: ("naskh", "sans"),
    Family.LABEL_RTL: ("sans_ar", "sans"),
    Family.LATIN: ("sans", "sans_ar"),
}

# ReportLab names of the Latin fonts (drawn as real, extractable text).
RL_REGULAR = "StationSans"
RL_BOLD = "StationSans-Bold"


class _Pen:
    """Collects a HarfBuzz glyph outline as PDF path operators, quadratic curves raised to cubics."""

    def __init__(self) -> None:
        self.ops: list[tuple[object, ...]] = []
        self._cur = (0.0, 0.0)

    def moveTo(self, p: tuple[float, float]) -> None:
        self.ops.append(("m", p[0], p[1]))
        self._cur = p

    def lineTo(self, p: tuple[float, float]) -> None:
        self.ops.append(("l", p[0], p[1]))
        self._cur = p

    def curveTo(self, *pts: tuple[float, float]) -> None:
        (c1, c2, p) = pts[-3:]
        self.ops.append(("c", c1[0], c1[1], c2[0], c2[1], p[0], p[1]))
        self._cur = p

    def qCurveTo(self, *pts: tuple[float, float]) -> None:
        # HarfBuzz hands quadratic segments one at a time: (control, end).
        q, p = pts[-2], pts[-1]
        p0 = self._cur
        c1 = (p0[0] + 2.0 / 3.0 * (q[0] - p0[0]), p0[1] + 2.0 / 3.0 * (q[1] - p0[1]))
        c2 = (p[0] + 2.0 / 3.0 * (q[0] - p[0]), p[1] + 2.0 / 3.0 * (q[1] - p[1]))
        self.ops.append(("c", c1[0], c1[1], c2[0], c2[1], p[0], p[1]))
        self._cur = p

    def closePath(self) -> None:
        self.ops.append(("h",))

    endPath = closePath


@dataclass
class Face:
    """One font file: HarfBuzz font for shaping and outlines, its character coverage, an outline cache."""

    key: str
    bold: bool
    path: str
    font: hb.Font
    upem: int
    coverage: frozenset[int]
    ascender: int
    descender: int
    _outlines: dict[int, Outline] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.coverage

    def outline(self, gid: int) -> Outline:
        got = self._outlines.get(gid)
        if got is None:
            pen = _Pen()
            with self._lock:  # HarfBuzz fonts are not meant to be drawn from two threads at once
                self.font.draw_glyph_with_pen(gid, pen)
            got = tuple(pen.ops)
            self._outlines[gid] = got
        return got


@cache
def face(key: str, bold: bool = False) -> Face:
    path = str(fonts_dir() / _FILES[(key, bold)])
    blob = hb.Blob.from_file_path(path)
    hb_face = hb.Face(blob)
    font = hb.Font(hb_face)
    extents = font.get_font_extents("ltr")
    return Face(
        key=key, bold=bold, path=path, font=font, upem=hb_face.upem, coverage=frozenset(hb_face.unicodes),
        ascender=extents.ascender, descender=extents.descender,
    )


def chain(family: Family, bold: bool = False) -> tuple[Face, ...]:
    return tuple(face(k, bold) for k in _CHAINS[family])


_rl_lock = threading.Lock()
_rl_done = False


def register_reportlab() -> None:
    """Register the Latin TTFonts with ReportLab (once per process; safe to call often)."""
    global _rl_done
    if _rl_done:
        return
    with _rl_lock:
        if _rl_done:
            return
        # Binary streams: ASCII85 would add a quarter to every portrait and cost time for nothing.
        rl_config.useA85 = 0
        pdfmetrics.registerFont(TTFont(RL_REGULAR, str(fonts_dir() / _FILES[("sans", False)])))
        pdfmetrics.registerFont(TTFont(RL_BOLD, str(fonts_dir() / _FILES[("sans", True)])))
        _rl_done = True


def rl_name(bold: bool) -> str:
    register_reportlab()
    return RL_BOLD if bold else RL_REGULAR
