"""Every passphrase lost: the sign-in screen's recovery dialog opens the station with the printed code."""

from __future__ import annotations

from pathlib import Path

from station.services.station import initialize
from tests.conftest import PASSPHRASE
from ui.signin.recovery_dialog import RecoveryDialog
from ui.signin.widget import SignInWidget


def test_recovery_code_signs_in_a_new_administrator(qtbot, home: Path) -> None:
    ctx, code = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    ctx.close()
    widget = SignInWidget(home)
    qtbot.addWidget(widget)
    assert widget.recovery_button.text() == "Every passphrase lost? Use the recovery sheet…"
    dialog = RecoveryDialog(home, widget)
    qtbot.addWidget(dialog)
    dialog.code.setText("AAAAA-" + code[6:])  # a wrong code is refused, with a message
    dialog.admin.setText("amina")
    dialog.passphrase.setText("a brand new passphrase")
    dialog.confirm.setText("a brand new passphrase")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=10_000)
    assert dialog.message.text() == "This recovery code does not open this station. Check every group of letters."
    dialog.code.setText(code.lower())
    with qtbot.waitSignal(dialog.recovered, timeout=10_000) as got:
        dialog.submit()
    recovered = got.args[0]
    try:
        assert recovered.actor.username == "amina" and recovered.actor.role.value == "administrator"
        assert dialog.code.text() == "" and dialog.passphrase.text() == ""
    finally:
        recovered.close()
