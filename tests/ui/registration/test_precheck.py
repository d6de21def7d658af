"""The desk checks each member for earlier registrations as it enters the list, in the background; the save
shows what that check found without checking the member again, and a save at this desk starts afresh."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

import station.services.duplicates as duplicates
import ui.registration.duplicate_dialog as duplicate_dialog
from station.domain.model import HouseholdDraft
from station.services.registration import register_household
from tests.factories import family_of_five
from ui.main_window import MainWindow


def test_a_member_is_checked_when_added_and_not_again_at_save(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    earlier = family_of_five()
    with window.ctx.db.uow() as uow:
        first = register_household(uow, window.ctx.actor, earlier)
    again = HouseholdDraft(members=(earlier.members[0],), origin=earlier.origin)
    window.new_household()
    window.form.editor.load(again.members[0])  # the clerk types the same woman again
    assert window.form.commit_member()
    qtbot.waitUntil(lambda: window.precheck.checked == 1, timeout=10_000)

    shown = _save_without_checking(monkeypatch)
    window.form.request_save()
    assert [c.household_id for c in shown[0].candidates][:1] == [first.id]
    assert len(window.precheck.results) == 1
    window.precheck.saved()  # what a save at this desk does: nothing held is reused after it
    assert len(window.precheck.results) == 0


def test_the_member_still_in_the_editor_is_checked_after_a_pause_in_typing(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    earlier = family_of_five()
    with window.ctx.db.uow() as uow:
        first = register_household(uow, window.ctx.actor, earlier)
    window.new_household()
    window.form.editor.load(earlier.members[0])  # typed, not yet added to the list
    assert window.form.members == []
    qtbot.waitUntil(lambda: window.precheck.checked == 1, timeout=10_000)
    shown = _save_without_checking(monkeypatch)
    window.form.request_save()  # Save with the member still in the editor: its check is already done
    assert [c.household_id for c in shown[0].candidates][:1] == [first.id]


def _save_without_checking(monkeypatch: pytest.MonkeyPatch) -> list[duplicate_dialog.DuplicateDialog]:
    """From here a member's check fails the test (Save must use what was checked as typed); the duplicate
    dialogs Save shows are kept in the list returned, each answered "back to the form"."""
    shown: list[duplicate_dialog.DuplicateDialog] = []

    def back(self: duplicate_dialog.DuplicateDialog) -> int:
        shown.append(self)
        self.back_btn.click()
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(duplicates, "check_member_duplicates", _not_again)
    monkeypatch.setattr(duplicate_dialog.DuplicateDialog, "exec", back)
    return shown


def _not_again(*_a: object, **_k: object) -> object:
    raise AssertionError("the member was checked again at save")


def test_correcting_a_saved_household_asks_only_about_what_changed(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    earlier = family_of_five()
    with window.ctx.db.uow() as uow:
        register_household(uow, window.ctx.actor, earlier)
        again = register_household(uow, window.ctx.actor, earlier)  # saved anyway: the same five again
    window.open_household(again.id)
    qtbot.waitUntil(lambda: window.form.view is not None and window.form.view.id == again.id, timeout=10_000)
    shown = _save_without_checking(monkeypatch)  # an unchanged member's check fails the test
    window.form.notes.setFocus()
    qtbot.keyClicks(window.form.notes, " tent 4")
    window.form.request_save()
    assert shown == []  # no dialog about the five, saved before: the notes were saved
    qtbot.waitUntil(lambda: window.form.view is not None and window.form.view.version == again.version + 1,
                    timeout=10_000)
    assert window.form.view.notes.endswith("tent 4")


def test_the_check_waits_for_a_pause_after_a_choice_too(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Choosing a sex or relationship restarts the wait for a pause in typing; it never shortens the pause
    (connected straight to currentIndexChanged(int), the timer once took the index for its interval: the
    check then ran after every later key)."""
    from station.domain.codes import Relationship, Sex
    from ui.registration.household_form import TYPED_PAUSE_MS

    window.new_household()
    editor, timer = window.form.editor, window.form._typed
    editor.sex.set_value(Sex.FEMALE)
    editor.relationship.set_value(Relationship.DAUGHTER)
    editor.relationship.set_value(None)
    assert timer.isActive() and timer.interval() == TYPED_PAUSE_MS
    editor.lat["given"].setText("Noor")
    assert timer.isActive() and timer.interval() == TYPED_PAUSE_MS
