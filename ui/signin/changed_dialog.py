"""A passphrase changed at another desk of the site: this desk's key file still opens with the previous one.

On a PostgreSQL site each desk keeps its own copy of the database key, wrapped under each account's
passphrase; a passphrase changed (or reset) at another desk changes the server's password hash at once, but
not this desk's copy. Neither passphrase then signs in here alone. The clerk types the previous passphrase
and the new one; the sign-in screen runs station.services.site_join.take_new_passphrase (which checks both)
off the GUI thread, as a normal sign-in.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from station.i18n import tr
from ui.widgets.field import secret_field


class PassphraseChangedDialog(QDialog):
    """Account, previous passphrase, new passphrase. Emits `submitted(account, old, new)` and closes."""

    submitted = Signal(str, str, str)

    def __init__(self, account: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passphraseChanged")
        self.setWindowTitle(tr("ui.signin.changed.title"))
        self.explain = QLabel(tr("ui.signin.changed.explain"), self)
        self.explain.setWordWrap(True)
        self.account = QLineEdit(account, self)
        self.account.setObjectName("account")
        self.account.setMaxLength(32)
        self.account.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # account names are Latin
        self.old = secret_field(self, "old")
        self.new = secret_field(self, "new")
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color:#b00020;")
        form = QFormLayout()
        form.addRow(tr("signin.account"), self.account)
        form.addRow(tr("ui.signin.changed.old"), self.old)
        form.addRow(tr("ui.signin.changed.new"), self.new)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        parent=self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.explain)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addWidget(self.buttons)
        (self.old if account else self.account).setFocus()

    def submit(self) -> None:
        user, old, new = self.account.text().strip(), self.old.text(), self.new.text()
        if not user or not old or not new:
            self.message.setText(tr("signin.empty"))
            return
        if old == new:
            self.message.setText(tr("ui.signin.changed.same"))
            return
        self.old.clear()
        self.new.clear()
        self.accept()
        self.submitted.emit(user, old, new)
