"""Relationship and sex chosen by keyboard as a clerk types them; nothing checks out wrong silently."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from station.domain.codes import Relationship, Sex
from station.domain.validation import validate_member
from tests.factories import member
from tests.ui.keys import type_text
from ui.main_window import MainWindow


def test_typing_s_on_son_keeps_son(qtbot, window: MainWindow) -> None:
    rel = window.form.editor.relationship
    rel.set_value(Relationship.SON)
    rel.setFocus()
    qtbot.keyClick(rel, Qt.Key.Key_S, delay=600)  # slower than Qt's search interval: each key stands alone
    assert rel.value() is Relationship.SON
    qtbot.keyClick(rel, Qt.Key.Key_S, delay=600)
    assert rel.value() is Relationship.SON


def test_prefix_reaches_every_s_word(qtbot, window: MainWindow) -> None:
    rel = window.form.editor.relationship
    rel.set_value(Relationship.HEAD)
    rel.setFocus()
    type_text(rel, "si")
    assert rel.value() is Relationship.SISTER
    qtbot.wait(QApplication.keyboardInputInterval() + 50)  # a pause: the next letters start a new prefix
    type_text(rel, "sp")
    assert rel.value() is Relationship.SPOUSE


def test_no_default_sex_and_sex_follows_relationship(qtbot, window: MainWindow) -> None:
    ed = window.form.editor
    ed.clear(Relationship.HEAD)
    assert ed.sex.value() is None, "a new member must not default to a sex"
    _member, problems = ed.draft()
    assert "sex" in {p.field for p in problems}
    ed.relationship.set_value(Relationship.DAUGHTER)
    assert ed.sex.value() is Sex.FEMALE
    ed.relationship.set_value(Relationship.SON)
    assert ed.sex.value() is Sex.MALE


def test_next_member_after_a_female_head_is_not_guessed_as_spouse(qtbot, window: MainWindow) -> None:
    form, ed = window.form, window.form.editor
    type_text(ed.ar["given"], "فاطمة")
    ed.sex.set_value(Sex.FEMALE)
    type_text(ed.age, "30")
    assert form.commit_member()
    assert ed.relationship.value() is None


def test_a_son_recorded_female_is_refused() -> None:
    son = member("يوسف", "Yousef", sex=Sex.FEMALE, rel=Relationship.SON, birth=date(2015, 1, 1))
    assert {p.code for p in validate_member(son, "m", date(2026, 1, 1))} == {"error.relationship_sex"}
    son_ok = member("يوسف", "Yousef", sex=Sex.MALE, rel=Relationship.SON, birth=date(2015, 1, 1))
    assert validate_member(son_ok, "m", date(2026, 1, 1)) == []
