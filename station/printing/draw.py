"""Drawing primitives on a ReportLab canvas: fitted bidi text, QR and Code128 codes, portraits, placeholders.

Coordinates here are in points (1/72 inch); layouts convert from millimetres. Text with no right-to-left
character is set as real PDF text in Noto Sans (selectable, found by pdftotext). Text with Arabic-script
characters is shaped by HarfBuzz and drawn as glyph outlines (filled paths): the print matches Qt's
rendering exactly, but that text is not extractable from the PDF.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import Literal

import numpy as np
import zxingcpp
from PIL import Image, ImageOps
from reportlab.lib.colors import Color, black
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from station.printing.fonts import Face, Family, rl_name
from station.printing.pdfstream import JpegReader
from station.printing.shaping import ShapedLine, needs_shaping, shape

Align = Literal["left", "right", "center"]
MM = 72.0 / 25.4
PRINT_DPI = 300


def measure(text: str, size: float, family: Family = Family.LATIN, bold: bool = False) -> float:
    """Advance width in points of `text` at `size` (same path as drawing)."""
    if family is Family.LATIN and not needs_shaping(text):
        return float(stringWidth(text, rl_name(bold), size))
    return shape(text, family, bold).width_at(size)


def fit_size(text: str, size: float, max_width: float, family: Family, bold: bool, min_size: float) -> float:
    width = measure(text, size, family, bold)
    if width <= max_width or width == 0:
        return size
    return max(min_size, size * max_width / width * 0.999)


def draw_text(
    c: Canvas,
    text: str,
    x: float,
    y: float,
    size: float,
    *,
    family: Family = Family.LATIN,
    bold: bool = False,
    align: Align = "left",
    max_width: float | None = None,
    min_size: float = 4.0,
    color: Color = black,
) -> float:
    """Draw one line at baseline `y`; `x` is the left, right or centre anchor. Returns the size used.

    A line wider than `max_width` shrinks down to `min_size`, then is condensed horizontally: it never
    overflows its box.
    """
    if not text:
        return size
    if max_width is not None:
        size = fit_size(text, size, max_width, family, bold, min_size)
    width = measure(text, size, family, bold)
    squeeze = 1.0
    if max_width is not None and width > max_width:
        squeeze = max_width / width
        width = max_width
    left = x if align == "left" else x - width if align == "right" else x - width / 2
    c.saveState()
    c.setFillColor(color)
    if family is Family.LATIN and not needs_shaping(text):
        if squeeze != 1.0:
            c.translate(left, y)
            c.scale(squeeze, 1.0)
            c.setFont(rl_name(bold), size)
            c.drawString(0, 0, text)
        else:
            c.setFont(rl_name(bold), size)
            c.drawString(left, y, text)
    else:
        _draw_outlines(c, shape(text, family, bold), family, bold, left, y, size, squeeze)
    c.restoreState()
    return size


UNITS = 1000.0  # shaped lines are kept as PDF path operators in thousandths of an em


_OP_TEMPLATE = {"m": "{} {} m", "l": "{} {} l", "c": "{} {} {} {} {} {} c", "h": "h"}
_POINT_ZERO = re.compile(r"\.0(?= )")  # every number in a path is followed by a space: "12.0 " -> "12 "
_compiled: dict[tuple[str, int], tuple[str, np.ndarray, np.ndarray]] = {}


def _compiled_glyph(face: Face, gid: int) -> tuple[str, np.ndarray, np.ndarray]:
    """A glyph's path as a format template ("{} {} m\n..."), its coordinates in font units, and which are x."""
    key = (face.path, gid)
    got = _compiled.get(key)
    if got is None:
        ops = face.outline(gid)
        coords: list[float] = []
        for op in ops:
            coords.extend(op[1:])  # type: ignore[arg-type]
        is_x = np.zeros(len(coords), bool)
        is_x[0::2] = True  # every operator takes (x, y) pairs
        got = ("\n".join(_OP_TEMPLATE[str(op[0])] for op in ops), np.array(coords, float), is_x)
        _compiled[key] = got
    return got


@lru_cache(maxsize=4096)
def _line_code(text: str, family: Family, bold: bool) -> str:
    """The PDF path operators of a whole shaped line, in em/1000 units; computed once per process.

    Repeated labels cost nothing after the first card; each new name is formatted once. Every number
    is f"{ox + v * k:.1f}" less a trailing ".0", as before: the same float operations, done on arrays
    and formatted in one pass (a name has some 4,000 numbers: ~10 ms one by one, ~1.5 ms so).
    """
    line = shape(text, family, bold)
    templates: list[str] = []
    values: list[np.ndarray] = []
    for g in line.glyphs:
        template, coords, is_x = _compiled_glyph(g.face, g.gid)
        if not template:
            continue
        k = UNITS / g.face.upem
        scaled = coords * k
        values.append(np.where(is_x, g.x * UNITS + scaled, g.y * UNITS + scaled))
        templates.append(template)
    if not templates:
        return ""
    numbers = map("{:.1f}".format, np.concatenate(values).tolist())
    code = "\n".join(templates).format(*numbers)
    return _POINT_ZERO.sub("", code)


