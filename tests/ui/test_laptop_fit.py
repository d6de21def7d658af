"""The desk on a 1366x768 laptop, in every language: the household part fits without scrolling.

Maximised under a window manager the window gets about 1366x746 (the title bar takes the rest); the form
must then show the origin, six member rows, the selected member's names, person, document, needs and
Save without a scroll bar, and the status bar (where "Saved as ..." appears) must be inside the window.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QScrollArea

from station.services.registration import register_household
from tests.factories import family_of_five
from ui.main_window import MainWindow
from ui.qt_i18n import apply_language

LAPTOP = (1366, 746)


@pytest.mark.parametrize("lang", ["en", "ar", "ckb"])
def test_household_part_fits_a_laptop_screen(qtbot, sqlite_ctx, lang: str) -> None:
    apply_language(QApplication.instance(), lang)
    try:
        with sqlite_ctx.db.uow() as uow:
            view = register_household(uow, sqlite_ctx.actor, family_of_five())
        w = MainWindow(sqlite_ctx)
        w.resize(*LAPTOP)
        w.show()
        qtbot.waitExposed(w)
        w.open_household(view.id)
        w.form.edit_member(1)
        for _ in range(5):
            QApplication.processEvents()
        assert (w.width(), w.height()) == LAPTOP, "the window's minimum size is larger than the laptop's screen"
        scroll = w.findChild(QScrollArea)
        assert scroll is not None
        assert scroll.verticalScrollBar().maximum() == 0, f"{lang}: the form scrolls vertically"
        assert scroll.horizontalScrollBar().maximum() == 0, f"{lang}: the form scrolls sideways"
        assert w.form.table.height() >= w.form._table_height(6)
        bar = w.statusBar()
        assert bar.isVisible() and bar.geometry().bottom() <= w.height()
        save = w.form.save_btn
        assert save.isVisible() and not save.visibleRegion().isEmpty()
        title = w.form.title  # beside the buttons, the whole registration number stays in sight
        assert view.registration_number in title.text()
        assert title.fontMetrics().horizontalAdvance(title.text()) <= title.contentsRect().width(), \
            f"{lang}: the household's title is cut off"
        assert str(view.version) in title.toolTip()
        w.form.dirty = False
        w.close()
    finally:
        apply_language(QApplication.instance(), "en")
