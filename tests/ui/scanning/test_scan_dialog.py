"""The ID scan dialog fills member fields from a scanned document, marks their source, flags failed checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import cv2
import numpy as np

from station.scanning.fill import Check
from station.scanning.idscan import scan_image
from station.scanning.mrz.compose import Identity, td1
from tests.station.scanning.docgen import photograph, render_document
from tests.ui.shots import save_shot
from ui.scanning.dialog import IdScanDialog

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def _card_with_wrong_expiry_digit() -> tuple[np.ndarray, Identity]:
    person = Identity("AL JUBOURI", "ZAINAB KHALIL", "A01234567", "IRQ", date(1987, 6, 14), "F",
                      date(2031, 3, 9), issuing_state="IRQ", optional_data="199912345678")
    l1, l2, l3 = td1(person)
    bad = str((int(l2[14]) + 3) % 10)  # a misprinted (or misread) expiry check digit
    l2 = l2[:14] + bad + l2[15:]
    rng = np.random.default_rng(42)
    doc, _ = render_document(rng, "TD1", person, (l1, l2, l3))
    return photograph(rng, doc, "easy"), person


def test_dialog_fills_fields_and_screenshot(qtbot, tmp_path) -> None:
    img, _person = _card_with_wrong_expiry_digit()
    dlg = IdScanDialog(camera=False)
    qtbot.addWidget(dlg)
    dlg.resize(1000, 480)
    dlg.show()
    qtbot.waitExposed(dlg)
    path = tmp_path / "card.jpg"
    cv2.imwrite(str(path), img)
    with qtbot.waitSignal(dlg.view.edits["surname"].textChanged, timeout=10000):
        dlg.scan_file(path)
    f = dlg.fields
    assert f is not None and not f.valid
    assert dlg.view.edits["surname"].text() == "AL JUBOURI"
    assert dlg.view.edits["document_number"].text() == "A01234567"
    assert f.get("document_number").check is Check.PASSED
    assert f.get("birth_date").check is Check.PASSED
    assert f.get("document_expiry").check is Check.FAILED
    assert f.get("national_id").value == "199912345678"
    assert "c62828" in dlg.view.edits["document_expiry"].styleSheet()
    assert dlg.view.badges["surname"].isVisible()
    got: list[object] = []
    dlg.fields_accepted.connect(got.append)
    dlg.apply_button.click()
    assert got == [f]
    save_shot(dlg, "scan-id-dialog.png", tmp_path)


def _qr(text: str) -> np.ndarray:
    import zxingcpp

    code = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=4))
    return cv2.cvtColor(cv2.copyMakeBorder(code, 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=255), cv2.COLOR_GRAY2BGR)


def test_station_code_requests_household(qtbot) -> None:
    # V is the check character of MKH-02-000123 (Luhn mod 36, worked by hand: 77 mod 36 = 5, 36 - 5 = 31 = V)
    img = _qr("MKH-02-000123-V")
    dlg = IdScanDialog(camera=False)
    qtbot.addWidget(dlg)
    got: list[str] = []
    dlg.household_requested.connect(got.append)
    dlg.show_result(img, scan_image(img))
    assert got == ["MKH-02-000123-V"]


def test_a_station_code_with_a_wrong_check_character_opens_nothing(qtbot) -> None:
    img = _qr("MKH-02-000123-K")
    dlg = IdScanDialog(camera=False)
    qtbot.addWidget(dlg)
    got: list[str] = []
    dlg.household_requested.connect(got.append)
    dlg.show_result(img, scan_image(img))
    assert got == []
