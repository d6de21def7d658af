"""A hand-held USB barcode scanner types like a keyboard: catch its fast bursts anywhere in the window.

Install on the QApplication. Keys arriving less than `max_gap_ms` apart, ending with Enter and at least
`min_length` long, are a scan: `code_scanned(text)` is emitted, the Enter is swallowed, and whatever the
burst typed into the focused line edit is taken back. People type slower than that.

Three things a real scanner on a real X server does that synthetic key clicks do not (each has a test
that sends real X events, tests/ui/acceptance/):
- An application-wide filter sees one key press several times: for the top-level QWindow, then for the
  focused widget and each parent the key propagates to. Each press is counted once.
- Capitals come as Shift + letter: a modifier key alone is not part of the code and does not end it.
- The gaps are measured with the event's own timestamp (the X server's clock), not when the filter gets to
  the key: after the window stalls for a second, a person's queued keys arrive in a burst but keep their
  real 75 ms spacing, so they stay typing.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_MODIFIERS = frozenset({
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_AltGr, Qt.Key.Key_Meta,
    Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock, Qt.Key.Key_Super_L, Qt.Key.Key_Super_R,
})


class WedgeScannerFilter(QObject):
    code_scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, max_gap_ms: float = 30.0, min_length: int = 6,
                 max_length: int = 512) -> None:
        super().__init__(parent)
        self.max_gap_ms = max_gap_ms
        self.min_length = min_length
        self.max_length = max_length
        self._buf: list[str] = []
        self._last_ms = 0.0
        self._last_key: tuple[int, int, str, int] | None = None
        self._snapshot: tuple[QObject, str, int] | None = None

    def _reset(self) -> None:
        self._buf.clear()
        self._snapshot = None

    def _take_snapshot(self) -> None:
        w = QApplication.focusWidget()
        if isinstance(w, QComboBox) and w.isEditable() and w.lineEdit() is not None:
            w = w.lineEdit()  # an editable combo (the origin) has the focus; its line edit receives the text
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

    def _in_own_window(self, obj: QObject) -> bool:
        """Keys for the window this filter belongs to (its parent), or for any window when it has none."""
        owner = self.parent()
        if not isinstance(owner, QWidget):
            return True
        if isinstance(obj, QWidget):
            return obj.window() is owner
        if isinstance(obj, QWindow):
            return obj is owner.windowHandle()
        return False

    def _event_ms(self, event: QKeyEvent) -> float:
        """The key's own time: the window system's timestamp, or now for synthetic events that carry none."""
        stamp = int(event.timestamp())
        return float(stamp) if stamp else time.monotonic() * 1000.0

    def _seen(self, event: QKeyEvent) -> bool:
        """True for the second and later deliveries of one key press (window, focus widget, its parents)."""
        stamp = int(event.timestamp())
        if not stamp:  # synthetic event: delivered straight to its widget, no window pass to skip
            return False
        ident = (stamp, int(event.key()), event.text(), int(event.nativeScanCode()))
        if ident == self._last_key:
            return True
        self._last_key = ident
        return False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not self._in_own_window(obj):
            return False  # a file or print dialog: fast typing there (a pasted path) is typing, not a card
        if self._seen(event):
            return False
        if event.isAutoRepeat():
            self._reset()
            return False
        if event.key() in _MODIFIERS:
            return False  # Shift before a capital is part of the burst, not a break in it
        now = self._event_ms(event)
        gap = now - self._last_ms
        if self._buf and gap > self.max_gap_ms:
            self._reset()
        if event.key() in _ENTER:
            if self._buf and gap <= self.max_gap_ms and len(self._buf) >= self.min_length:
                text = "".join(self._buf)
                self._restore()
                self._reset()
                self._last_ms = now
                self.code_scanned.emit(text)
                return True  # the Enter is the scanner's, not the form's
            self._reset()
            self._last_ms = now
            return False
        ch = event.text()
        if len(ch) == 1 and ch.isprintable():
            if not self._buf:
                self._take_snapshot()
            if len(self._buf) < self.max_length:
                self._buf.append(ch)
            self._last_ms = now
        else:
            self._reset()
            self._last_ms = now
        return False
