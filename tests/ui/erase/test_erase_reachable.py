"""The emergency erase is one gesture away from the sign-in screen and from the desk (issue 15): a visible
control that opens the guarded confirmation, which erases nothing until the word is typed or the hold held."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton

from station.services import erase
from station.services.station import StationContext, is_set_up
from ui.erase.widget import EraseDialog
from ui.main_window import MainWindow
from ui.signin.widget import SignInWidget


def _dismiss_the_dialog_it_opens(seen: list[EraseDialog]) -> None:
    """Once the modal dialog is up: note it and close it with Cancel (nothing typed, nothing held)."""

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, EraseDialog):
            QTimer.singleShot(20, check)
            return
        seen.append(dialog)
        assert not dialog.erase_button.isEnabled()  # still guarded: the word is not typed
        dialog.reject()

    QTimer.singleShot(0, check)


def test_the_sign_in_screen_offers_the_erase(qtbot, sqlite_ctx: StationContext, home: Path) -> None:  # type: ignore[no-untyped-def]
    sqlite_ctx.close()
    w = SignInWidget(home, station_code="MKH-02")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.erase_button.isVisible() and w.erase_button.isEnabled() and w.erase_button.text()
    seen: list[EraseDialog] = []
    _dismiss_the_dialog_it_opens(seen)
    w.erase_button.click()
    assert len(seen) == 1 and is_set_up(home) and not erase.was_erased(home)


def test_the_desk_offers_the_erase(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    action = window.erase_action
    bars = [b for b in window.findChildren(QToolBar) if action in b.actions() and b.isVisible()]
    assert bars and action.isVisible() and action.isEnabled() and action.text()
    button = bars[0].widgetForAction(action)
    assert isinstance(button, QToolButton) and button.isVisible()
    seen: list[EraseDialog] = []
    _dismiss_the_dialog_it_opens(seen)
    button.click()
    assert len(seen) == 1 and window.ctx.db_key is not None and not erase.was_erased(window.ctx.home)
