"""No typing is lost without asking: any edit marks the form changed, and every way out asks first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.keys import type_text
from ui.main_window import MainWindow


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answers every discard question with No (keep the work) and records that it was asked."""
    calls: list[str] = []

    def question(_parent, _title, text, *_a, **_k):  # type: ignore[no-untyped-def]
        calls.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    return calls


def test_origin_typed_alone_is_kept_on_ctrl_n(qtbot, window: MainWindow, asked: list[str]) -> None:
    window.form.place.setFocus()
    type_text(window.form.place, "Hammam al-Alil")
    assert window.form.dirty
    qtbot.keyClick(window.form.place, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert asked, "Ctrl+N threw the origin away without asking"
    assert window.form.place.text() == "Hammam al-Alil"


def test_half_typed_member_is_kept_when_opening_another(qtbot, window: MainWindow, asked: list[str]) -> None:
    ed = window.form.editor
    ed.lat["given"].setFocus()
    type_text(ed.lat["given"], "Mustafa")
    assert window.form.dirty
    window.open_household("no-such-id")
    assert asked
    assert ed.lat["given"].text() == "Mustafa"


def test_closing_with_a_half_typed_member_asks(qtbot, window: MainWindow, asked: list[str]) -> None:
    ed = window.form.editor
    ed.ar["given"].setFocus()
    type_text(ed.ar["given"], "مصطفى")
    assert window.close() is False
    assert asked


def test_signing_out_asks_first(qtbot, window: MainWindow, asked: list[str]) -> None:
    signed_out: list[bool] = []
    window.desk_actions.sign_out_requested = lambda: signed_out.append(True)
    type_text(window.form.district, "Mosul")
    window.desk_actions.sign_out()
    assert asked and not signed_out


def test_typing_undone_is_not_a_change(qtbot, window: MainWindow) -> None:
    """A scanner's burst taken back out of a field (ui/scanning/wedge.py) leaves the form unchanged."""
    type_text(window.form.district, "MKH")
    assert window.form.dirty
    window.form.district.setText("")
    assert not window.form.dirty


def test_looking_at_a_saved_member_is_not_a_change(qtbot, window: MainWindow) -> None:
    from station.services.registration import register_household
    from tests.factories import family_of_five

    with window.ctx.db.uow() as uow:
        view = register_household(uow, window.ctx.actor, family_of_five())
    window.open_household(view.id)
    assert not window.form.dirty
    window.form.edit_member(2)  # the clerk picks a member to photograph: nothing typed
    assert not window.form.dirty
    type_text(window.form.editor.lat["father"], "x")
    assert window.form.dirty


def test_a_baby_shows_days_then_months() -> None:
    from datetime import date

    from station import i18n
    from tests.factories import member
    from ui.registration.household_form import age_text

    today = date(2026, 12, 1)
    baby = member("نور", "Nour", birth=date(2026, 11, 25))
    assert age_text(baby, today) == "6 days"
    assert age_text(member("نور", "Nour", birth=date(2026, 2, 1)), today) == "10 months"
    assert age_text(member("نور", "Nour", birth=date(1990, 5, 17)), today) == "36"
    i18n.set_language("ar")
    try:
        assert age_text(baby, today) == "6 أيام"
        assert age_text(member("نور", "Nour", birth=date(2026, 11, 29)), today) == "يومان"
    finally:
        i18n.set_language("en")
