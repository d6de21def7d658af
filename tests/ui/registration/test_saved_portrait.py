"""Saving a household keeps the head's portrait on screen without reading and decoding it again (a save never
changes a photo; issue 18: the save under 50 ms); opening a household, or another one, reads it."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from PySide6.QtCore import Qt

from station.services.photos import save_portrait
from station.services.registration import register_household
from tests.factories import family_of_five
from tests.ui.keys import type_text
from ui.main_window import MainWindow


def test_a_save_keeps_the_heads_portrait_an_open_reads_it(qtbot: Any, window: MainWindow) -> None:
    ok, buf = cv2.imencode(".jpg", np.full((160, 120, 3), 90, np.uint8))
    assert ok
    with window.ctx.db.uow() as uow:
        first = register_household(uow, window.ctx.actor, family_of_five())
        other = register_household(uow, window.ctx.actor, family_of_five())
        save_portrait(uow, window.ctx.actor, first.members[0].id, bytes(buf))
        save_portrait(uow, window.ctx.actor, other.members[0].id, bytes(buf))
    read: list[str] = []
    loader = window.form.portrait_loader
    assert loader is not None

    def counted(individual_id: str) -> bytes | None:
        read.append(individual_id)
        return loader(individual_id)

    window.form.portrait_loader = counted
    window.open_household(first.id)
    assert read == [first.members[0].id] and window.form.portrait.jpeg == bytes(buf)
    window.form.notes.setFocus()
    type_text(window.form.notes, " ok")
    qtbot.keyClick(window.form.notes, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not window.form.dirty and window.form.view is not None and window.form.view.version == 2
    assert read == [first.members[0].id]  # not read again
    assert window.form.portrait.jpeg == bytes(buf) and not window.form.portrait.pixmap().isNull()
    window.open_household(first.id)  # opening reads it again (a photo may have been taken meanwhile)
    window.open_household(other.id)
    assert read == [first.members[0].id, first.members[0].id, other.members[0].id]
    window.new_household()
    assert window.form.portrait.jpeg is None
