"""Lock overlay hides everything and keeps unsaved work; the same person or a supervisor unlocks. Idle watcher."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QStatusBar
from pytestqt.qtbot import QtBot

from station.domain.roles import Role
from station.services import accounts
from station.services import station as st
from station.services.station import StationContext
from ui.lock.idle import IdleWatcher
from ui.lock.overlay import LockOverlay, install_lock_shortcut


@pytest.fixture
def clerk_ctx(sqlite_ctx: StationContext, home: Path) -> Iterator[StationContext]:
    accounts.create_account(sqlite_ctx, "sara", Role.CLERK, "sara passphrase 1")
    accounts.create_account(sqlite_ctx, "omar", Role.CLERK, "omar passphrase 1")
    c = st.sign_in("sara", "sara passphrase 1", home)
    yield c
    c.close()


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    win = QMainWindow()
    form = QLineEdit()
    form.setObjectName("form")
    win.setCentralWidget(form)
    win.setStatusBar(QStatusBar())
    win.statusBar().showMessage("MKH-02-000123-K")
    win.resize(800, 600)
    qtbot.addWidget(win)
    win.show()
    return win


def _unlock(qtbot: QtBot, ov: LockOverlay, user: str, secret: str) -> None:
    ov.panel.account.setText(user)
    ov.panel.passphrase.setText(secret)
    qtbot.mouseClick(ov.panel.button, Qt.MouseButton.LeftButton)


def test_lock_hides_data_and_keeps_unsaved_work(qtbot: QtBot, window: QMainWindow,
                                                clerk_ctx: StationContext) -> None:
    form = window.centralWidget()
    assert isinstance(form, QLineEdit)
    form.setText("فاطمة unsaved draft")
    ov = LockOverlay(window, clerk_ctx)
    ov.lock("shortcut")
    assert ov.is_locked() and clerk_ctx.locked
    assert not form.isVisible() and not window.statusBar().isVisible()
    assert ov.geometry() == window.rect()
    assert ov.panel.account.text() == "sara"
    window.resize(900, 700)
    assert ov.geometry() == window.rect()

    _unlock(qtbot, ov, "sara", "wrong passphrase!")
    qtbot.waitUntil(lambda: ov.panel.button.isEnabled() and ov.panel.message.text() != "", timeout=10000)
    assert ov.is_locked() and "Wrong" in ov.panel.message.text()

    _unlock(qtbot, ov, "omar", "omar passphrase 1")  # another clerk may not take over
    qtbot.waitUntil(lambda: ov.panel.button.isEnabled() and "role" in ov.panel.message.text(), timeout=10000)
    assert ov.is_locked()

    with qtbot.waitSignal(ov.unlocked, timeout=10000) as sig:
        _unlock(qtbot, ov, "sara", "sara passphrase 1")
    assert sig.args[0].username == "sara"
    assert not ov.is_locked() and form.isVisible() and window.statusBar().isVisible()
    assert form.text() == "فاطمة unsaved draft"


def test_supervisor_takes_over(qtbot: QtBot, window: QMainWindow, sqlite_ctx: StationContext,
                               clerk_ctx: StationContext) -> None:
    accounts.create_account(sqlite_ctx, "lead", Role.SUPERVISOR, "lead passphrase 1")
    ov = LockOverlay(window, clerk_ctx)
    ov.lock()
    with qtbot.waitSignal(ov.unlocked, timeout=10000) as sig:
        _unlock(qtbot, ov, "lead", "lead passphrase 1")
    assert sig.args[0].role is Role.SUPERVISOR and clerk_ctx.actor.username == "lead"


def test_shortcut_locks(qtbot: QtBot, window: QMainWindow, clerk_ctx: StationContext) -> None:
    ov = LockOverlay(window, clerk_ctx)
    install_lock_shortcut(window, ov)
    window.activateWindow()
    window.centralWidget().setFocus()
    qtbot.keyClick(window.centralWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(ov.is_locked, timeout=2000)


def test_idle_watcher(qtbot: QtBot, window: QMainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """Activity keeps the desk open past the timeout; a quiet timeout locks it. The watcher's clock is the
    test's (a loaded machine may take a second for what the test calls 100 ms: it must not lock then)."""
    from types import SimpleNamespace

    import ui.lock.idle as idle_module

    now = [1000.0]
    monkeypatch.setattr(idle_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    w = IdleWatcher(5, check_ms=20)
    assert w._timeout_s == 300  # default from the settings: five minutes
    w.set_timeout_seconds(1.0)
    w.start()
    target = window.centralWidget()
    fired: list[bool] = []
    w.idle.connect(lambda: fired.append(True))
    for _ in range(15):  # steady activity for longer than the timeout (1.5 s): no lock
        now[0] += 0.1
        QApplication.sendEvent(target, QMouseEvent(QEvent.Type.MouseMove, QPointF(5, 5), QPointF(5, 5),
                                                   Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                                                   Qt.KeyboardModifier.NoModifier))
        qtbot.wait(25)  # the watcher's timer runs in between
    assert fired == [] and w.is_running()
    now[0] += 0.9  # quiet, but not yet for the whole timeout
    qtbot.wait(60)
    assert fired == []
    now[0] += 0.2
    with qtbot.waitSignal(w.idle, timeout=5000):
        pass
    assert not w.is_running()
    w.set_minutes(0)
    w.start()
    assert not w.is_running()  # 0 minutes switches the lock off


def test_lock_hides_open_dialogs_of_the_window(qtbot: QtBot, window: QMainWindow, clerk_ctx: StationContext) -> None:
    from PySide6.QtWidgets import QDialog, QLabel

    dialog = QDialog(window)
    QLabel("MKH-02-000123-K", dialog)
    dialog.show()
    ov = LockOverlay(window, clerk_ctx)
    ov.lock()
    assert not dialog.isVisible() and ov.is_locked()


def test_duress_passphrase_at_the_lock_screen_opens_the_empty_station(qtbot: QtBot, window: QMainWindow,
                                                                       sqlite_ctx: StationContext) -> None:
    """Issue 15: a coerced clerk at a locked desk types the duress passphrase: no "wrong passphrase", the
    station is erased and the empty one handed over; what was under the overlay is never shown again."""
    from station.services import duress
    from tests.station.printing.print_helpers import add_household

    add_household(sqlite_ctx)
    duress.set_duress_passphrase(sqlite_ctx, "the weather is fine today")
    form = window.centralWidget()
    assert isinstance(form, QLineEdit)
    form.setText("فاطمة unsaved draft")
    ov = LockOverlay(window, sqlite_ctx)
    ov.lock("shortcut")
    opened: list[object] = []
    ov.unlocked.connect(opened.append)
    with qtbot.waitSignal(ov.duress_opened, timeout=20000) as sig:
        _unlock(qtbot, ov, "admin", "the weather is fine today")
    empty = sig.args[0]
    try:
        assert isinstance(empty, StationContext) and empty.station_code == "MKH-02"
        assert sqlite_ctx.db_key is None and opened == [] and ov.panel.message.text() == ""
        assert not form.isVisible()  # the erased station's form is not shown again
        with empty.db.reader() as uow:
            from sqlalchemy import func, select

            from station.db.rows import HouseholdRow
            assert uow.session.scalar(select(func.count()).select_from(HouseholdRow)) == 0
    finally:
        empty.close()
