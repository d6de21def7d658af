"""Small passphrase dialogs: new account, hand-over reset (the owner types), change my own passphrase."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from station.domain.roles import Role
from station.errors import StationError
from station.i18n import tr
from station.services import accounts
from ui.tasks import run_off_thread
from ui.widgets.field import secret_field


class _WorkDialog(QDialog):
    """A form whose OK runs one core call off the GUI thread; errors show in the dialog, success closes it."""

    def __init__(self, ctx: Any, parent: QWidget | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._pool = ctx, pool
        self.form = QFormLayout()
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setVisible(False)
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020; font-weight: bold;")
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(8)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.buttons = QDialogButtonBox(self)
        self.ok = self.buttons.addButton(tr("accounts.ok"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(tr("accounts.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.intro)
        box.addLayout(self.form)
        box.addWidget(self.busy)
        box.addWidget(self.message)
        box.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def _job(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _check(self) -> None:
        """Raise StationError for a form problem found before calling the core."""

    def _on_ok_clicked(self) -> None:
        try:
            self._check()
        except StationError as exc:
            self.message.setText(exc.message())
            return
        job = self._job()
        self.busy.setVisible(True)
        self.ok.setEnabled(False)
        run_off_thread(job, self._on_done, self._on_failed, self, self._pool, fallback="accounts.error.internal")

    def _on_done(self, _result: object) -> None:
        self.busy.setVisible(False)
        self.accept()

    def _on_failed(self, exc: StationError) -> None:
        self.busy.setVisible(False)
        self.ok.setEnabled(True)
        self.message.setText(exc.message())


class _NewSecretMixin:
    new1: QLineEdit
    new2: QLineEdit

    def _check_new(self) -> None:
        if self.new1.text() != self.new2.text():
            raise StationError("accounts.error.passphrases_differ")


class NewAccountDialog(_WorkDialog, _NewSecretMixin):
    def __init__(self, ctx: Any, parent: QWidget | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(ctx, parent, pool)
        self.setWindowTitle(tr("accounts.new").rstrip("…"))
        self.username, self.display_name = QLineEdit(self), QLineEdit(self)
        self.username.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.role = QComboBox(self)
        for r in Role:
            self.role.addItem(tr(f"accounts.role.{r.value}"), r)
        self.new1, self.new2 = secret_field(self, "new1"), secret_field(self, "new2")
        self.temporary = QCheckBox(tr("accounts.temporary"), self)
        self.intro.setText(tr("accounts.handover", user="…"))
        self.intro.setVisible(True)
        self.form.addRow(tr("accounts.col.username"), self.username)
        self.form.addRow(tr("accounts.col.display_name"), self.display_name)
        self.form.addRow(tr("accounts.col.role"), self.role)
        self.form.addRow(tr("accounts.new_passphrase"), self.new1)
        self.form.addRow(tr("accounts.repeat_passphrase"), self.new2)
        self.form.addRow("", self.temporary)

    def _check(self) -> None:
        self._check_new()

    def _job(self) -> Any:
        ctx, user, role = self._ctx, self.username.text(), self.role.currentData()
        secret, name, temp = self.new1.text(), self.display_name.text(), self.temporary.isChecked()
        return lambda: accounts.create_account(ctx, user, role, secret, name, must_change=temp)


class HandoverPassphraseDialog(_WorkDialog, _NewSecretMixin):
    """Administrator reset (or reactivation): the account's owner types the new passphrase themselves."""

    def __init__(self, ctx: Any, username: str, *, reactivate: bool = False, parent: QWidget | None = None,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(ctx, parent, pool)
        self._username, self._reactivate = username, reactivate
        self.setWindowTitle((tr("accounts.reactivate") if reactivate else tr("accounts.reset")).rstrip("…"))
        self.intro.setText(tr("accounts.handover", user=username))
        self.intro.setVisible(True)
        self.new1, self.new2 = secret_field(self, "new1"), secret_field(self, "new2")
        self.temporary = QCheckBox(tr("accounts.temporary"), self)
        self.form.addRow(tr("accounts.new_passphrase"), self.new1)
        self.form.addRow(tr("accounts.repeat_passphrase"), self.new2)
        if not reactivate:
            self.form.addRow("", self.temporary)

    def _check(self) -> None:
        self._check_new()

    def _job(self) -> Any:
        ctx, user, secret = self._ctx, self._username, self.new1.text()
        if self._reactivate:
            return lambda: accounts.reactivate_account(ctx, user, secret)
        temp = self.temporary.isChecked()
        return lambda: accounts.reset_passphrase(ctx, user, secret, must_change=temp)


class ChangeOwnPassphraseDialog(_WorkDialog, _NewSecretMixin):
    """Any signed-in person changes their own passphrase (also shown when the account must change it)."""

    def __init__(self, ctx: Any, parent: QWidget | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(ctx, parent, pool)
        self.setWindowTitle(tr("accounts.change_own"))
        if getattr(ctx, "must_change_password", False):
            self.intro.setText(tr("accounts.must_change"))
            self.intro.setVisible(True)
        self.old = secret_field(self, "old")
        self.new1, self.new2 = secret_field(self, "new1"), secret_field(self, "new2")
        self.form.addRow(tr("accounts.old_passphrase"), self.old)
        self.form.addRow(tr("accounts.new_passphrase"), self.new1)
        self.form.addRow(tr("accounts.repeat_passphrase"), self.new2)

    def _check(self) -> None:
        self._check_new()

    def _job(self) -> Any:
        ctx, old, new = self._ctx, self.old.text(), self.new1.text()
        return lambda: accounts.change_own_passphrase(ctx, old, new)
