"""The print speed-ups (issue 18) change nothing that is printed: same path text, same pixels."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageOps
from reportlab.lib.utils import ImageReader

from station.printing import draw, pdfstream
from station.printing.card import render_cards
from station.printing.content import CardContent, labels
from station.printing.fonts import Family
from station.printing.shaping import shape

FACES = Path(__file__).resolve().parents[2] / "data" / "faces"
NAMES = ["فاطمة حسين علي الجبوري", "ئاوێزان هەڵگورد عەبدوڵڵا", "عبد الرحمن (أبو علي) محمد 12 صالح", "ڕۆژان ئەحمەد",
         "Mixed نص عربي and Latin", "ئێمە ڵ ڕ ۆ ێ"]


def _reference_line_code(text: str, family: Family, bold: bool) -> str:
    """The path text as it was built before (one number at a time)."""
    def num(v: float) -> str:
        s = f"{v:.1f}"
        return s[:-2] if s.endswith(".0") else s

    parts: list[str] = []
    for g in shape(text, family, bold).glyphs:
        k = draw.UNITS / g.face.upem
        ox, oy = g.x * draw.UNITS, g.y * draw.UNITS
        for op in g.face.outline(g.gid):
            if op[0] in ("m", "l"):
                parts.append(f"{num(ox + op[1] * k)} {num(oy + op[2] * k)} {op[0]}")  # type: ignore[operator]
            elif op[0] == "c":
                xy = [num((ox if i % 2 == 0 else oy) + v * k) for i, v in enumerate(op[1:])]  # type: ignore[operator]
                parts.append(" ".join([*xy, "c"]))
            else:
                parts.append("h")
    return "\n".join(parts)


@pytest.mark.parametrize("family", list(Family))
@pytest.mark.parametrize("bold", [False, True])
def test_the_fast_path_text_is_the_same_text(family: Family, bold: bool) -> None:
    texts = NAMES + [f"{n} {i}" for i, n in enumerate(NAMES)]
    for lang in ("ar", "ckb"):
        lab = labels(lang)
        texts += [lab.title[1], lab.household_size[1], lab.free[1], lab.return_note[1]]
    for text in texts:
        draw._line_code.cache_clear()
        assert draw._line_code(text, family, bold) == _reference_line_code(text, family, bold), text


def _card(i: int) -> CardContent:
    with Image.open(FACES / "astronaut.jpg") as im:
        fitted = ImageOps.fit(im.convert("RGB"), (600, 800))
    buf = io.BytesIO()
    fitted.save(buf, "JPEG", quality=85)
    return CardContent(f"MKH-02-00012{i}-K", 2, NAMES[i % len(NAMES)], "Fatima Hussein", 5, date(2026, 11, 25),
                       "RS1:MKH-02-000123-K:2:ABCDEFGHJK", buf.getvalue())


def _pixels(pdf: bytes) -> list[np.ndarray]:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].render(scale=400 / 72).to_numpy() for i in range(len(doc))]


@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_a_card_renders_to_the_same_pixels_as_with_reportlabs_own_path(lang: str, monkeypatch) -> None:
    cards = [_card(i) for i in range(3)]
    fast = render_cards(cards, labels(lang))
    # ReportLab's own way: level-6 page streams, the portrait handed over in a plain ImageReader
    monkeypatch.setattr("station.printing.card.deflate_pages_fast", lambda _c: None)
    monkeypatch.setattr(draw, "JpegReader", lambda jpeg: ImageReader(io.BytesIO(jpeg)))
    plain = render_cards(cards, labels(lang))
    assert fast != plain  # the two ways were both taken
    a, b = _pixels(fast), _pixels(plain)
    assert len(a) == len(b) == 6
    for x, y in zip(a, b, strict=True):
        assert x.shape == y.shape and np.array_equal(x, y)
    assert not np.all(a[0] == a[0][0, 0])  # something was drawn


def test_pages_are_deflated_and_the_portrait_embedded_as_jpeg() -> None:
    pdf = render_cards([_card(0)], labels("ar"))
    assert pdf.count(b"/FlateDecode") >= 2 and b"/DCTDecode" in pdf
    assert pdfstream.FAST_FLATE.decode(pdfstream.FAST_FLATE.encode("1 2 m")) == b"1 2 m"


def test_wristbands_and_sheets_render_to_the_same_pixels(monkeypatch) -> None:
    from station.printing.content import WristbandContent
    from station.printing.sheet import write_sheets
    from station.printing.wristband import render_wristbands

    bands = [WristbandContent("MKH-02-000123-K", i, NAMES[i], "Fatima Hussein", 5, date(2026, 11, 25),
                              f"RS1:MKH-02-000123-K:W{i}:ABCDEFGHJK") for i in range(1, 3)]
    cards = [_card(i) for i in range(2)]

    def both() -> tuple[bytes, bytes]:
        out = io.BytesIO()
        write_sheets(out, cards, labels("ckb"))
        return render_wristbands(bands, labels("ar")), out.getvalue()

    fast = both()
    for module in ("wristband", "sheet"):
        monkeypatch.setattr(f"station.printing.{module}.deflate_pages_fast", lambda _c: None)
    monkeypatch.setattr(draw, "JpegReader", lambda jpeg: ImageReader(io.BytesIO(jpeg)))
    plain = both()
    for a, b in zip(fast, plain, strict=True):
        assert a != b
        for x, y in zip(_pixels(a), _pixels(b), strict=True):
            assert np.array_equal(x, y)
