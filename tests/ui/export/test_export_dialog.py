"""Export and import dialogs: drive list, progress, verified result, failure then retry, import log."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from station.export.drives import Drive
from station.services import export as ex
from station.services.registration import register_household
from station.services.station import initialize
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five
from tests.station.export.conftest import KEY_PASSPHRASE, OfficeKeys, office_keys  # noqa: F401
from tests.ui.shots import save_shot
from ui.export.dialog import ExportDialog
from ui.export.import_dialog import ImportDialog, ReportDialog

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture
def station(tmp_path: Path, office_keys: OfficeKeys):  # type: ignore[no-untyped-def]  # noqa: F811
    (tmp_path / "st").mkdir()
    ctx, _ = initialize(site_code="MKH", station_number=3, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=tmp_path / "st")
    ex.set_office_key(ctx.db, ctx.actor, office_keys.public_pem)
    with ctx.db.uow() as uow:  # ordinary households: fill() would make this a demo station, refused by the office
        for _ in range(30):
            register_household(uow, ctx.actor, family_of_five())
    yield ctx
    ctx.close()


def test_export_dialog_lists_drives_exports_and_retries(qtbot, station, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    fake = [Drive(stick, "KINGSTON", 7_500_000_000, 8_000_000_000)]
    dlg = ExportDialog(station, drives=lambda: fake)
    qtbot.addWidget(dlg)
    assert dlg.drive_box.count() == 1 and "KINGSTON" in dlg.drive_box.itemText(0)
    assert "7.0 GB" in dlg.drive_box.itemText(0)
    shutil.rmtree(stick)  # the stick was pulled before the clerk pressed Export
    dlg.start_export()
    qtbot.waitUntil(lambda: not dlg.busy and "failed" in dlg.status.text(), timeout=20_000)
    assert dlg.export_button.text() == "Try again" and dlg.export_button.isEnabled()
    stick.mkdir()
    with qtbot.waitSignal(dlg.export_finished, timeout=30_000) as sig:
        dlg.start_export()
    qtbot.waitUntil(lambda: not dlg.busy, timeout=5_000)
    assert sig.args[0].verified and sig.args[0].households == 30
    assert dlg.progress.value() == 100 and "verified" in dlg.status.text()
    assert "never" not in dlg.last_label.text()
    save_shot(dlg, "export-dialog-done.png", tmp_path)


def test_import_dialog_merges_and_logs(qtbot, station, office_keys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    res = ex.export_pack(station.db, station.actor, tmp_path)
    (tmp_path / "office").mkdir()
    office, _ = initialize(site_code="OFF", station_number=1, admin_username="admin",
                           admin_passphrase=PASSPHRASE, home=tmp_path / "office")
    try:
        dlg = ImportDialog(office)
        qtbot.addWidget(dlg)
        dlg.add_packs([res.path, res.path])
        dlg.set_key(office_keys.path)
        dlg.passphrase.setText(KEY_PASSPHRASE)
        with qtbot.waitSignal(dlg.imports_finished, timeout=30_000) as sig:
            dlg.start_import()
        qtbot.waitUntil(lambda: not dlg.busy, timeout=5_000)
        first, second = sig.args[0]
        assert first.stats.households_added == 30 and second.already_imported
        assert "30 households added" in dlg.log.toPlainText() and "already imported" in dlg.log.toPlainText()
        save_shot(dlg, "export-import-dialog.png", tmp_path)
        rep = ReportDialog(office)
        qtbot.addWidget(rep)
        with qtbot.waitSignal(rep.report_saved, timeout=30_000):
            rep.save(tmp_path / "day.pdf")
        assert (tmp_path / "day.pdf").read_bytes().startswith(b"%PDF")
        qtbot.waitUntil(lambda: rep.save_button.isEnabled(), timeout=5_000)
    finally:
        office.close()
