"""The duress passphrase typed at a locked desk: the application shows the empty station's desk in place of the
erased one, as after a duress sign-in (issue 15), through the real composition root."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from station.services import duress
from station.services.station import initialize
from tests.conftest import PASSPHRASE
from tests.station.printing.print_helpers import add_household
from ui.app import AppController
from ui.tasks import TaskRunner

DURESS = "the weather is fine today"


def test_duress_at_the_lock_screen_replaces_the_desk(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    add_household(ctx)
    duress.set_duress_passphrase(ctx, DURESS)
    app = AppController(QApplication.instance(), home, TaskRunner(immediate=True))  # type: ignore[arg-type]
    app.open_desk(ctx)
    old = app.window
    assert old is not None
    old.form.dirty = True  # a half-typed household under the lock: nothing must ask about it afterwards
    old.overlay.lock("shortcut")
    ov = old.overlay
    ov.panel.passphrase.setText(DURESS)
    qtbot.mouseClick(ov.panel.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window is not old, timeout=30000)
    try:
        new = app.window
        assert new is not None and app.ctx is new.ctx and new.ctx is not ctx and ctx.db_key is None
        assert new.isVisible() and not new.is_locked()
        assert not isValid(old) or not old.isVisible()  # the erased station's desk is closed
        assert new.ctx.station_code == "MKH-02" and new.ctx.actor.username == "admin"
        from sqlalchemy import func, select

        from station.db.rows import HouseholdRow

        with new.ctx.db.reader() as uow:
            assert uow.session.scalar(select(func.count()).select_from(HouseholdRow)) == 0
    finally:
        app.shutdown()
        if app.window is not None:
            app.window.form.dirty = False
            app.window.close()
