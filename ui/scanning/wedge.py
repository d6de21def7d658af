"""A hand-held USB barcode scanner types like a keyboard: catch its fast bursts anywhere in the window.

Install on the QApplication. Keys arriving less than `max_gap_ms` apart, ending with Enter and at least
`min_length` long, are a scan: `code_scanned(text)` is emitted, the Enter is swallowed, and whatever the
burst typed into the focused line edit is taken back. People type slower than that.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class WedgeScannerFilter(QObject):
    code_scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, max_gap_ms: float = 30.0, min_length: int = 6,
                 max_length: int = 512) -> None:
        super().__init__(parent)
        self.max_gap = max_gap_ms / 1000.0
        self.min_length = min_length
        self.max_length = max_length
        self._buf: list[str] = []
        self._last = 0.0
        self._snapshot: tuple[QObject, str, int] | None = None

    def _reset(self) -> None:
        self._buf.clear()
        self._snapshot = None

    def _take_snapshot(self) -> None:
        w = QApplication.focusWidget()
        if isinstance(w, QLineEdit):
            self._snapshot = (w, w.text(), w.cursorPosition())
        elif isinstance(w, QPlainTextEdit | QTextEdit):
            self._snapshot = (w, w.toPlainText(), w.textCursor().position())
        else:
            self._snapshot = None

    def _restore(self) -> None:
        if self._snapshot is None:
            return
        w, text, pos = self._snapshot
        if isinstance(w, QLineEdit):
            w.setText(text)
            w.setCursorPosition(pos)
        elif isinstance(w, QPlainTextEdit | QTextEdit):
            w.setPlainText(text)
            cursor = w.textCursor()
            cursor.setPosition(min(pos, len(text)))
            w.setTextCursor(cursor)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.isAutoRepeat():
            self._reset()
            return False
        now = time.monotonic()
        gap = now - self._last
        if self._buf and gap > self.max_gap:
            self._reset()
        if event.key() in _ENTER:
            if self._buf and gap <= self.max_gap and len(self._buf) >= self.min_length:
                text = "".join(self._buf)
                self._restore()
                self._reset()
                self._last = now
                self.code_scanned.emit(text)
                return True  # the Enter is the scanner's, not the form's
            self._reset()
            self._last = now
            return False
        ch = event.text()
        if len(ch) == 1 and ch.isprintable():
            if not self._buf:
                self._take_snapshot()
            if len(self._buf) < self.max_length:
                self._buf.append(ch)
            self._last = now
        else:
            self._reset()
            self._last = now
        return False
