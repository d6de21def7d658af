"""Every dialog that works off the GUI thread survives a job that fails unexpectedly (ui/tasks.py).

Each test makes the dialog's job raise a RuntimeError whose text holds a name (as a bug might): the user
sees a message in their language, the dialog is usable again, and the log holds no personal data.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from station.errors import StationError
from station.export.drives import Drive
from station.i18n import set_language
from station.printing import spool
from station.services import export as ex
from tests.station.printing.print_helpers import add_household
from ui import tasks
from ui.export import import_dialog
from ui.export.dialog import ExportDialog
from ui.export.import_dialog import ImportDialog, ReportDialog
from ui.scanning import dialog as scan_dialog
from ui.scanning.dialog import IdScanDialog

SECRET = "Fatima Hussein"  # stands for personal data in an exception's text


def _boom(*_args: object, **_kw: object) -> Any:
    raise RuntimeError(f"cannot handle {SECRET}")


def _shown(text: str) -> bool:
    """A real sentence from the catalogue: not empty, not a bare key, no unfilled placeholder."""
    raw_key = re.search(r"\b(fault|error|export|printing|scanning|camera|accounts)\.[a-z_.]+\b", text)
    return bool(text.strip()) and "{" not in text and raw_key is None and SECRET not in text


def _no_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records, "the unexpected failure must be logged"
    assert all(SECRET not in r.getMessage() for r in caplog.records)


@pytest.fixture(autouse=True)
def _english() -> Any:
    set_language("en")
    yield
    set_language("en")


def test_run_task_turns_an_unexpected_error_into_a_catalogued_message(qtbot, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    done: list[object] = []
    failed: list[StationError] = []
    tasks.run_task(_boom, done.append, failed.append)
    qtbot.waitUntil(lambda: bool(failed), timeout=5000)
    assert done == [] and isinstance(failed[0], StationError)
    assert _shown(failed[0].message())
    set_language("ar")
    assert failed[0].message() != failed[0].message("en")  # the same failure, in the user's language
    _no_personal_data(caplog)


def test_run_task_reports_progress_and_result_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    import threading

    seen: list[tuple[int, int]] = []
    threads: list[bool] = []
    result: list[object] = []

    def job(progress: tasks.Progress) -> str:
        progress(1, 2)
        progress(2, 2)
        return "ok"

    def on_done(value: object) -> None:
        threads.append(threading.current_thread() is threading.main_thread())
        result.append(value)

    tasks.run_task(job, on_done, lambda e: result.append(e), on_progress=lambda d, t: seen.append((d, t)))
    qtbot.waitUntil(lambda: bool(result), timeout=5000)
    assert result == ["ok"] and threads == [True] and seen == [(1, 2), (2, 2)]


def test_export_dialog_unexpected_failure(qtbot, sqlite_ctx, tmp_path: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ex, "export_pack", _boom)
    dlg = ExportDialog(sqlite_ctx, drives=lambda: [Drive(tmp_path, "STICK", 1_000_000, 2_000_000)])
    qtbot.addWidget(dlg)
    dlg.start_export()
    qtbot.waitUntil(lambda: not dlg.busy, timeout=10_000)
    assert _shown(dlg.status.text()) and "failed" in dlg.status.text().lower()
    assert dlg.export_button.isEnabled() and dlg.close_button.isEnabled()
    _no_personal_data(caplog)


def test_import_dialog_unexpected_failure(qtbot, sqlite_ctx, tmp_path: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(import_dialog, "load_private_key", _boom)
    dlg = ImportDialog(sqlite_ctx)
    qtbot.addWidget(dlg)
    pack = tmp_path / "MKH-02.pack"
    pack.write_bytes(b"x")
    dlg.add_packs([pack])
    dlg.key_path = tmp_path / "office.key"
    dlg.start_import()
    qtbot.waitUntil(lambda: not dlg.busy, timeout=10_000)
    assert _shown(dlg.log.toPlainText().splitlines()[-1])
    assert dlg.import_button.isEnabled() and dlg.close_button.isEnabled()
    _no_personal_data(caplog)


def test_report_dialog_unexpected_failure(qtbot, sqlite_ctx, tmp_path: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ex, "day_report", _boom)
    dlg = ReportDialog(sqlite_ctx)
    qtbot.addWidget(dlg)
    dlg.save(tmp_path / "report.pdf")
    qtbot.waitUntil(lambda: dlg.save_button.isEnabled(), timeout=10_000)
    assert _shown(dlg.status.text())
    _no_personal_data(caplog)


def test_print_dialog_unexpected_failure(qtbot, sqlite_ctx, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from ui.printing import qt_printer
    from ui.printing.dialog import PrintDialog

    monkeypatch.setattr(qt_printer, "preferred", lambda: False)
    monkeypatch.setattr(spool, "list_printers", lambda: [spool.PrinterInfo("CardPrinter", True, True, True)])
    monkeypatch.setattr(spool, "send", _boom)
    hh = add_household(sqlite_ctx)
    dlg = PrintDialog(sqlite_ctx.db, sqlite_ctx.actor, hh.id, kind="card")
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.print_button.isEnabled(), timeout=10_000)
    dlg.print_button.click()
    qtbot.waitUntil(lambda: dlg.print_button.isEnabled(), timeout=10_000)
    assert _shown(dlg.status.text())
    assert dlg.job is not None and dlg.save_button.isEnabled()  # the job is kept for a retry
    _no_personal_data(caplog)


def test_scan_dialog_unexpected_failure(qtbot, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(scan_dialog, "scan_image", _boom)
    dlg = IdScanDialog(camera=False)
    qtbot.addWidget(dlg)
    dlg.scan_frame(np.zeros((40, 60, 3), np.uint8))
    reading = dlg.status.text()
    qtbot.waitUntil(lambda: dlg.status.text() != reading, timeout=10_000)
    assert _shown(dlg.status.text())
    assert dlg.import_button.isEnabled()
    _no_personal_data(caplog)


def test_a_late_outcome_for_a_closed_dialog_is_dropped(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QObject, QThreadPool

    parent = QObject()
    got: list[object] = []
    gate = __import__("threading").Event()

    def job(_p: tasks.Progress) -> int:
        gate.wait(5)
        return 1

    tasks.run_task(job, got.append, got.append, parent)
    parent.deleteLater()
    qtbot.wait(50)
    gate.set()
    QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(50)
    assert got == []


def test_signin_unexpected_failure(qtbot, home, caplog) -> None:  # type: ignore[no-untyped-def]
    from ui.signin.widget import SignInWidget

    widget = SignInWidget(home, station_code="MKH-02", sign_in_fn=_boom)
    qtbot.addWidget(widget)
    widget.panel.account.setText("admin")
    widget.panel.passphrase.setText("a long passphrase")
    widget.panel.button.click()
    qtbot.waitUntil(lambda: widget.panel.button.isEnabled() and not widget.panel.busy.isVisible(), timeout=10_000)
    assert _shown(widget.panel.message.text())
    _no_personal_data(caplog)


def test_lock_overlay_unexpected_failure(qtbot, sqlite_ctx, caplog) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLineEdit, QMainWindow

    from ui.lock.overlay import LockOverlay

    window = QMainWindow()
    window.setCentralWidget(QLineEdit())
    qtbot.addWidget(window)
    window.show()
    overlay = LockOverlay(window, sqlite_ctx, unlock_fn=_boom, lock_fn=lambda _c, _r: None)
    overlay.lock()
    overlay.panel.account.setText("admin")
    overlay.panel.passphrase.setText("a long passphrase")
    overlay.panel.button.click()
    qtbot.waitUntil(lambda: overlay.panel.button.isEnabled() and bool(overlay.panel.message.text()), timeout=10_000)
    assert _shown(overlay.panel.message.text()) and overlay.is_locked()  # still locked, and usable again
    _no_personal_data(caplog)


def test_recovery_dialog_unexpected_failure(qtbot, home, caplog) -> None:  # type: ignore[no-untyped-def]
    from ui.signin.recovery_dialog import RecoveryDialog

    dialog = RecoveryDialog(home, recover_fn=_boom)
    qtbot.addWidget(dialog)
    dialog.code.setText("AAAAA-BBBBB")
    dialog.admin.setText("amina")
    dialog.passphrase.setText("a brand new passphrase")
    dialog.confirm.setText("a brand new passphrase")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=10_000)
    assert _shown(dialog.message.text())
    _no_personal_data(caplog)
