"""Emergency erase confirmation: type a word, or hold a button for three seconds; nothing else erases.

Neither a stray click, Enter in a form nor a bumped key reaches the erase: the "Erase now" button stays
disabled until the word is typed exactly (in the user's language, or the English ERASE), and the hold
button erases only after being held down, uninterrupted, for HOLD_SECONDS. The erase itself (a couple of
seconds at most) runs in the core: station.services.erase.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.i18n import tr
from station.services import erase as erase_service
from station.services.station import StationContext

HOLD_SECONDS = 3.0
TICK_MS = 50


class HoldButton(QPushButton):
    """Emits `held` once pressed down for `seconds` without letting go; shows the progress meanwhile."""

    held = Signal()
    progressed = Signal(float)  # 0..1

    def __init__(self, seconds: float = HOLD_SECONDS, clock: Callable[[], float] = time.monotonic,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.seconds = seconds
        self._clock = clock
        self._since: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self.setAutoRepeat(False)
        self.pressed.connect(self._on_pressed)
        self.released.connect(self._on_released)

    def _on_pressed(self) -> None:
        self._since = self._clock()
        self._timer.start()

    def _on_released(self) -> None:
        self._since = None
        self._timer.stop()
        self.progressed.emit(0.0)

    def tick(self) -> None:
        if self._since is None:
            return
        done = (self._clock() - self._since) / self.seconds
        self.progressed.emit(min(1.0, done))
        if done >= 1.0:
            self._since = None
            self._timer.stop()
            self.held.emit()


class EraseDialog(QDialog):
    """Confirm, then erase the station in `home`, closing `contexts` first. Emits `erased(EraseReport)`."""

    erased = Signal(object)

    def __init__(self, home: Path, contexts: tuple[StationContext, ...] = (), *,
                 erase_fn: Callable[[], Any] | None = None, clock: Callable[[], float] = time.monotonic,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eraseDialog")
        self._erase = erase_fn or (lambda: erase_service.erase(home, contexts))
        self._server = erase_service.keeps_server_records(home)  # the site server's records stay (said)
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.prompt = QLabel(self)
        self.prompt.setWordWrap(True)
        self.word = QLineEdit(self)
        self.word.setObjectName("eraseWord")
        self.word.textChanged.connect(self._on_word_changed)
        self.hold = HoldButton(HOLD_SECONDS, clock, self)
        self.hold.setObjectName("eraseHold")
        self.hold.held.connect(self.confirm)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.hold.progressed.connect(lambda f: self.bar.setValue(int(f * 100)))
        self.erase_button = QPushButton(self)
        self.erase_button.setObjectName("eraseNow")
        self.erase_button.setEnabled(False)
        self.erase_button.setAutoDefault(False)
        self.erase_button.clicked.connect(self.confirm)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setAutoDefault(True)  # Enter cancels
        self.cancel_button.setDefault(True)
        self.cancel_button.clicked.connect(self.reject)
        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        for w in (self.warning, self.prompt, self.word, self.hold, self.bar):
            layout.addWidget(w)
        row = QHBoxLayout()
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.erase_button)
        layout.addLayout(row)
        layout.addWidget(self.result_label)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("erase.ui.title"))
        note = "\n\n" + tr("erase.server_note") if self._server else ""
        self.warning.setText(tr("erase.ui.warning") + note)
        self.prompt.setText(tr("erase.ui.type_word", word=tr("erase.ui.word")))
        self.hold.setText(tr("erase.ui.hold"))
        self.erase_button.setText(tr("erase.ui.erase"))
        self.cancel_button.setText(tr("erase.ui.cancel"))

    def word_matches(self) -> bool:
        typed = self.word.text().strip()
        return typed in {tr("erase.ui.word"), erase_service.CONFIRM_WORD}

    def _on_word_changed(self, _text: str) -> None:
        self.erase_button.setEnabled(self.word_matches())

    def confirm(self) -> None:
        """Erase now (called by the typed word's button or a completed hold)."""
        if self.sender() is self.erase_button and not self.word_matches():
            return
        for w in (self.word, self.hold, self.erase_button, self.cancel_button):
            w.setEnabled(False)
        report = self._erase()
        self.result_label.setText(tr("erase.ui.done") + ("\n" + tr("erase.server_note") if self._server else ""))
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.erased.emit(report)
        self.accept()
