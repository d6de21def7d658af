"""Card, sheet and wristband PDFs: page sizes, text, scannable codes, fitted names, placeholders, layouts."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from reportlab.pdfgen.canvas import Canvas

from station.errors import StationError
from station.printing import payload
from station.printing.card import render_cards
from station.printing.content import CardContent, WristbandContent, labels
from station.printing.draw import MM, draw_text
from station.printing.fonts import Family
from station.printing.geometry import CardLayout, SheetLayout, TextSlot, WristbandLayout
from station.printing.sheet import render_sheets
from station.printing.wristband import render_wristbands, use_qr
from tests.station.printing.print_helpers import FACES, page_size_mm, pdf_text, rasterise

KEY = bytes(range(32))
REGNO = "MKH-02-000123-K"


def card(i: int = 123, name_ar: str = "فاطمة حسين علي الجبوري", photo: bool = True) -> CardContent:
    regno = f"MKH-02-{i:06d}-K"
    return CardContent(regno, 2, name_ar, "Fatima Hussein Ali Al-Jubouri", 6, date(2026, 11, 25),
                       payload.card_payload(KEY, regno, 2),
                       (FACES / "astronaut.jpg").read_bytes() if photo else None)


def band(width: float = 25.4) -> WristbandContent:
    return WristbandContent(REGNO, 3, "ئاوێزان هەڵگورد", "Awezan Halgurd", 6, date(2026, 11, 25),
                            payload.wristband_payload(KEY, REGNO, 3))


def decode(img: np.ndarray) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(img)]


def test_payload_roundtrip_and_mac() -> None:
    code = payload.card_payload(KEY, REGNO, 2)
    parsed = payload.parse(code)
    assert parsed is not None and (parsed.regno, parsed.kind, parsed.number) == (REGNO, "card", 2)
    assert payload.mac_ok(KEY, parsed) and not payload.mac_ok(b"\0" * 32, parsed)
    w = payload.parse(payload.wristband_payload(KEY, REGNO, 3))
    assert w is not None and (w.kind, w.number) == ("wristband", 3) and payload.mac_ok(KEY, w)
    assert payload.parse("RS1:" + REGNO + ":2") is None
    # another issue number with the old MAC is refused
    forged = payload.Parsed(REGNO, "card", 3, parsed.mac)
    assert not payload.mac_ok(KEY, forged)


def test_card_pdf_size_text_and_qr(tmp_path: Path) -> None:
    pdf = render_cards([card()], labels("ar"))
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    w, h = page_size_mm(path)
    assert abs(w - 85.6) < 0.3 and abs(h - 54.0) < 0.3
    text = pdf_text(path)
    assert REGNO in text and "FATIMA HUSSEIN" in text and "2026-11-25" in text
    assert decode(rasterise(path, 300)) == [payload.card_payload(KEY, REGNO, 2)]
    back = rasterise(path, 100, page=2)
    assert (back < 128).mean() > 0.01  # the back carries the grid


@pytest.mark.parametrize("lang", ["ar", "ckb", "en"])
def test_labels_in_each_language(lang: str, tmp_path: Path) -> None:
    lab = labels(lang)
    assert lab.title[0] == "Ration card"
    if lang == "en":
        assert lab.title[1] == ""
    else:
        assert lab.title[1] and lab.title[1] != lab.title[0]
    printed = card()
    pdf = render_cards([printed], lab)
    assert printed.payload in decode(rasterise(pdf, 300, tmp=tmp_path))  # the card's own signed code


def test_missing_portrait_prints_placeholder(tmp_path: Path) -> None:
    with_photo = rasterise(render_cards([card()], labels("ar")), 100, tmp=tmp_path)
    without = rasterise(render_cards([card(photo=False)], labels("ar")), 100, tmp=tmp_path)
    box = CardLayout().portrait
    y0 = int((54.0 - box.y - box.h) / 25.4 * 100) + 3
    y1 = int((54.0 - box.y) / 25.4 * 100) - 3
    x0, x1 = int(box.x / 25.4 * 100) + 3, int((box.x + box.w) / 25.4 * 100) - 3
    ph = without[y0:y1, x0:x1]
    assert 170 < ph.mean() < 250 and ph.min() > 150  # light grey silhouette, no dark marks
    assert with_photo[y0:y1, x0:x1].std() > ph.std()


def test_sheet_ten_cards_a_page_with_mirrored_backs(tmp_path: Path) -> None:
    pdf = render_sheets([card(i) for i in range(1, 13)], labels("ckb"))
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    w, h = page_size_mm(path)
    assert abs(w - 210) < 0.3 and abs(h - 297) < 0.3
    img = rasterise(path, 200)
    found = sorted(decode(img))
    assert found == sorted(payload.card_payload(KEY, f"MKH-02-{i:06d}-K", 2) for i in range(1, 11))
    assert "MKH-02-000011-K" in pdf_text(path)  # third page: the remaining two cards
    sheet = SheetLayout()
    assert sheet.slot(0).x == sheet.slot(1, back=True).x  # long-edge duplex: columns swap on the back


def test_wristband_size_code_and_text(tmp_path: Path) -> None:
    path = tmp_path / "band.pdf"
    path.write_bytes(render_wristbands([band()], labels("ckb")))
    w, h = page_size_mm(path)
    assert abs(w - 25.4) < 0.3 and abs(h - 279) < 0.5
    assert REGNO in pdf_text(path)
    assert decode(rasterise(path, 300)) == [payload.wristband_payload(KEY, REGNO, 3)]


def test_narrow_band_switches_to_code128(tmp_path: Path) -> None:
    narrow = WristbandLayout(width=14.0, length=200.0, start=20.0)
    assert not use_qr(band().payload, narrow) and use_qr(band().payload, WristbandLayout())
    pdf = render_wristbands([band()], labels("ar"), narrow)
    img = rasterise(pdf, 400, tmp=tmp_path)
    results = zxingcpp.read_barcodes(img)
    assert [r.text for r in results] == [band().payload]
    assert results[0].format == zxingcpp.BarcodeFormat.Code128


def test_specific_needs_never_spelled_out(tmp_path: Path) -> None:
    coded = WristbandContent(REGNO, 2, "ئاوێزان", "Awezan", 3, date(2026, 11, 25), "RS1:X", staff_code="K7")
    path = tmp_path / "b.pdf"
    path.write_bytes(render_wristbands([coded], labels("ar")))
    text = pdf_text(path).lower()
    assert "k7" in text and "medical" not in text and "need" not in text


@pytest.mark.parametrize("text,family", [
    ("عبد الرحمن محمد عبد الله حسين علي الجبوري الدليمي السامرائي " * 2, Family.NAME_RTL),
    ("ئاوێزان هەڵگورد عەبدوڵڵا محەمەد ئەحمەد سەعید عەلی کەریمی هەورامی " * 2, Family.NAME_RTL),
    ("ABDULRAHMAN MOHAMMED ABDULLAH HUSSEIN ALI AL-JUBOURI AL-DULAIMI AL-SAMARRAI " * 2, Family.LATIN),
])
def test_long_names_shrink_and_never_overflow(text: str, family: Family, tmp_path: Path) -> None:
    slot = TextSlot(10, 10, 35, 9.5, 4.5, bold=True)
    out = io.BytesIO()
    c = Canvas(out, pagesize=(60 * MM, 20 * MM))
    used = draw_text(c, text, (slot.x + slot.w) * MM, slot.y * MM, slot.size, family=family, bold=True,
                     align="right", max_width=slot.w * MM, min_size=slot.min_size)
    c.save()
    assert used == slot.min_size
    img = rasterise(out.getvalue(), 300, tmp=tmp_path)
    cols = np.where((img < 128).any(axis=0))[0]
    left_mm, right_mm = cols.min() / 300 * 25.4, cols.max() / 300 * 25.4
    assert left_mm >= slot.x - 0.3 and right_mm <= slot.x + slot.w + 0.3
    assert right_mm - left_mm > slot.w * 0.9  # condensed to fill the slot, not cut off


def test_layouts_validated_up_front() -> None:
    CardLayout().validate()
    SheetLayout().validate()
    WristbandLayout().validate()
    from station.printing.geometry import Box

    with pytest.raises(StationError) as err:
        CardLayout(qr=Box(70, 40, 20, 20)).validate()
    assert err.value.params == {"name": "qr"}
    with pytest.raises(StationError):
        SheetLayout(cols=3).validate()
    with pytest.raises(StationError):
        WristbandLayout(width=8).validate()
