"""Composition root: QApplication, language, first-run set-up or sign-in, then the desk window."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from station import settings
from station.logsafe import log_failure
from station.paths import station_home
from station.services import search_index_background
from station.services.station import StationContext, is_set_up
from station.settings import StationSettings, station_settings
from ui import gc_guard
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
        self.set_language(station_settings(home).language or "en")

    def start(self) -> None:
        if is_set_up(self.home):
            self.show_signin()
        else:
            self.show_setup()

    def set_language(self, lang: str) -> None:
        """Switch the window; on a set-up station the choice is kept, in the one place settings live."""
        apply_language(self.app, lang)
        if is_set_up(self.home) and station_settings(self.home).language != lang:
            settings.update(StationSettings, self.home, language=lang)
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
        if isinstance(ctx, StationContext) and ctx.catch_up is None:  # after an update: the index rebuilt
            ctx.catch_up = search_index_background.start(ctx.db)
        self.window = MainWindow(ctx)
        self.window.language_changed.connect(self.set_language)
        self.window.desk_actions.sign_out_requested = self.sign_out
        self.window.overlay.duress_opened.connect(self.open_desk)  # issue 15: duress typed at the lock screen
        self._show(self.window, maximized=True)  # a 1366x768 laptop: the whole form and the status bar
        self.window.form.focus_first()
        if getattr(ctx, "must_change_password", False):
            from ui.accounts.passphrase_dialogs import ChangeOwnPassphraseDialog

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

    def _show(self, widget: QWidget, maximized: bool = False) -> None:
        old = self.current
        self.current = widget
        if maximized:
            widget.showMaximized()
        else:
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


def _set_identity(app: QApplication) -> None:
    """The window icon, and the desktop entry's name (Wayland matches the window to its .desktop file by it)."""
    from PySide6.QtGui import QIcon

    from station import APP_ID
    from station.paths import icons_dir

    icon = QIcon()
    for png in sorted(icons_dir().glob(f"{APP_ID}-*.png")):
        icon.addFile(str(png))
    app.setWindowIcon(icon)
    app.setDesktopFileName(APP_ID)


def run(argv: Sequence[str] = ()) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.excepthook = _excepthook
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName("Registration Station")
    _set_identity(app)
    gc_guard.install(app)  # cycles collected on this thread only: no Qt object destroyed on a worker
    controller = AppController(app, station_home())
    controller.start()
    if os.environ.get("STATION_EXIT_AFTER_START") == "1":  # smoke test of an installed build (.ci/package.sh)
        QTimer.singleShot(0, lambda: (print(f"started: {type(controller.current).__name__}", flush=True),
                                      app.quit()))
    code = app.exec()
    controller.shutdown()
    return code
