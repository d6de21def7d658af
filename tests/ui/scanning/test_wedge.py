"""The keyboard-wedge filter: a scanner's burst becomes a code; a person's typing stays typing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from station.scanning.codes import CodeKind, classify_code
from ui.scanning.wedge import WedgeScannerFilter


def _setup(qtbot):
    w = QWidget()
    lay = QVBoxLayout(w)
    name, other = QLineEdit(), QLineEdit()
    lay.addWidget(name)
    lay.addWidget(other)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    name.setText("Ahmed")
    name.setFocus()
    filt = WedgeScannerFilter()
    QApplication.instance().installEventFilter(filt)
    return w, name, filt


def test_fast_burst_is_a_scan_and_field_restored(qtbot) -> None:
    _w, name, filt = _setup(qtbot)
    got: list[str] = []
    filt.code_scanned.connect(got.append)
    try:
        qtbot.keyClicks(name, "MKH-02-000123-K", delay=1)
        qtbot.keyClick(name, Qt.Key.Key_Return, delay=1)
    finally:
        QApplication.instance().removeEventFilter(filt)
    assert got == ["MKH-02-000123-K"]
    assert name.text() == "Ahmed"
    assert classify_code(got[0]).kind in (CodeKind.REGNO, CodeKind.BAD_REGNO)


def test_human_typing_is_left_alone(qtbot) -> None:
    _w, name, filt = _setup(qtbot)
    got: list[str] = []
    filt.code_scanned.connect(got.append)
    name.clear()
    try:
        qtbot.keyClicks(name, "Khalil", delay=80)
        qtbot.keyClick(name, Qt.Key.Key_Return, delay=80)
    finally:
        QApplication.instance().removeEventFilter(filt)
    assert got == []
    assert name.text() == "Khalil"


def test_short_fast_burst_is_not_a_scan(qtbot) -> None:
    _w, name, filt = _setup(qtbot)
    got: list[str] = []
    filt.code_scanned.connect(got.append)
    name.clear()
    try:
        qtbot.keyClicks(name, "abc", delay=1)
        qtbot.keyClick(name, Qt.Key.Key_Return, delay=1)
    finally:
        QApplication.instance().removeEventFilter(filt)
    assert got == [] and name.text() == "abc"
