"""Station settings window: an administrator sets the retention days, reads the office's acknowledgements,
purges (only with the typed word), and sets and removes the duress passphrase; a clerk cannot open it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from station.domain.roles import Actor, Role
from station.errors import PermissionDenied, StationError
from station.services import retention
from station.services.station import StationContext, sign_in
from tests.conftest import PASSPHRASE
from tests.station.printing.print_helpers import add_household
from ui.admin.station_settings import StationSettingsDialog

DURESS = "the weather is fine today"


def _wait(qtbot: QtBot, dlg: StationSettingsDialog) -> str:
    qtbot.waitUntil(lambda: not dlg.busy, timeout=20000)
    return dlg.message.text()


def test_retention_days_acks_and_purge(qtbot: QtBot, sqlite_ctx: StationContext, tmp_path: Path) -> None:
    add_household(sqlite_ctx)
    dlg = StationSettingsDialog(sqlite_ctx)
    qtbot.addWidget(dlg)
    assert dlg.never.isChecked() and "1 household" in dlg.retention_state.text()
    dlg.never.setChecked(False)
    dlg.days.setValue(45)
    dlg.buttons["save_days"].click()
    assert _wait(qtbot, dlg) == "Saved."
    assert retention.keep_days(sqlite_ctx.db) == 45 and "45 days" in dlg.retention_state.text()

    dlg.choose_folder = lambda: tmp_path
    dlg.buttons["acks"].click()
    assert "0 new acknowledgements" in _wait(qtbot, dlg)

    dlg.confirm_purge = lambda: "purge please"
    dlg.buttons["purge"].click()
    assert "PURGE" in dlg.message.text() and not dlg.busy  # the wrong word: nothing runs
    dlg.confirm_purge = lambda: "PURGE"
    dlg.buttons["purge"].click()
    assert "not acknowledged" in _wait(qtbot, dlg)  # nothing went to the office yet
    assert retention.households_left(sqlite_ctx.db) == 1


def test_duress_set_and_removed(qtbot: QtBot, sqlite_ctx: StationContext, home: Path) -> None:
    dlg = StationSettingsDialog(sqlite_ctx)
    qtbot.addWidget(dlg)
    assert dlg.duress_state.text() == "No duress passphrase is set."
    dlg.duress1.setText(DURESS)
    dlg.duress2.setText(DURESS + "x")
    dlg.buttons["set_duress"].click()
    assert "not the same" in dlg.message.text()
    dlg.duress2.setText(DURESS)
    dlg.buttons["set_duress"].click()
    assert "saved" in _wait(qtbot, dlg)
    assert dlg.duress_state.text() == "A duress passphrase is set." and dlg.duress1.text() == ""
    dlg.buttons["clear_duress"].click()
    assert "removed" in _wait(qtbot, dlg)
    assert dlg.duress_state.text() == "No duress passphrase is set."
    sqlite_ctx.close()
    with pytest.raises(StationError):  # removed: the phrase is just a wrong passphrase now
        sign_in("admin", DURESS, home)
    sign_in("admin", PASSPHRASE, home).close()


def test_a_clerk_cannot_open_it(sqlite_ctx: StationContext) -> None:
    clerk = dataclasses.replace(sqlite_ctx, actor=Actor("sara", Role.CLERK, sqlite_ctx.station_code))
    with pytest.raises(PermissionDenied):
        StationSettingsDialog(clerk)


def test_the_station_menu_offers_it_to_administrators_only(window) -> None:  # type: ignore[no-untyped-def]
    action, _permission = window.desk_actions.actions["station_settings"]
    assert action.isVisible() and action.text() == "Retention and duress…"
    window.ctx.actor = Actor("sara", Role.CLERK, window.ctx.station_code)
    window.desk_actions.refresh_roles()
    assert not action.isVisible()
