"""The desk opens at once after an update that rebuilds the search index: the status bar says how far the
background rebuild is, and the note goes once it is done (issue 18)."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication
from sqlalchemy import update

from station.db.rows import MetaRow
from station.i18n import tr
from station.services import search_index
from station.services import search_index_background as bg
from station.services import station as st
from station.services.demo import make_household
from station.services.registration import register_household
from tests.conftest import PASSPHRASE
from ui.app import AppController
from ui.qt_i18n import apply_language
from ui.tasks import TaskRunner


def test_the_desk_opens_with_the_rebuild_shown_then_gone(qtbot, sqlite_ctx, home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    rng = random.Random(3)
    with ctx.db.uow() as uow:
        for _ in range(12):
            register_household(uow, ctx.actor, make_household(rng, date(2026, 11, 1), datetime(2026, 11, 1, 9)))  # noqa: DTZ001 - a clerk's typed time
        uow.session.execute(update(MetaRow).where(MetaRow.key == search_index.VERSION_KEY).values(value="2"))
    ctx.close()
    for name, value in (("SYNC_HOUSEHOLDS", 0), ("FIRST_CHUNK", 1), ("MIN_CHUNK", 1), ("MAX_CHUNK", 1),
                        ("PAUSE_SECONDS", 0.15)):  # a dozen chunks, about two seconds in all
        monkeypatch.setattr(bg, name, value)
    apply_language(QApplication.instance(), "en")
    signed_in = st.sign_in("admin", PASSPHRASE, home)
    assert not search_index.is_current(signed_in.db)  # the sign-in did not wait for it
    app = AppController(QApplication.instance(), home, TaskRunner(immediate=True))  # type: ignore[arg-type]
    app.open_desk(signed_in)
    try:
        window = app.window
        assert window is not None and signed_in.catch_up is not None
        status = window.index_status
        assert status.isVisible()
        assert status.text().startswith(tr("ui.status.index_updating", percent=0).split(":")[0])
        qtbot.waitUntil(lambda: not status.isVisible(), timeout=60000)
        assert signed_in.catch_up.finished and search_index.is_current(signed_in.db)
    finally:
        window = app.window
        if window is not None:
            window.form.dirty = False
        app.shutdown()
        if window is not None:
            window.close()
