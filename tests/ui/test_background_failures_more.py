"""More dialogs that work off the GUI thread, each driven through a job that fails unexpectedly.

As in test_background_failures.py: the job raises a RuntimeError whose text holds a name; the user sees a
catalogued message in their language, the dialog is usable again, and the log holds no personal data.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from station.errors import StationError
from station.i18n import set_language
from station.printing import spool
from station.services import accounts, retention
from tests.ui.test_background_failures import SECRET, _boom, _no_personal_data, _shown
from ui.tasks import TaskRunner


@pytest.fixture(autouse=True)
def _english(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.WARNING)
    set_language("en")
    yield
    set_language("en")


def test_new_account_dialog_unexpected_failure(qtbot, sqlite_ctx, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from ui.accounts.passphrase_dialogs import NewAccountDialog

    monkeypatch.setattr(accounts, "create_account", _boom)
    dlg = NewAccountDialog(sqlite_ctx)
    qtbot.addWidget(dlg)
    dlg.username.setText("amina")
    dlg.new1.setText("a long passphrase here")
    dlg.new2.setText("a long passphrase here")
    dlg._on_ok_clicked()
    qtbot.waitUntil(lambda: dlg.ok.isEnabled(), timeout=10_000)
    assert _shown(dlg.message.text()) and not dlg.busy.isVisible() and dlg.result() == 0
    _no_personal_data(caplog)


@pytest.mark.parametrize("action", ["save_days", "purge"])
def test_station_settings_unexpected_failure(qtbot, sqlite_ctx, monkeypatch, caplog, action: str) -> None:  # type: ignore[no-untyped-def]
    from ui.admin.station_settings import PURGE_WORD, StationSettingsDialog

    monkeypatch.setattr(retention, "set_keep_days", _boom)
    monkeypatch.setattr(retention, "purge_by_setting", _boom)
    dlg = StationSettingsDialog(sqlite_ctx)
    qtbot.addWidget(dlg)
    dlg.confirm_purge = lambda: PURGE_WORD
    dlg.buttons[action].click()
    qtbot.waitUntil(lambda: not dlg.busy, timeout=10_000)
    assert _shown(dlg.message.text())
    assert all(b.isEnabled() for k, b in dlg.buttons.items() if k != "clear_duress")
    _no_personal_data(caplog)


def test_setup_wizard_unexpected_failure(qtbot, tmp_path: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from ui.setup import wizard as wizard_module

    monkeypatch.setattr(wizard_module, "initialize", _boom)
    home = tmp_path / "home"
    home.mkdir()
    wizard = wizard_module.SetupWizard(home, TaskRunner())
    qtbot.addWidget(wizard)
    wizard.admin.setText(SECRET)
    wizard.passphrase.setText("a long passphrase here")
    wizard.confirm.setText("a long passphrase here")
    wizard.create_station()
    qtbot.waitUntil(lambda: wizard.create_btn.isEnabled(), timeout=10_000)
    assert _shown(wizard.error.text()) and wizard.pages.currentIndex() == 0
    _no_personal_data(caplog)


def test_setup_wizard_sheet_print_unexpected_failure(qtbot, sqlite_ctx, tmp_path: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from ui.setup.wizard import SetupWizard

    monkeypatch.setattr(spool, "list_printers", lambda: [spool.PrinterInfo("Office", True, True, True)])
    monkeypatch.setattr(spool, "send", _boom)
    wizard = SetupWizard(tmp_path, TaskRunner())
    qtbot.addWidget(wizard)
    wizard.ctx, wizard.code = sqlite_ctx, "ABCDE-FGHJK-LMNPQ"
    wizard.print_sheet()
    sending = wizard.sheet_status.text()
    qtbot.waitUntil(lambda: wizard.sheet_status.text() != sending, timeout=20_000)
    assert _shown(wizard.sheet_status.text()) and wizard.print_sheet_btn.isEnabled()
    _no_personal_data(caplog)


def test_camera_image_import_unexpected_failure(qtbot, tmp_path: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from ui.camera import dialog as camera_dialog

    monkeypatch.setattr(camera_dialog, "load_image_file", _boom)
    dlg = camera_dialog.CameraDialog(source=str(tmp_path / "none.avi"), probe_cameras=False)
    qtbot.addWidget(dlg)
    image = tmp_path / "portrait.jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0")
    dlg.import_file(image)
    working = dlg.status.text()
    qtbot.waitUntil(lambda: dlg.status.text() != working, timeout=10_000)
    assert _shown(dlg.status.text()) and dlg.take_btn.isEnabled() and dlg.import_btn.isEnabled()
    _no_personal_data(caplog)
    dlg.close()


def test_register_load_unexpected_failure(qtbot, window, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from ui import main_window

    told: list[str] = []
    monkeypatch.setattr(main_window, "search_page", _boom)
    monkeypatch.setattr(window, "show_error", told.append)
    window.register.search.setText("Hussein")
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert _shown(told[0]) and window.register_settled() and window.register.search.isEnabled()
    assert told == [StationError("fault.unexpected", kind="RuntimeError").message()]  # a read: never "the save failed"
    _no_personal_data(caplog)


def test_a_runner_job_cannot_leave_out_its_error_callback(qtbot) -> None:  # type: ignore[no-untyped-def]
    """No silent default: a caller that ignores failures has to say so in a callback of its own."""
    done: list[object] = []
    with pytest.raises(TypeError):
        TaskRunner(immediate=True).submit(lambda _p: 1, done.append)  # type: ignore[call-arg]
    assert done == []


def test_tracing_confirmation_unexpected_failure(qtbot, window, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """The tracing cases a save noted are confirmed on a worker after it: a failure there is told in the
    status bar as unexpected (the save itself went through), and the notes stay for the next try."""
    from ui import main_window

    monkeypatch.setattr(main_window, "confirm_pending", _boom)
    window.confirm_tracing()
    expected = StationError("fault.unexpected", kind="RuntimeError").message()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == expected, timeout=10_000)
    assert SECRET not in window.statusBar().currentMessage()
    _no_personal_data(caplog)
