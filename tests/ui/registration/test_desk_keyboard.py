"""The desk window driven by keyboard only: a family of five registered without the mouse."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from station import clock, i18n
from station.services.registration import find_by_regno
from tests.ui.keys import type_text
from ui.main_window import MainWindow
from ui.qt_i18n import apply_language

FAMILY = [
    # given_ar, father_ar, gf_ar, family_ar, given_lat, father_lat, gf_lat, family_lat, sex key, rel key, birth, age
    ("فاطمة", "أحمد", "علي", "الجبوري", "Fatima", "Ahmed", "Ali", "Al-Jubouri", "F", "H", "١٧/٠٥/١٩٩٠", ""),
    ("زينب", "حسين", "علي", "الجبوري", "Zainab", "Hussein", "Ali", "Al-Jubouri", "F", "D", "01/03/2012", ""),
    ("يوسف", "حسين", "علي", "الجبوري", "Yousef", "Hussein", "Ali", "Al-Jubouri", "M", "S", "", "٩"),
    ("مريم", "حسين", "علي", "الجبوري", "Maryam", "Hussein", "Ali", "Al-Jubouri", "F", "D", "", "4"),
    ("نور", "حسين", "علي", "الجبوري", "Nour", "Hussein", "Ali", "Al-Jubouri", "F", "D",
     clock.local_today(zone=clock.system_zone()).strftime("%d/%m/%Y"), ""),
]


def _focused() -> object:
    return QApplication.focusWidget()



def _type(qtbot, text: str) -> None:
    type_text(_focused(), text)


def _choose(qtbot, combo, wanted_value: str) -> None:
    """Pick a combo value by keyboard only (arrow keys), as a clerk would."""
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentData() == wanted_value:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"{wanted_value} not reachable")


def test_family_of_five_without_mouse(qtbot, window: MainWindow) -> None:
    form, ed = window.form, window.form.editor
    rel = {"H": "head", "D": "daughter", "S": "son"}
    ed.ar["given"].setFocus()
    for person in FAMILY:
        assert _focused() is ed.ar["given"]
        texts = person[:8]
        for i, text in enumerate(texts):
            _type(qtbot, text)
            qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
            expected = [*ed.ar.values(), *ed.lat.values(), ed.sex][i + 1]
            assert _focused() is expected, f"tab order broken after field {i}"
        _choose(qtbot, ed.sex, person[8])
        qtbot.keyClick(ed.sex, Qt.Key.Key_Tab)
        assert _focused() is ed.relationship
        _choose(qtbot, ed.relationship, rel[person[9]])
        qtbot.keyClick(ed.relationship, Qt.Key.Key_Tab)
        assert _focused() is ed.birth
        _type(qtbot, person[10])
        qtbot.keyClick(ed.birth, Qt.Key.Key_Tab)
        assert _focused() is ed.age
        _type(qtbot, person[11])
        qtbot.keyClick(ed.age, Qt.Key.Key_Return)  # Enter adds the member and starts the next
    assert len(form.members) == 5
    assert form.members[0].birth_date == date(1990, 5, 17)  # Arabic-Indic digits normalised
    assert form.members[2].age_years == 9
    qtbot.keyClick(_focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.view is not None, "Ctrl+S did not save"
    with window.ctx.db.reader() as uow:
        saved = find_by_regno(uow, window.ctx.actor, form.view.registration_number)
    assert [m.name_lat.given for m in saved.members] == ["Fatima", "Zainab", "Yousef", "Maryam", "Nour"]
    assert [m.relationship.value for m in saved.members] == ["head", "daughter", "son", "daughter", "daughter"]
    assert window.register.model.rows[0].registration_number == saved.registration_number
    assert window.register.count.text() == i18n.tn("ui.register.today_count", 1)
    assert not form.dirty


def test_errors_appear_next_to_field_in_users_language(qtbot, window: MainWindow) -> None:
    apply_language(QApplication.instance(), "ar")
    window.retranslate()
    ed = window.form.editor
    ed.ar["given"].setText("سعد")
    ed.age.setText("130")
    ed.doc_expiry.setText("31/02/2030")
    qtbot.keyClick(ed.age, Qt.Key.Key_Return)
    assert window.form.members == []  # not added
    age_error: QLabel = ed.fields["age"].error
    assert age_error.isVisible() and age_error.text() == i18n.tr("error.age_too_high", "ar")
    assert "120" in age_error.text()
    ed.age.setText("")
    ed.birth.setText("30/02/1990")
    qtbot.keyClick(ed.birth, Qt.Key.Key_Return)
    assert ed.fields["birth_date"].error.text() == i18n.tr("error.date_invalid", "ar")
    assert ed.fields["doc_expiry"].error.isVisible()
    assert QApplication.instance().layoutDirection() == Qt.LayoutDirection.RightToLeft
    apply_language(QApplication.instance(), "en")


def test_household_level_problem_and_search(qtbot, window: MainWindow) -> None:
    ed = window.form.editor
    ed.ar["given"].setText("سعد")
    ed.age.setText("40")
    _choose(qtbot, ed.relationship, "son")  # nobody is head
    qtbot.keyClick(ed.age, Qt.Key.Key_Return)
    window.form.request_save()
    assert window.form.view is None
    assert window.form.members_error.isVisible()
    assert window.form.members_error.text() == i18n.tr("error.one_head_required")
    window.form.edit_member(0)
    _choose(qtbot, ed.relationship, "head")
    window.form.request_save()
    assert window.form.view is not None
    window.register.search.setText("سعد")
    qtbot.waitUntil(lambda: window.register.model.rows and window.register.count.text().startswith("1"),
                    timeout=2000)
    assert window.register.model.rows[0].id == window.form.view.id
    assert "سعد" not in window.windowTitle()