def _draw_outlines(
    c: Canvas, line: ShapedLine, family: Family, bold: bool, x: float, y: float, size: float, squeeze: float
) -> None:
    code = _line_code(line.text, family, bold)
    if not code:
        return
    scale = size / UNITS
    c.saveState()
    c.transform(scale * squeeze, 0, 0, scale, x, y)
    # ReportLab has no public call for a ready-made path; its own drawing methods append to _code alike.
    c._code.append(code + "\nf")  # type: ignore[attr-defined]  # ReportLab's page stream: no public API  # "f": fill, non-zero winding as TrueType outlines expect
    c.restoreState()


# --- codes -----------------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def qr_modules(payload: str, ec_level: str = "M") -> np.ndarray:
    """The QR symbol as a boolean matrix (True = dark), without quiet zone."""
    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=ec_level)
    return np.asarray(code.to_image(scale=1, add_quiet_zones=False)) < 128


def qr_ec_level(payload: str) -> str:
    """Higher error correction when the payload is short (the symbol stays small either way)."""
    return "Q" if len(payload) <= 40 else "M" if len(payload) <= 120 else "L"


@lru_cache(maxsize=1024)
def code128_modules(payload: str) -> np.ndarray:
    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.Code128)
    img = np.asarray(code.to_image(scale=1, add_quiet_zones=False))
    row: np.ndarray = img[img.shape[0] // 2] < 128
    return row


def draw_qr(c: Canvas, payload: str, x: float, y: float, size: float, color: Color = black) -> float:
    """Draw a QR code filling a `size` square at (x, y) bottom-left; returns the module size in points."""
    mods = qr_modules(payload, qr_ec_level(payload))
    n = int(mods.shape[0])
    m = size / n
    path = c.beginPath()
    for row in range(n):
        line = mods[row]
        col = 0
        while col < n:
            if line[col]:
                start = col
                while col < n and line[col]:
                    col += 1
                path.rect(x + start * m, y + (n - 1 - row) * m, (col - start) * m, m)
            else:
                col += 1
    c.saveState()
    c.setFillColor(color)
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()
    return m


def draw_code128(c: Canvas, payload: str, x: float, y: float, width: float, height: float) -> float:
    """Draw a Code128 bar code filling width x height; returns the module (narrow bar) width in points."""
    bars = code128_modules(payload)
    n = len(bars)
    m = width / n
    path = c.beginPath()
    i = 0
    while i < n:
        if bars[i]:
            start = i
            while i < n and bars[i]:
                i += 1
            path.rect(x + start * m, y, (i - start) * m, height)
        else:
            i += 1
    c.drawPath(path, stroke=0, fill=1)
    return m


# --- pictures --------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _print_jpeg(jpeg: bytes, w_px: int, h_px: int) -> bytes:
    """Crop to the box's aspect ratio and downsample to print resolution before embedding."""
    with Image.open(io.BytesIO(jpeg)) as im:
        im.draft("RGB", (w_px, h_px))  # JPEG decoder scales down while decoding: much faster
        fitted = ImageOps.fit(im.convert("RGB"), (w_px, h_px), Image.Resampling.BICUBIC, centering=(0.5, 0.4))
    out = io.BytesIO()
    fitted.save(out, "JPEG", quality=88)
    return out.getvalue()


def draw_portrait(c: Canvas, jpeg: bytes | None, x: float, y: float, w: float, h: float) -> bool:
    """Draw the portrait cropped to the box, or a neutral placeholder. Returns True if a photo was drawn."""
    if jpeg:
        try:
            px = _print_jpeg(jpeg, max(1, round(w / 72 * PRINT_DPI)), max(1, round(h / 72 * PRINT_DPI)))
        except (OSError, ValueError):
            px = b""
        if px:
            c.drawImage(JpegReader(px), x, y, w, h)
            c.saveState()
            c.setLineWidth(0.4)
            c.setStrokeColor(Color(0.55, 0.55, 0.55))
            c.rect(x, y, w, h, stroke=1, fill=0)
            c.restoreState()
            return True
    draw_placeholder(c, x, y, w, h)
    return False


def draw_placeholder(c: Canvas, x: float, y: float, w: float, h: float) -> None:
    """A plain grey silhouette: says 'no photo' without any text or mark that could single anyone out."""
    c.saveState()
    c.setFillColor(Color(0.93, 0.93, 0.93))
    c.setStrokeColor(Color(0.7, 0.7, 0.7))
    c.setLineWidth(0.4)
    c.rect(x, y, w, h, stroke=1, fill=1)
    c.setFillColor(Color(0.78, 0.78, 0.78))
    r = min(w, h) * 0.2
    c.circle(x + w / 2, y + h * 0.62, r, stroke=0, fill=1)
    p = c.beginPath()
    p.moveTo(x + w * 0.14, y)
    p.curveTo(x + w * 0.14, y + h * 0.36, x + w * 0.86, y + h * 0.36, x + w * 0.86, y)
    p.close()
    c.drawPath(p, stroke=0, fill=1)
    c.restoreState()
