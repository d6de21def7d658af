"""The set-up wizard from the keyboard: the recovery code cannot be skipped with Escape."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from station.security import kdf
from station.services.station import initialize
from ui.setup.wizard import SetupWizard


def test_escape_on_the_code_page_does_not_skip_the_confirmation(qtbot, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    wizard = SetupWizard(home)
    qtbot.addWidget(wizard)
    wizard.show()
    cheap = kdf.KdfParams.fresh(time_cost=1, memory_kib=8192)
    result = initialize(site_code="MKH", station_number=1, admin_username="admin", home=home,
                        admin_passphrase="a long passphrase here", kdf=cheap)
    finished: list[object] = []
    wizard.finished_setup.connect(finished.append)
    wizard._on_created(result)
    try:
        qtbot.keyClick(wizard, Qt.Key.Key_Escape)
        assert wizard.isVisible() and not finished, "Escape skipped 'I have the code on paper'"
        wizard.kept.setChecked(True)
        assert wizard.continue_btn.isDefault()
        qtbot.keyClick(wizard, Qt.Key.Key_Escape)
        assert finished == [result[0]]
        wizard.close()  # the desk closes the wizard once it opens: no second desk
        assert finished == [result[0]]
    finally:
        result[0].close()
