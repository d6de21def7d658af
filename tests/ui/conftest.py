"""Qt fixtures shared by the window tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from ui.main_window import MainWindow
from ui.qt_i18n import apply_language


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
