"""Printed Arabic and Sorani names match Qt's own rendering of the same string in the same fonts.

Each string is drawn into a PDF by station.printing (HarfBuzz per bidi run, runs in visual order),
rasterised by poppler, and compared with QPainter's rendering (Qt shapes with HarfBuzz and orders
with its own bidi implementation). Negative controls prove the comparison can fail: letters forced
apart with ZWNJ (what reshaper-based printing does to Sorani ێ and ڵ) and runs in the wrong order.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPainter
from reportlab.pdfgen.canvas import Canvas

from station.paths import fonts_dir
from station.printing.draw import draw_text
from station.printing.fonts import Family
from tests.station.printing.print_helpers import rasterise

DPI = 200
SIZE_PT = 36.0  # 100 px at 200 dpi
SIZE_PX = 100
W_PX, H_PX = 2600, 220
BASE_PX = 150

CASES = {
    "arabic": "فاطمة حسين علي الجبوري",
    "sorani": "ئاوێزان هەڵگورد عەبدوڵڵا",
    "sorani_digits": "شێرکۆ بێکەس ١٩٤٠",
    "arabic_latin_digits": "محمد 2024 Ali",
    "latin_base_with_arabic": "Ali (علي) 3B",
    "long": "عبد الرحمن محمد عبد الله حسين علي الجبوري الدليمي",
}


@pytest.fixture(scope="module")
def families(qapp_module: object) -> list[str]:
    names: list[str] = []
    for f in ("NotoNaskhArabic-Regular.ttf", "NotoSans-Regular.ttf"):
        fid = QFontDatabase.addApplicationFont(str(fonts_dir() / f))
        assert fid >= 0
        names += QFontDatabase.applicationFontFamilies(fid)[:1]
    return names


@pytest.fixture(scope="module")
def qapp_module() -> object:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def qt_render(text: str, families: list[str]) -> np.ndarray:
    img = QImage(W_PX, H_PX, QImage.Format.Format_Grayscale8)
    img.fill(QColor("white"))
    p = QPainter(img)
    font = QFont()
    font.setFamilies(families)
    font.setPixelSize(SIZE_PX)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    font.setKerning(True)
    p.setFont(font)
    p.setPen(QColor("black"))
    p.setLayoutDirection(Qt.LayoutDirection.LayoutDirectionAuto)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.drawText(QPointF(20, BASE_PX), text)
    p.end()
    buf = img.constBits()
    arr = np.frombuffer(buf, dtype=np.uint8).reshape(H_PX, img.bytesPerLine())[:, :W_PX]
    return arr.copy()


def pdf_render(text: str, tmp: Path) -> np.ndarray:
    out = io.BytesIO()
    c = Canvas(out, pagesize=(W_PX * 72 / DPI, H_PX * 72 / DPI))
    draw_text(c, text, 20 * 72 / DPI, (H_PX - BASE_PX) * 72 / DPI, SIZE_PT, family=Family.NAME_RTL)
    c.save()
    return rasterise(out.getvalue(), DPI, tmp=tmp)


def ink(img: np.ndarray) -> np.ndarray:
    mask = img < 128
    rows, cols = np.where(mask.any(axis=1))[0], np.where(mask.any(axis=0))[0]
    assert rows.size and cols.size, "nothing drawn"
    return mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two ink masks after scaling the second to the first's box (tolerates sub-pixel drift)."""
    ma, mb = ink(a), ink(b)
    if abs(ma.shape[1] - mb.shape[1]) > 0.04 * ma.shape[1] or abs(ma.shape[0] - mb.shape[0]) > 0.1 * ma.shape[0]:
        return 0.0
    mb_img = Image.fromarray(mb.astype(np.uint8) * 255).resize((ma.shape[1], ma.shape[0]), Image.Resampling.BILINEAR)
    mb2 = np.asarray(mb_img) > 127
    # dilate both by one pixel before the overlap test: antialiasing edges differ between rasterisers
    def grow(m: np.ndarray) -> np.ndarray:
        g = m.copy()
        g[1:, :] |= m[:-1, :]
        g[:-1, :] |= m[1:, :]
        g[:, 1:] |= m[:, :-1]
        g[:, :-1] |= m[:, 1:]
        return g

    inter = (grow(ma) & mb2).sum() + (ma & grow(mb2)).sum()
    return float(inter / (ma.sum() + mb2.sum()))


@pytest.mark.parametrize("name", list(CASES))
def test_print_matches_qt(name: str, families: list[str], tmp_path: Path) -> None:
    text = CASES[name]
    score = similarity(qt_render(text, families), pdf_render(text, tmp_path))
    print(f"{name}: similarity {score:.3f}")
    assert score > 0.93


def test_unjoined_sorani_is_caught(families: list[str], tmp_path: Path) -> None:
    """ZWNJ after ێ and ڵ mimics presentation-form reshaping, which leaves them unjoined."""
    text = CASES["sorani"]
    broken = text.replace("ێ", "ێ\u200c").replace("ڵ", "ڵ\u200c")
    assert similarity(qt_render(text, families), pdf_render(broken, tmp_path)) < 0.9


def test_wrong_run_order_is_caught(families: list[str], tmp_path: Path) -> None:
    """The words laid out left to right (ReportLab's own shaping without bidi) must not pass."""
    words = CASES["arabic"].split()
    ltr_order = " ".join(reversed(words))
    assert similarity(qt_render(CASES["arabic"], families), pdf_render(ltr_order, tmp_path)) < 0.9
