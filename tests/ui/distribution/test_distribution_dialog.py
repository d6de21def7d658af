"""The hand-out dialog from the keyboard, the second hand-out of a round refused, departed and back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog

from station.domain.codes import HouseholdStatus, ReliefItem
from station.domain.roles import Role
from station.services import distribution
from station.services.accounts import create_account
from station.services.registration import register_household
from station.services.station import sign_in
from tests.factories import family_of_five
from ui.distribution.dialog import DistributionDialog
from ui.main_window import MainWindow


def _saved(window: MainWindow) -> str:
    with window.ctx.db.uow() as uow:
        hh = register_household(uow, window.ctx.actor, family_of_five())
    window.open_household(hh.id)
    return hh.id


def test_handout_from_the_keyboard_then_refused_in_the_same_round(qtbot, window: MainWindow) -> None:
    hid = _saved(window)
    with window.ctx.db.uow() as uow:
        distribution.open_round(uow, window.ctx.actor, 3)
    dialog = DistributionDialog(window.ctx, window.form.view, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    assert "3" in dialog.round_label.text() and dialog.in_round.isChecked()
    water = dialog.quantities[ReliefItem.WATER]
    qtbot.waitUntil(water.hasFocus)
    qtbot.keyClicks(water, "6")
    qtbot.keyClick(water, Qt.Key.Key_Tab)  # Tab walks the items in order
    food = QApplication.focusWidget()
    assert food is dialog.quantities[ReliefItem.FOOD_PARCEL]
    qtbot.keyClicks(food, "1")
    with qtbot.waitSignal(dialog.recorded) as got:
        qtbot.keyClick(food, Qt.Key.Key_Return)  # Enter records
    assert got.args == [3] and dialog.result() == QDialog.DialogCode.Accepted
    with window.ctx.db.reader() as uow:
        assert distribution.round_counts(uow, 3) == {"water": 1, "food_parcel": 1}

    again = DistributionDialog(window.ctx, window.form.view, window)
    qtbot.addWidget(again)
    assert again.history.rowCount() == 2
    assert not again.quantities[ReliefItem.FOOD_PARCEL].isEnabled()  # already given in round 3
    assert "3" in again.given_note[ReliefItem.FOOD_PARCEL].text()
    again.quantities[ReliefItem.BLANKET].setValue(2)
    again.in_round.setChecked(False)  # a blanket outside rounds is allowed
    again.record.click()
    with window.ctx.db.reader() as uow:
        handouts = distribution.history(uow, window.ctx.actor, hid)
    assert sorted((h.item.value, h.quantity, h.round_no) for h in handouts) == [
        ("blanket", 2, None), ("food_parcel", 1, 3), ("water", 6, 3)]

    empty = DistributionDialog(window.ctx, window.form.view, window)
    qtbot.addWidget(empty)
    empty.record.click()  # nothing chosen: said in the dialog, nothing written, dialog stays open
    assert empty.message.text() and empty.result() != QDialog.DialogCode.Accepted


def test_clerk_cannot_open_a_round_and_gets_told_when_none_is_open(qtbot, sqlite_ctx, home) -> None:
    create_account(sqlite_ctx, "karim", Role.CLERK, "clerk passphrase 1")
    clerk = sign_in("karim", "clerk passphrase 1", home)
    with clerk.db.uow() as uow:
        hh = register_household(uow, clerk.actor, family_of_five())
    dialog = DistributionDialog(clerk, hh, None)
    qtbot.addWidget(dialog)
    assert dialog.open_round.isHidden() and not dialog.in_round.isEnabled()
    assert "supervisor" in dialog.round_label.text()
    clerk.close()


def test_mark_departed_then_back(qtbot, window: MainWindow, monkeypatch) -> None:
    _saved(window)
    answers = iter([("moved to Erbil", True), ("came back from Erbil", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    action = window.desk_actions.actions["mark_departed"][0]
    assert action.isVisible()
    action.trigger()
    assert window.form.view is not None and window.form.view.status is HouseholdStatus.DEPARTED
    dialog = DistributionDialog(window.ctx, window.form.view, window)  # departed: the core refuses
    qtbot.addWidget(dialog)
    dialog.quantities[ReliefItem.WATER].setValue(1)
    dialog.record.click()
    assert "departed" in dialog.message.text() and dialog.result() != QDialog.DialogCode.Accepted
    action.trigger()
    assert window.form.view.status is HouseholdStatus.ACTIVE
    qtbot.waitUntil(window.register_settled, timeout=3000)  # the register is read again on its worker
    statuses = {window.register.model.index(r, 6).data() for r in range(window.register.model.rowCount())}
    assert statuses == {"Active"}  # the register shows the household back on site


def test_scanning_a_valid_card_opens_the_household_and_points_to_the_handout(qtbot, window: MainWindow) -> None:
    from station.printing.payload import card_payload
    from station.services import printing

    with window.ctx.db.uow() as uow:
        hh = register_household(uow, window.ctx.actor, family_of_five())
        job = printing.prepare_cards(uow, window.ctx.actor, [hh.id])
        printing.record_printed(uow, window.ctx.actor, job, printer="pdf", job_ref=job.job_id)
        payload = card_payload(printing.site_card_key(uow), hh.registration_number, job.items[0].issue)
    window.desk_actions.open_code(payload)
    assert window.form.view is not None and window.form.view.id == hh.id
    assert "Ctrl+D" in window.statusBar().currentMessage()


def test_history_times_are_the_stations_zone_and_labelled(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The station is set to Baghdad while the computer's own zone (TZ) is São Paulo: Baghdad time is shown."""
    import time
    from zoneinfo import ZoneInfo

    from station import clock, settings

    hid = _saved(window)
    settings.update(settings.StationSettings, window.ctx.home, time_zone="Asia/Baghdad")
    monkeypatch.setenv("TZ", "America/Sao_Paulo")
    time.tzset()
    try:
        with window.ctx.db.uow() as uow:
            distribution.record_handout(uow, window.ctx.actor, hid, {ReliefItem.WATER: 1}, in_round=False)
            (handout,) = distribution.history(uow, window.ctx.actor, hid)
        dialog = DistributionDialog(window.ctx, window.form.view, window)
        qtbot.addWidget(dialog)
        shown = dialog.history.item(0, 0).text()
        assert shown == clock.to_local(handout.at, ZoneInfo("Asia/Baghdad")).strftime("%Y-%m-%d %H:%M")
        assert dialog.history.horizontalHeaderItem(0).text() == "When (UTC+03:00)"
    finally:
        monkeypatch.undo()  # the computer's zone back for the tests after this one
        time.tzset()
