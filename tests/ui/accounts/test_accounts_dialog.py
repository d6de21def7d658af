"""Accounts dialog: create through the hand-over form, change role, reset, deactivate; clerks are refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from station.domain.roles import Actor, Role
from station.errors import PermissionDenied, StationError
from station.security.keyring import Keyring
from station.services import accounts
from station.services import station as st
from station.services.station import StationContext
from ui.accounts.accounts_dialog import AccountsDialog
from ui.accounts.passphrase_dialogs import ChangeOwnPassphraseDialog, HandoverPassphraseDialog, NewAccountDialog


def _fill_and_run(qtbot: QtBot, d: QDialog, **fields: str) -> int:
    for name, value in fields.items():
        getattr(d, name).setText(value)
    d.show()
    d.ok.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not d.isVisible() or d.message.text() != "", timeout=10000)  # type: ignore[attr-defined]
    return d.result()


def test_create_then_manage(qtbot: QtBot, sqlite_ctx: StationContext, home: Path) -> None:
    dlg = AccountsDialog(sqlite_ctx)
    qtbot.addWidget(dlg)
    assert [a.username for a in dlg.accounts] == ["admin"]

    def run_new(d: QDialog) -> int:
        assert isinstance(d, NewAccountDialog)
        d.role.setCurrentIndex(list(Role).index(Role.CLERK))
        return _fill_and_run(qtbot, d, username="sara", display_name="Sara", new1="sara passphrase 1",
                             new2="sara passphrase 1")

    dlg.open_dialog = run_new
    dlg.buttons["new"].click()
    assert [a.username for a in dlg.accounts] == ["admin", "sara"]
    st.sign_in("sara", "sara passphrase 1", home).close()

    dlg.select("sara")
    dlg.choose_role = lambda current: Role.SUPERVISOR
    dlg.buttons["change_role"].click()
    assert dlg.selected() is not None and dlg.selected().role is Role.SUPERVISOR  # type: ignore[union-attr]

    def run_reset(d: QDialog) -> int:
        assert isinstance(d, HandoverPassphraseDialog)
        assert "sara" in d.intro.text()
        return _fill_and_run(qtbot, d, new1="another passphrase", new2="another passphrase")

    dlg.open_dialog = run_reset
    dlg.buttons["reset"].click()
    st.sign_in("sara", "another passphrase", home).close()

    dlg.confirm = lambda text: "sara" in text
    dlg.buttons["deactivate"].click()
    assert not Keyring.load(home).has("sara")
    assert dlg.buttons["reactivate"].isEnabled() and not dlg.buttons["reset"].isEnabled()
    with pytest.raises(StationError):
        st.sign_in("sara", "another passphrase", home)


def test_mismatched_passphrases_stay_in_the_form(qtbot: QtBot, sqlite_ctx: StationContext) -> None:
    d = NewAccountDialog(sqlite_ctx)
    qtbot.addWidget(d)
    d.username.setText("omar")
    d.new1.setText("omar passphrase 1")
    d.new2.setText("omar passphrase 2")
    d.ok.click()
    assert "not the same" in d.message.text() and d.result() == 0
    d.new2.setText("omar passphrase 1")
    d.username.setText("o m")
    d.ok.click()
    qtbot.waitUntil(lambda: "Account names" in d.message.text(), timeout=10000)


def test_change_own_passphrase_dialog(qtbot: QtBot, sqlite_ctx: StationContext, home: Path) -> None:
    accounts.create_account(sqlite_ctx, "sara", Role.CLERK, "temporary pass 1", must_change=True)
    me = st.sign_in("sara", "temporary pass 1", home)
    try:
        d = ChangeOwnPassphraseDialog(me)
        qtbot.addWidget(d)
        assert d.intro.isVisibleTo(d)
        assert _fill_and_run(qtbot, d, old="temporary pass 1", new1="my own passphrase",
                             new2="my own passphrase") == QDialog.DialogCode.Accepted
        assert not me.must_change_password
    finally:
        me.close()
    st.sign_in("sara", "my own passphrase", home).close()


def test_non_admins_cannot_open(qtbot: QtBot, sqlite_ctx: StationContext) -> None:
    for role in (Role.CLERK, Role.SUPERVISOR):
        c = dataclasses.replace(sqlite_ctx, actor=Actor("x", role, sqlite_ctx.station_code))
        with pytest.raises(PermissionDenied):
            AccountsDialog(c)
