"""The ID scan dialog decodes and reads in the thread pool (ui/tasks.py), and says so when a read fails."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

import ui.scanning.dialog as dialog_mod
from station import i18n
from station.i18n import tr
from station.scanning.idscan import ScanResult
from ui.scanning.dialog import IdScanDialog


def _qr_file(tmp_path: Path) -> Path:
    import zxingcpp

    code = np.asarray(zxingcpp.create_barcode("MKH-02-000123-V", zxingcpp.BarcodeFormat.QRCode).to_image(scale=4))
    path = tmp_path / "code.png"
    cv2.imwrite(str(path), cv2.copyMakeBorder(code, 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=255))
    return path


def test_an_imported_file_is_decoded_and_read_off_the_gui_thread(qtbot, tmp_path: Path, monkeypatch) -> None:
    path = _qr_file(tmp_path)
    release = threading.Event()
    threads: dict[str, int] = {}
    real_load, real_scan = dialog_mod.load_image, dialog_mod.scan_image

    def slow_load(p: str | Path) -> np.ndarray | None:  # a 40-megapixel scan, say: the window must not wait
        threads["load"] = threading.get_ident()
        release.wait(3)
        return real_load(p)

    def scan(image: np.ndarray, **kw: bool) -> ScanResult:
        threads["scan"] = threading.get_ident()
        return real_scan(image, **kw)

    monkeypatch.setattr(dialog_mod, "load_image", slow_load)
    monkeypatch.setattr(dialog_mod, "scan_image", scan)
    dlg = IdScanDialog(camera=False)
    qtbot.addWidget(dlg)
    dlg.scan_file(path)
    # scan_file has returned while the decode is still blocked: the GUI thread is free
    assert not release.is_set() and "scan" not in threads
    assert dlg.status.text() == tr("scanning.dialog.reading")
    qtbot.waitUntil(lambda: "load" in threads, timeout=5000)
    with qtbot.waitSignal(dlg.result_shown, timeout=15_000) as blocker:
        release.set()
    gui = threading.main_thread().ident
    assert threads["load"] != gui and threads["scan"] != gui
    assert blocker.args[0].barcodes and dlg.preview.still


def test_a_file_that_is_no_image_says_so(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_bytes(b"not a picture at all")
    dlg = IdScanDialog(camera=False)
    qtbot.addWidget(dlg)
    dlg.scan_file(path)
    qtbot.waitUntil(lambda: dlg.status.text() == tr("scanning.reason.not_image"), timeout=5000)


@pytest.mark.parametrize("lang", ["en", "ar", "ckb"])
@pytest.mark.parametrize("where", ["load_image", "scan_image"])
def test_an_unexpected_failure_is_told_in_the_users_language_and_the_dialog_stays_usable(
        qtbot, tmp_path: Path, monkeypatch, lang: str, where: str) -> None:
    path = _qr_file(tmp_path)
    real = getattr(dialog_mod, where)

    def broken(*_args: object, **_kw: object) -> object:
        raise RuntimeError("decoder crashed on AL JUBOURI ZAINAB")  # personal data must not reach the screen

    monkeypatch.setattr(dialog_mod, where, broken)
    i18n.set_language(lang)
    try:
        dlg = IdScanDialog(camera=False)
        qtbot.addWidget(dlg)
        dlg.show()
        expected = tr("fault.unexpected", kind="RuntimeError")
        dlg.scan_file(path)
        qtbot.waitUntil(lambda: dlg.status.text() == expected, timeout=10_000)
        assert "JUBOURI" not in dlg.status.text()
        assert dlg.isVisible() and dlg.import_button.isEnabled()
        monkeypatch.setattr(dialog_mod, where, real)
        with qtbot.waitSignal(dlg.result_shown, timeout=15_000) as blocker:  # the next try works
            dlg.scan_file(path)
        assert blocker.args[0].barcodes
    finally:
        i18n.set_language("en")


def test_automatic_captures_get_a_quick_look_and_the_clerks_own_a_thorough_one(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Frames the live camera reads by itself come one after another: a failing one is not read again from
    several cuts (idscan `thorough`); a capture the clerk asked for, or a file, is."""
    seen: list[bool] = []

    def scan(image: np.ndarray, **kw: bool) -> ScanResult:
        seen.append(kw.get("thorough", True))
        return ScanResult(None, "scanning.reason.no_mrz", ())

    monkeypatch.setattr(dialog_mod, "scan_image", scan)
    dlg = IdScanDialog(camera=False)
    qtbot.addWidget(dlg)
    frame = np.zeros((60, 80, 3), np.uint8)
    for origin in (dialog_mod.AUTO, dialog_mod.MANUAL, dialog_mod.FILE):
        dlg.scan_frame(frame, origin)
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=10_000)
    assert sorted(seen) == [False, True, True]


def test_an_automatic_look_that_saw_a_zone_it_could_not_read_is_read_again_thoroughly(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A live frame's quick look stops within idscan.LIVE_BUDGET_S; when it saw a zone but could not read it,
    the same frame is read again thoroughly before the feed hears the result (it waits for it), so a hard
    document is read from the camera as before. A frame with no zone at all is not read again."""
    seen: list[bool] = []
    answers = {False: ScanResult(None, "scanning.reason.unreadable", ()),
               True: ScanResult(None, "scanning.reason.no_mrz", ())}

    def scan(image: np.ndarray, **kw: bool) -> ScanResult:
        seen.append(kw.get("thorough", True))
        return answers[seen[-1]]

    monkeypatch.setattr(dialog_mod, "scan_image", scan)
    dlg = IdScanDialog(camera=False)
    qtbot.addWidget(dlg)
    finished: list[bool] = []
    monkeypatch.setattr(type(dlg.feed), "running", property(lambda _self: True))
    monkeypatch.setattr(dlg.feed, "read_finished", finished.append)
    frame = np.zeros((60, 80, 3), np.uint8)
    with qtbot.waitSignal(dlg.result_shown, timeout=10_000) as shown:
        dlg.scan_frame(frame, dialog_mod.AUTO)
    assert seen == [False, True]  # the quick look, then the thorough one
    assert finished == [False]  # the feed heard once, after the thorough read
    assert shown.args[0].reason == "scanning.reason.no_mrz"
    answers[False] = ScanResult(None, "scanning.reason.no_mrz", ())  # nothing in view: one quick look only
    seen.clear()
    with qtbot.waitSignal(dlg.result_shown, timeout=10_000):
        dlg.scan_frame(frame, dialog_mod.AUTO)
    assert seen == [False] and finished == [False, False]
