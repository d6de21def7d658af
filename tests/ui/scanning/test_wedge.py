"""The keyboard-wedge filter: a scanner's burst becomes a code; a person's typing stays typing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from station.scanning.station_codes import CodeKind, classify_code
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


# Key presses as the X server delivers them: to the top-level window first (which hands them to the focused
# widget), Shift before every capital, each carrying the server's own timestamp in milliseconds.

def _x_keys(text: str) -> list[tuple[Qt.Key, Qt.KeyboardModifier, str]]:
    keys: list[tuple[Qt.Key, Qt.KeyboardModifier, str]] = []
    for ch in text:
        code = ord(ch.upper()) if len(ch.upper()) == 1 else 0  # "ß".upper() is "SS": no single key code
        if ch.isupper():
            keys.append((Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier, ""))
            keys.append((Qt.Key(code), Qt.KeyboardModifier.ShiftModifier, ch))
        elif ch == "\n":
            keys.append((Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r"))
        else:
            keys.append((Qt.Key(code), Qt.KeyboardModifier.NoModifier, ch))
    return keys


def _send_like_x(window: QWidget, text: str, start_ms: int, gap_ms: int, *, stall_after: int | None = None) -> int:
    """Deliver presses and releases through the window handle; optionally queue them all before processing."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    handle = window.windowHandle()
    t = start_ms
    for i, (key, mods, ch) in enumerate(_x_keys(text)):
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            ev = QKeyEvent(kind, key, mods, ch)
            ev.setTimestamp(t)
            QApplication.sendEvent(handle, ev)
        t += gap_ms
        if stall_after is None or i < stall_after:
            QApplication.processEvents()
    return t


def test_scanner_through_the_window_with_shift_opens_the_code(qtbot) -> None:
    w, name, filt = _setup(qtbot)
    got: list[str] = []
    filt.code_scanned.connect(got.append)
    try:
        _send_like_x(w, "MKH-01-000003-1\n", 1_000_000, 5)
    finally:
        QApplication.instance().removeEventFilter(filt)
    assert got == ["MKH-01-000003-1"]
    assert name.text() == "Ahmed"


def test_person_typing_after_a_stall_stays_typing(qtbot) -> None:
    """The window froze; the keys typed meanwhile are handled in one go but keep their own 75 ms spacing."""
    w, name, filt = _setup(qtbot)
    name.clear()
    got: list[str] = []
    filt.code_scanned.connect(got.append)
    try:
        _send_like_x(w, "Mustafa\n", 2_000_000, 75, stall_after=0)
        QApplication.processEvents()
    finally:
        QApplication.instance().removeEventFilter(filt)
    assert got == []
    assert name.text() == "Mustafa"


def test_fast_typing_in_another_window_is_left_alone(qtbot) -> None:
    """A path pasted or typed fast into a file dialog is not a wristband (the filter belongs to the desk)."""
    desk, other = QWidget(), QLineEdit()
    qtbot.addWidget(desk)
    qtbot.addWidget(other)
    filt = WedgeScannerFilter(desk)
    got: list[str] = []
    filt.code_scanned.connect(got.append)
    other.show()
    qtbot.waitExposed(other)
    QApplication.instance().installEventFilter(filt)
    try:
        _send_like_x(other, "/tmp/passport.png\n", 3_000_000, 5)
    finally:
        QApplication.instance().removeEventFilter(filt)
    assert got == [] and other.text() == "/tmp/passport.png"


def test_scan_into_an_editable_combo_is_taken_back(qtbot) -> None:
    """The desk opens with focus in the origin (an editable combo): a scan there leaves it as it was."""
    from PySide6.QtWidgets import QComboBox

    w = QWidget()
    lay = QVBoxLayout(w)
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(["", "Ninewa"])
    lay.addWidget(combo)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    combo.setFocus()
    filt = WedgeScannerFilter(w)
    got: list[str] = []
    filt.code_scanned.connect(got.append)
    QApplication.instance().installEventFilter(filt)
    try:
        _send_like_x(w, "MKH-01-000003-1\n", 4_000_000, 5)
    finally:
        QApplication.instance().removeEventFilter(filt)
    assert got == ["MKH-01-000003-1"]
    assert combo.currentText() == ""


def test_any_key_stream_is_handled_without_error(qtbot) -> None:
    """Fuzz: random printable text, control keys and timings through the filter never raise and never grow."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    w, _name, filt = _setup(qtbot)
    got: list[str] = []
    filt.code_scanned.connect(got.append)
    QApplication.instance().installEventFilter(filt)
    try:
        @settings(max_examples=60, deadline=None)
        @given(st.text(min_size=0, max_size=80), st.integers(1, 120), st.integers(10_000, 10**9))
        def run(text: str, gap: int, start: int) -> None:
            _send_like_x(w, text.replace("\r", "\n"), start, gap)
            assert len(filt._buf) <= filt.max_length

        run()
    finally:
        QApplication.instance().removeEventFilter(filt)
    assert all(len(code) >= filt.min_length for code in got)
