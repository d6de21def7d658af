"""Right-to-left text for print: Unicode bidi levels, HarfBuzz shaping per run, glyphs placed in visual order.

Why not arabic-reshaper + python-bidi: Sorani letters such as ێ (U+06CE) and ڵ (U+06B5) have no
presentation forms and print unjoined. Why not bidi first and HarfBuzz after: the letters get reversed
twice. So: python-bidi resolves the embedding level of every character (logical order), the text is cut
into runs of one level and one font, HarfBuzz shapes each run in its own direction (its output is
already left to right on the page), and the runs are reordered by rule L2 of the bidi algorithm.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import uharfbuzz as hb
from bidi import algorithm as _bidi
from bidi import get_display as _rust_display

from station.printing.fonts import Face, Family, chain

# Characters the bidi algorithm drops (X9) and that mean nothing on a printed name.
_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


_LEVEL = re.compile(r"Level\(\s*(\d+)")


@dataclass(frozen=True)
class Glyph:
    face: Face
    gid: int
    x: float  # pen position in em (font size 1), from the left edge of the line
    y: float


@dataclass(frozen=True)
class ShapedLine:
    text: str
    glyphs: tuple[Glyph, ...]  # visual order, left to right
    width: float  # advance width in em
    base_rtl: bool  # paragraph direction (first strong character)
    has_rtl: bool  # any character at an odd (right-to-left) level

    def width_at(self, size: float) -> float:
        return self.width * size


def bidi_levels(text: str) -> tuple[list[str], list[int], int]:
    """Characters (bidi controls removed), their resolved embedding levels (logical order), and the base level.

    The levels come from python-bidi's Rust engine (unicode-bidi: the current algorithm, with the bracket
    pairs of rule N0 that Qt applies too), read from its debug report; should that report ever change
    shape, the package's older pure-Python algorithm (no rule N0) takes over.
    """
    text = text.translate(_CONTROLS)
    levels = _rust_levels(text)
    if levels is None:
        chars, levels, base = _python_levels(text)
    else:
        chars, base = list(text), (_bidi.get_base_level(text) if text else 0)
    # Rule L1 (the part that matters on one line): trailing whitespace takes the paragraph level.
    i = len(chars) - 1
    while i >= 0 and chars[i].isspace():
        levels[i] = base
        i -= 1
    return chars, levels, base


def _rust_levels(text: str) -> list[int] | None:
    if not text:
        return []
    try:
        report = str(_rust_display(text, debug=True))
        section = report.split("levels:", 1)[1].split("paragraphs:", 1)[0]
        per_byte = [int(v) for v in _LEVEL.findall(section)]
    except (IndexError, ValueError):  # pragma: no cover - report format changed
        return None
    if len(per_byte) != len(text.encode("utf-8")):  # pragma: no cover
        return None
    levels, offset = [], 0
    for ch in text:
        levels.append(per_byte[offset])
        offset += len(ch.encode("utf-8"))
    return levels


def _python_levels(text: str) -> tuple[list[str], list[int], int]:
    # Boundary-neutral characters (ZWNJ, ZWJ...) are dropped by this algorithm (rule X9) but change the
    # shaping: take them out, then give each the level of the character before it.
    kept = [(i, ch) for i, ch in enumerate(text) if unicodedata.bidirectional(ch) == "BN"]
    if kept:
        text = "".join(ch for ch in text if unicodedata.bidirectional(ch) != "BN")
    storage = _bidi.get_empty_storage()
    base = _bidi.get_base_level(text)
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    _bidi.get_embedding_levels(text, storage)
    _bidi.explicit_embed_and_overrides(storage)
    _bidi.resolve_weak_types(storage)
    _bidi.resolve_neutral_types(storage, False)
    _bidi.resolve_implicit_levels(storage, False)
    chars = [c["ch"] for c in storage["chars"]]
    levels = [int(c["level"]) for c in storage["chars"]]
    for i, ch in kept:
        chars.insert(i, ch)
        levels.insert(i, levels[i - 1] if i > 0 and levels else base)
    return chars, levels, base


def _pick_face(ch: str, faces: tuple[Face, ...], previous: Face | None) -> Face:
    """The first face of the chain covering `ch`; marks and spaces stay with the previous face."""
    if previous is not None and previous.covers(ch) and (
        ch.isspace() or unicodedata.category(ch) in ("Mn", "Me", "Cf") or unicodedata.bidirectional(ch) in (
            "ON", "CS", "ES", "ET", "EN", "AN", "NSM", "WS")
    ):
        return previous
    for f in faces:
        if f.covers(ch):
            return f
    return previous or faces[0]


def _runs(chars: list[str], levels: list[int], faces: tuple[Face, ...]) -> list[tuple[str, int, Face]]:
    """Logical-order runs of equal level and equal face."""
    runs: list[tuple[str, int, Face]] = []
    buf: list[str] = []
    cur_level = -1
    cur_face: Face | None = None
    for ch, lvl in zip(chars, levels, strict=True):
        f = _pick_face(ch, faces, cur_face if lvl == cur_level else None)
        if buf and (lvl != cur_level or f is not cur_face):
            assert cur_face is not None
            runs.append(("".join(buf), cur_level, cur_face))
            buf = []
        buf.append(ch)
        cur_level, cur_face = lvl, f
    if buf and cur_face is not None:
        runs.append(("".join(buf), cur_level, cur_face))
    return runs


def _visual_order(levels: list[int]) -> list[int]:
    """Indices of runs in display order (rule L2: reverse from the highest level down to the lowest odd)."""
    order = list(range(len(levels)))
    if not levels:
        return order
    highest = max(levels)
    lowest_odd = min(lv for lv in levels) | 1
    for lvl in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= lvl:
                j = i
                while j < len(order) and levels[order[j]] >= lvl:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order


def _shape_run(text: str, rtl: bool, f: Face) -> tuple[list[tuple[int, float, float]], float]:
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    hb.shape(f.font, buf, {"kern": True, "liga": True})
    out: list[tuple[int, float, float]] = []
    pen = 0.0
    scale = 1.0 / f.upem
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        out.append((info.codepoint, (pen + pos.x_offset) * scale, pos.y_offset * scale))
        pen += pos.x_advance
    return out, pen * scale


@lru_cache(maxsize=4096)
def shape(text: str, family: Family = Family.LATIN, bold: bool = False) -> ShapedLine:
    """Shape one line of text in a font family; glyph positions are in em, in visual order."""
    faces = chain(family, bold)
    chars, levels, base = bidi_levels(text)
    runs = _runs(chars, levels, faces)
    glyphs: list[Glyph] = []
    x = 0.0
    for idx in _visual_order([r[1] for r in runs]):
        run_text, lvl, f = runs[idx]
        placed, advance = _shape_run(run_text, lvl % 2 == 1, f)
        glyphs.extend(Glyph(f, gid, x + gx, gy) for gid, gx, gy in placed)
        x += advance
    return ShapedLine(
        text=text, glyphs=tuple(glyphs), width=x, base_rtl=base == 1, has_rtl=any(lv % 2 for lv in levels)
    )


def needs_shaping(text: str) -> bool:
    """True when the text holds right-to-left characters (or anything the Latin font cannot draw alone)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL", "AN", "RLE", "RLO", "RLI") for ch in text)
