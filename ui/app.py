"""Composition root: QApplication, language, first-run set-up or sign-in, then the desk window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from station.logsafe import log_failure
from station.paths import station_home
from station.services.station import StationContext, is_set_up
from station.settings import station_settings
from ui.main_window import MainWindow
from ui.qt_i18n import apply_language
from ui.setup.wizard import SetupWizard
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class AppController:
    """Moves between the set-up, sign-in and desk screens; owns the signed-in context."""

    def __init__(self, app: QApplication, home: Path, runner: TaskRunner | None = None) -> None:
        self.app = app
        self.home = home
        self.runner = runner or TaskRunner()
        self.ctx: StationContext | None = None
        self.window: MainWindow | None = None
        self.current: QWidget | None = None
        self.prefs = QSettings("RegistrationStation", "desk")
        lang = str(self.prefs.value("language", "") or station_settings(home).language or "en")
        self.set_language(lang)

    def start(self) -> None:
        if is_set_up(self.home):
            self.show_signin()
        else:
            self.show_setup()

    def set_language(self, lang: str) -> None:
        apply_language(self.app, lang)
        self.prefs.setValue("language", lang)
        for w in (self.current, self.window):
            if w is not None and hasattr(w, "retranslate"):
                w.retranslate()

    def show_setup(self) -> None:
        wizard = SetupWizard(self.home, self.runner)
        wizard.language_chosen.connect(self.set_language)
        wizard.finished_setup.connect(self.open_desk)
        self._show(wizard)

    def show_signin(self) -> None:
        from ui.signin import SignInWidget

        widget = SignInWidget(self.home)
        widget.signed_in.connect(self.open_desk)
        if hasattr(widget, "language_chosen"):
            widget.language_chosen.connect(self.set_language)
        self._show(widget)

    def open_desk(self, ctx: StationContext) -> None:
        self.ctx = ctx
        self.window = MainWindow(ctx)
        self.window.language_changed.connect(self.set_language)
        self.window.actions.sign_out_requested = self.sign_out
        self._show(self.window)
        if getattr(ctx, "must_change_password", False):
            from ui.accounts.dialogs import ChangeOwnPassphraseDialog

            ChangeOwnPassphraseDialog(ctx, self.window).exec()

    def sign_out(self) -> None:
        from station.services.station import sign_out

        if self.ctx is not None:
            sign_out(self.ctx)
            self.ctx.close()
            self.ctx = None
        window, self.window = self.window, None
        self.show_signin()
        if window is not None:
            window.form.dirty = False
            window.close()
            window.deleteLater()

    def _show(self, widget: QWidget) -> None:
        old = self.current
        self.current = widget
        widget.show()
        if old is not None and old is not widget:
            old.close()
            old.deleteLater()

    def shutdown(self) -> None:
        if self.ctx is not None:
            from station.services.station import sign_out

            sign_out(self.ctx)
            self.ctx.close()


def _excepthook(kind: type[BaseException], exc: BaseException, tb: object) -> None:
    """An unexpected error is logged without its message (it may quote personal data); the window stays up."""
    exc.__traceback__ = tb  # type: ignore[assignment]
    log_failure(log, "unexpected error", exc)


def run(argv: Sequence[str] = ()) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.excepthook = _excepthook
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName("Registration Station")
    controller = AppController(app, station_home())
    controller.start()
    code = app.exec()
    controller.shutdown()
    return code
