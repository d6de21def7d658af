"""Export works from the window alone: the office key is installed from set-up, the export dialog or the menu."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.errors import StationError
from station.export.crypto import generate_office_key
from station.services import export as ex
from ui.export.dialog import ExportDialog
from ui.export.office_key import install_from


def _pub(tmp_path: Path) -> Path:
    _private, public = generate_office_key("office passphrase 2026")
    path = tmp_path / "office.pub"
    path.write_bytes(public)
    return path


def test_administrator_installs_the_key_in_the_export_dialog(qtbot, sqlite_ctx, tmp_path: Path) -> None:
    dialog = ExportDialog(sqlite_ctx, drives=lambda: [])
    qtbot.addWidget(dialog)
    assert not dialog.export_button.isEnabled()
    assert not dialog.key_button.isHidden(), "an administrator must be offered the key installation"
    install_from(sqlite_ctx, _pub(tmp_path))
    dialog._show_key_state()
    assert dialog.export_button.isEnabled() and dialog.key_button.isHidden()
    assert ex.office_key_id(sqlite_ctx.db) is not None


def test_a_file_that_is_not_a_key_is_refused_clearly(sqlite_ctx, tmp_path: Path) -> None:
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff" + b"x" * 100)
    with pytest.raises(StationError) as err:
        install_from(sqlite_ctx, bad)
    assert err.value.code == "export.error.public_key_invalid"
    with pytest.raises(StationError):
        install_from(sqlite_ctx, tmp_path)  # a folder
    assert ex.office_key_id(sqlite_ctx.db) is None


def test_setup_wizard_installs_the_key_it_was_given(qtbot, tmp_path: Path) -> None:
    from station.security import kdf
    from station.services.station import initialize
    from ui.setup.wizard import SetupWizard

    home = tmp_path / "home"
    home.mkdir()
    wizard = SetupWizard(home)
    qtbot.addWidget(wizard)
    wizard.office_key.setText(str(_pub(tmp_path)))
    cheap = kdf.KdfParams.fresh(time_cost=1, memory_kib=8192)
    result = initialize(site_code="MKH", station_number=1, admin_username="admin", home=home,
                        admin_passphrase="a long passphrase here", kdf=cheap)
    wizard._on_created(result)
    ctx = result[0]
    try:
        assert ex.office_key_id(ctx.db) is not None
        assert wizard.key_status.text().startswith("Office key installed")
    finally:
        ctx.close()
