"""A passphrase changed at another desk of a PostgreSQL site, taken at this one from the sign-in screen.

Before: `site_join.take_new_passphrase` existed but nothing offered it; a desk whose key file still held the
previous passphrase opened with neither (the server checks the new one, the key file the old one), and the
clerk was stuck until an administrator set the desk up again. Two real desks of one site (PostgreSQL).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from station import i18n
from station.errors import StationError
from station.services.station import StationContext, initialize, sign_in
from tests.conftest import PASSPHRASE
from tests.pg_site import NEW, passphrase_changed_at_desk_two
from ui.signin.changed_dialog import PassphraseChangedDialog
from ui.signin.widget import SignInWidget


def _ok(qtbot: QtBot, dialog: PassphraseChangedDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def _dialog(qtbot: QtBot, w: SignInWidget, old: str, new: str) -> PassphraseChangedDialog:
    qtbot.mouseClick(w.changed_button, Qt.MouseButton.LeftButton)
    dialog = w.changed_dialog
    assert isinstance(dialog, PassphraseChangedDialog) and dialog.isVisible()
    assert dialog.account.text() == "admin"  # taken from the sign-in form
    dialog.old.setText(old)
    dialog.new.setText(new)
    return dialog


@pytest.mark.postgres
def test_a_passphrase_changed_at_another_desk_is_taken_here(qtbot: QtBot, tmp_path: Path) -> None:
    _desk2, desk3 = passphrase_changed_at_desk_two(tmp_path)

    w = SignInWidget(desk3, station_code="MKH-03")
    qtbot.addWidget(w)
    w.show()
    assert w.changed_button.isVisible() and w.changed_button.text() == i18n.tr("ui.signin.changed.link")
    w.panel.account.setText("admin")
    w.panel.passphrase.setText(NEW)
    qtbot.mouseClick(w.panel.button, Qt.MouseButton.LeftButton)  # this desk's key file holds the previous one
    qtbot.waitUntil(lambda: w.panel.button.isEnabled(), timeout=20_000)
    assert w.panel.message.text() == i18n.tr("error.bad_credentials")

    dialog = _dialog(qtbot, w, "not the previous one", NEW)  # a wrong previous passphrase opens nothing
    _ok(qtbot, dialog)
    assert not dialog.isVisible() and dialog.old.text() == "" and dialog.new.text() == ""
    qtbot.waitUntil(lambda: w.panel.button.isEnabled(), timeout=20_000)
    assert w.panel.message.text() == i18n.tr("error.bad_credentials")

    dialog = _dialog(qtbot, w, PASSPHRASE, NEW)
    with qtbot.waitSignal(w.signed_in, timeout=20_000) as got:
        _ok(qtbot, dialog)
        assert w.panel.busy.isVisible() and not w.panel.button.isEnabled()  # off the GUI thread, as a sign-in
    taken: StationContext = got.args[0]
    try:
        assert taken.actor.username == "admin" and taken.actor.role.value == "administrator"
    finally:
        taken.close()
    sign_in("admin", NEW, desk3).close()  # the new passphrase alone opens this desk from now on
    with pytest.raises(StationError):
        sign_in("admin", PASSPHRASE, desk3).close()


def test_the_dialog_asks_for_both_and_a_laptop_does_not_offer_it(qtbot: QtBot, home: Path) -> None:
    i18n.set_language("ckb")
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    ctx.close()
    w = SignInWidget(home)
    qtbot.addWidget(w)
    w.show()
    assert not w.changed_button.isVisible()  # one key file, one passphrase: nothing to take
    dialog = PassphraseChangedDialog("admin", w)
    qtbot.addWidget(dialog)
    got: list[tuple[str, str, str]] = []
    dialog.submitted.connect(lambda *a: got.append(a))
    dialog.old.setText(PASSPHRASE)
    dialog.submit()
    assert dialog.message.text() == i18n.tr("signin.empty", "ckb") and got == []
    dialog.new.setText(PASSPHRASE)
    dialog.submit()
    assert dialog.message.text() == i18n.tr("ui.signin.changed.same", "ckb") and got == []
    assert dialog.windowTitle() == i18n.tr("ui.signin.changed.title", "ckb") != i18n.tr("ui.signin.changed.title", "en")
    dialog.new.setText(NEW)
    dialog.submit()
    assert got == [("admin", PASSPHRASE, NEW)]
