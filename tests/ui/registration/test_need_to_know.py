"""Need to know: a clerk's lists and member form do not name protection needs or notes (a supervisor's do),
a clerk's save keeps them as they were; privacy mode blurs every portrait on screen."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from PySide6.QtGui import QImage

from station.domain.codes import SpecificNeed
from station.domain.model import Need
from station.domain.roles import Actor, Role
from station.services import views
from station.services.registration import correct_household, get_household, register_household
from tests.factories import family_of_five, member
from ui.main_window import MainWindow
from ui.widgets.portrait import PortraitLabel, privacy_mode, set_privacy_mode

CHILD = Need(SpecificNeed.UNACCOMPANIED_CHILD, "found alone at the checkpoint")


def _needs_column(window: MainWindow, row: int) -> str:
    return window.form.table.item(row, window.form.table.columnCount() - 1).text()


def test_lists_leave_protection_needs_out_for_a_clerk() -> None:
    needs = (Need(SpecificNeed.SERIOUS_MEDICAL, "insulin"), CHILD, Need(SpecificNeed.SURVIVOR_OF_VIOLENCE))
    assert views.shown_needs(needs, True) == needs
    assert views.shown_needs(needs, False) == (Need(SpecificNeed.SERIOUS_MEDICAL),)  # no note either
    assert not views.sees_protection(Actor("sara", Role.CLERK, "MKH-02"))
    assert views.sees_protection(Actor("mona", Role.SUPERVISOR, "MKH-02"))


def test_clerk_sees_neither_the_need_nor_the_note_and_keeps_them(qtbot, window: MainWindow) -> None:
    draft = family_of_five()
    child = member("سارة", "Sara", rel=draft.members[1].relationship, needs=(CHILD,))
    draft = type(draft)(members=(draft.members[0], child), origin=draft.origin, arrival_point=draft.arrival_point)
    with window.ctx.db.uow() as uow:
        view = register_household(uow, window.ctx.actor, draft)
    window.open_household(view.id)
    assert "Unaccompanied" in _needs_column(window, 1)  # the administrator sees it
    window.form.edit_member(1)
    editor = window.form.editor
    assert not editor.needs[SpecificNeed.UNACCOMPANIED_CHILD].isHidden()
    assert editor.need_note.text() == CHILD.note and not editor.need_note.isHidden()

    window.ctx.actor = Actor("sara", Role.CLERK, window.ctx.station_code)
    window.desk_actions.refresh_roles()  # as when a clerk takes the desk over
    assert "Unaccompanied" not in _needs_column(window, 1)
    assert editor.needs[SpecificNeed.UNACCOMPANIED_CHILD].isHidden() and editor.need_note.isHidden()
    window.form.edit_member(1)
    assert editor.needs[SpecificNeed.UNACCOMPANIED_CHILD].isHidden() and editor.need_note.isHidden()
    assert not editor.needs[SpecificNeed.SERIOUS_MEDICAL].isHidden()  # other needs stay for the clerk
    window.form.editor.clear()  # a new member: the clerk can record a protection need
    assert not editor.needs[SpecificNeed.UNACCOMPANIED_CHILD].isHidden() and not editor.need_note.isHidden()

    window.form.edit_member(1)
    editor.lat["father"].setText("Omar")  # the clerk corrects a name and saves
    assert window.form.commit_member()
    with window.ctx.db.uow() as uow:
        saved = correct_household(uow, window.ctx.actor, window.form.draft())
    with window.ctx.db.reader() as uow:
        again = get_household(uow, window.ctx.actor, saved.id)
    assert again.members[1].name_lat.father == "Omar" and again.members[1].needs == (CHILD,)


def _jpeg() -> bytes:
    rng = np.random.default_rng(3)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (80, 60, 3), dtype=np.uint8)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _detail(label: PortraitLabel) -> float:
    """How much the picture changes from one pixel to the next (a blurred face has next to none)."""
    img = label.pixmap().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, np.uint8, img.sizeInBytes()).reshape(img.height(), img.bytesPerLine())[:, :img.width()]
    return float(np.abs(np.diff(arr.astype(np.int16), axis=1)).mean())


def test_privacy_mode_blurs_every_portrait(qtbot, window: MainWindow) -> None:
    label = PortraitLabel()
    qtbot.addWidget(label)
    label.set_jpeg(_jpeg())
    sharp = _detail(label)
    action = window.desk_actions.actions["privacy_mode"][0]
    assert action.isCheckable() and action.isVisible()
    try:
        action.trigger()  # the menu entry, as the clerk chooses it
        assert privacy_mode()
        blurred = _detail(label)  # the portrait already on screen is blurred at once
        assert blurred < sharp / 5 and "privacy mode" in label.toolTip()
        later = PortraitLabel()
        qtbot.addWidget(later)
        later.set_jpeg(_jpeg())  # and so is one shown afterwards
        assert _detail(later) < sharp / 5
        action.trigger()
        assert not privacy_mode() and _detail(label) > sharp * 0.8
    finally:
        set_privacy_mode(False)


def test_privacy_mode_survives_a_portrait_whose_widget_is_gone(qtbot) -> None:
    import shiboken6

    gone = PortraitLabel()
    shiboken6.delete(gone)  # a closed dialog's portrait: the Python wrapper outlives its C++ widget
    shown = PortraitLabel()
    qtbot.addWidget(shown)
    shown.set_jpeg(_jpeg())
    sharp = _detail(shown)
    try:
        set_privacy_mode(True)
        assert _detail(shown) < sharp / 5
    finally:
        set_privacy_mode(False)
