"""Unlock the station with the printed recovery code when every passphrase is lost.

The code opens the database key; an administrator account is (re)created with a new passphrase typed
here. Wrong codes are throttled and audited like wrong passphrases (station.services.recovery).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from station.errors import StationError
from station.i18n import tr
from station.services.recovery import recover
from ui.tasks import run_off_thread


class RecoveryDialog(QDialog):
    recovered = Signal(object)  # StationContext, signed in as the (re)created administrator

    def __init__(self, home: Path | None = None, parent: QWidget | None = None,
                 recover_fn: Callable[..., Any] | None = None) -> None:
        super().__init__(parent)
        self._home = home
        self._recover = recover_fn or recover
        self.setWindowTitle(tr("ui.recovery.title"))
        self.explain = QLabel(tr("ui.recovery.explain"))
        self.explain.setWordWrap(True)
        self.code = QLineEdit()
        self.code.setPlaceholderText("XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XX")
        self.admin = QLineEdit()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setStyleSheet("color:#b00020;")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("ui.recovery.code"), self.code)
        form.addRow(tr("ui.setup.admin"), self.admin)
        form.addRow(tr("ui.setup.passphrase"), self.passphrase)
        form.addRow(tr("ui.setup.confirm"), self.confirm)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.explain)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addWidget(self.buttons)

    def submit(self) -> None:
        if self.passphrase.text() != self.confirm.text():
            self.message.setText(tr("ui.setup.mismatch"))
            return
        code, admin, secret = self.code.text(), self.admin.text(), self.passphrase.text()
        self.buttons.setEnabled(False)
        self.message.setText(tr("ui.recovery.working"))
        run_off_thread(lambda: self._recover(code, admin, secret, self._home), self._on_done, self._on_failed, self,
                       fallback="accounts.error.internal")

    def _on_done(self, ctx: object) -> None:
        self.passphrase.clear()
        self.confirm.clear()
        self.code.clear()
        self.recovered.emit(ctx)
        self.accept()

    def _on_failed(self, exc: StationError) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(exc.message())
