"""Qt fixtures shared by the window tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from ui import gc_guard
from ui.main_window import MainWindow
from ui.qt_i18n import apply_language


@pytest.fixture(autouse=True)
def _gc_on_the_gui_thread(qapp) -> None:  # type: ignore[no-untyped-def]
    """As the program runs (ui.app.run): cycles collected on the GUI thread, never on a worker."""
    gc_guard.install(qapp)


@pytest.fixture
def window(qtbot, sqlite_ctx) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    """The desk window, in English, shown and focused, on a fresh station."""
    apply_language(QApplication.instance(), "en")
    w = MainWindow(sqlite_ctx)
    w.show()  # not qtbot.addWidget: pytest-qt would close it before this fixture's teardown, and closing asks
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    w.form.dirty = False  # closing must not ask about unsaved work
    w.close()
    w.deleteLater()
