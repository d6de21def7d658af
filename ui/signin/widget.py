"""Sign-in screen: account + passphrase; the Argon2 work runs off the GUI thread with a busy indicator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from station import i18n
from station.errors import StationError
from station.i18n import tr
from station.services import station as st
from ui.tasks import run_task


class CredentialsPanel(QFrame):
    """A centred card: heading, explanation, account and passphrase fields, a button, busy bar, message."""

    submitted = Signal(str, str)  # account, passphrase

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("credentialsPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMaximumWidth(520)
        self.setMinimumWidth(440)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.heading = QLabel(self)
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subheading = QLabel(self)
        self.subheading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explain = QLabel(self)
        self.explain.setWordWrap(True)
        self.explain.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.account = QLineEdit(self)
        self.account.setObjectName("account")
        self.account.setMaxLength(32)
        self.account.setInputMethodHints(Qt.InputMethodHint.ImhLatinOnly | Qt.InputMethodHint.ImhNoAutoUppercase)
        self.account.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # account names are Latin
        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        hints = Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
        self.passphrase.setInputMethodHints(hints)
        self.button = QPushButton(self)
        self.button.setObjectName("submit")
        self.button.setDefault(True)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)  # indeterminate
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.setVisible(False)
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("color: #b00020; font-weight: bold;")
        self._account_label, self._pass_label = QLabel(self), QLabel(self)
        form = QFormLayout()
        form.addRow(self._account_label, self.account)
        form.addRow(self._pass_label, self.passphrase)
        box = QVBoxLayout(self)
        box.setContentsMargins(32, 28, 32, 28)
        box.setSpacing(12)
        for w in (self.heading, self.subheading, self.explain):
            box.addWidget(w)
        box.addLayout(form)
        box.addWidget(self.button)
        box.addWidget(self.busy)
        box.addWidget(self.message)
        self.account.returnPressed.connect(self.passphrase.setFocus)
        self.passphrase.returnPressed.connect(self._on_submit)
        self.button.clicked.connect(self._on_submit)

    def set_labels(self, account: str, passphrase: str, button: str) -> None:
        self._account_label.setText(account)
        self._pass_label.setText(passphrase)
        self.button.setText(button)

    def set_busy(self, busy: bool, text: str = "") -> None:
        if not busy:
            self.busy.setRange(0, 0)  # indeterminate again for the next sign-in
        self.busy.setVisible(busy)
        for w in (self.account, self.passphrase, self.button):
            w.setEnabled(not busy)
        if busy:
            self.message.setStyleSheet("color: palette(text);")
            self.message.setText(text)

    def show_progress(self, percent: int, text: str) -> None:
        """Long work with a known end (the one-time index rebuild): the bar fills, the message says how far."""
        self.set_busy(True, text)
        self.busy.setRange(0, 100)
        self.busy.setValue(percent)

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet("color: #b00020; font-weight: bold;")
        self.message.setText(text)
        self.passphrase.clear()
        self.passphrase.setFocus()

    def _on_submit(self) -> None:
        if self.button.isEnabled():
            self.submitted.emit(self.account.text().strip(), self.passphrase.text())


SLOW_SIGNIN_MS = 3000  # a normal sign-in takes about 0.3 s


class SignInWidget(QWidget):
    """The first screen. Emits `signed_in(StationContext)` once the database is open."""

    signed_in = Signal(object)
    language_chosen = Signal(str)

    def __init__(
        self, home: Path | None = None, *, station_code: str = "",
        sign_in_fn: Callable[[str, str], Any] | None = None, pool: QThreadPool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signIn")
        self._home = home
        # The station's code is sealed until someone signs in (issue 15): shown only when the caller knows it.
        self._station_code = station_code
        self._sign_in_fn = sign_in_fn
        self._pool = pool
        self._slow = QTimer(self)
        self._slow.setSingleShot(True)
        self._slow.setInterval(SLOW_SIGNIN_MS)
        self._slow.timeout.connect(self._on_slow)
        self.panel = CredentialsPanel(self)
        outer = QVBoxLayout(self)
        self.language = QComboBox(self)  # before signing in, too: a clerk may not read English
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(i18n.current_language()))
        self.language.currentIndexChanged.connect(self._on_language_changed)
        outer.addWidget(self.language, 0, Qt.AlignmentFlag.AlignRight)
        outer.addStretch(1)
        outer.addWidget(self.panel, 0, Qt.AlignmentFlag.AlignHCenter)
        # a desk of a PostgreSQL site: a passphrase changed at another desk still opens this desk's key file
        # with the previous one (ui/signin/changed_dialog.py)
        self.changed_button = QPushButton(self)
        self.changed_button.setFlat(True)
        self.changed_button.setObjectName("passphraseChangedOpen")
        self.changed_button.clicked.connect(self.open_passphrase_changed)
        self.changed_button.setVisible(_on_server(home))
        self.changed_dialog: QWidget | None = None
        outer.addWidget(self.changed_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.recovery_button = QPushButton(self)
        self.recovery_button.setFlat(True)
        self.recovery_button.clicked.connect(self.open_recovery)
        outer.addWidget(self.recovery_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.erase_button = QPushButton(self)  # emergency erase (issue 15), behind its own confirmation
        self.erase_button.setFlat(True)
        self.erase_button.setObjectName("eraseOpen")
        self.erase_button.clicked.connect(self.open_erase)
        outer.addWidget(self.erase_button, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.panel.submitted.connect(self._on_panel_submitted)
        self.retranslate()

    def open_recovery(self) -> None:
        """Every passphrase lost: unlock with the printed recovery code (kept locked away)."""
        from ui.signin.recovery_dialog import RecoveryDialog

        dialog = RecoveryDialog(self._home, self)
        dialog.recovered.connect(self.signed_in)
        dialog.exec()

    def open_passphrase_changed(self) -> None:
        """The previous passphrase and the new one (window-modal, not blocking: its outcome is a sign-in)."""
        from ui.signin.changed_dialog import PassphraseChangedDialog

        dialog = PassphraseChangedDialog(self.panel.account.text().strip(), self)
        dialog.submitted.connect(self.take_new_passphrase)
        dialog.finished.connect(dialog.deleteLater)
        self.changed_dialog = dialog
        dialog.open()

    def take_new_passphrase(self, user: str, old: str, new: str) -> None:
        """Sign in with the new passphrase, bringing this desk's key-file entry to it (checked by the previous
        one and the server): off the GUI thread, shown on the panel, as a normal sign-in."""
        from station.services.site_join import take_new_passphrase

        home = self._home
        self.panel.account.setText(user)
        self._start(lambda _progress: take_new_passphrase(user, old, new, home))

    def open_erase(self) -> None:
        """Emergency erase from the sign-in screen (nobody signed in: the confirmation is the guard)."""
        from station.paths import station_home
        from ui.erase.widget import EraseDialog

        dialog = EraseDialog(self._home or station_home(), parent=self)
        dialog.erased.connect(self._on_erased)
        dialog.exec()

    def _on_erased(self, _report: object) -> None:
        self.panel.setEnabled(False)
        self.recovery_button.setEnabled(False)
        self.changed_button.setEnabled(False)
        self.panel.show_error(tr("erase.ui.done"))

    def _on_language_changed(self, _index: int) -> None:
        self.language_chosen.emit(str(self.language.currentData()))

    def retranslate(self) -> None:
        self.setWindowTitle(tr("signin.title"))
        p = self.panel
        p.heading.setText(tr("signin.title"))
        p.subheading.setText(tr("signin.station", station=self._station_code) if self._station_code else "")
        p.subheading.setVisible(bool(self._station_code))
        p.explain.setText(tr("signin.privacy"))
        p.set_labels(tr("signin.account"), tr("signin.passphrase"), tr("signin.button"))
        self.recovery_button.setText(tr("ui.recovery.link"))
        self.changed_button.setText(tr("ui.signin.changed.link"))
        self.erase_button.setText(tr("erase.ui.open"))

    def reset(self) -> None:
        """Back to an empty form (after sign-out)."""
        self.panel.passphrase.clear()
        self.panel.message.clear()
        self.panel.set_busy(False)
        (self.panel.passphrase if self.panel.account.text() else self.panel.account).setFocus()

    def _on_panel_submitted(self, user: str, secret: str) -> None:
        if not user or not secret:
            self.panel.show_error(tr("signin.empty"))
            return
        home, given = self._home, self._sign_in_fn

        def job(progress: Callable[[int, int], None]) -> object:
            if given is not None:
                return given(user, secret)
            return st.sign_in(user, secret, home, progress=progress)  # progress: the one-time index rebuild

        self._start(job)

    def _start(self, job: Callable[[Callable[[int, int], None]], object]) -> None:
        self.panel.set_busy(True, tr("signin.working"))
        self._slow.start()  # after an update, migrations and the index rebuild can take a while, once
        run_task(job, self._on_done, self._on_failed, self, pool=self._pool, on_progress=self._on_progress,
                 fallback="accounts.error.internal")

    def _on_progress(self, done: int, total: int) -> None:
        """After an update the search index is rebuilt once: say how far, so nobody switches the laptop off."""
        if total > 0 and not self.panel.busy.isHidden():
            self._slow.stop()
            percent = min(100, 100 * done // total)
            self.panel.show_progress(percent, tr("signin.rebuilding", percent=percent))

    def _on_slow(self) -> None:
        if not self.panel.busy.isHidden():  # still signing in
            self.panel.set_busy(True, tr("signin.slow"))

    def _on_done(self, ctx: object) -> None:
        self._slow.stop()
        self.panel.set_busy(False)
        self.panel.passphrase.clear()
        self.panel.message.clear()
        self.signed_in.emit(ctx)

    def _on_failed(self, exc: StationError) -> None:
        self._slow.stop()
        self.panel.set_busy(False)
        self.panel.show_error(exc.message())


def _on_server(home: Path | None) -> bool:
    """A desk of a PostgreSQL site (the plain flag, readable before sign-in)."""
    from station.paths import station_home
    from station.settings import station_settings

    try:
        return station_settings(home or station_home()).on_server
    except (OSError, ValueError, StationError):
        return False
