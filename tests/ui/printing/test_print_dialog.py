"""Print dialog: preview loads, printing goes through the spooler and is recorded, failure keeps the job."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from station.db.rows import HouseholdRow, PrintRecordRow
from station.errors import StationError
from station.i18n import tr
from station.printing import spool
from tests.station.printing.print_helpers import add_household
from tests.ui.shots import save_shot
from ui.printing.dialog import PrintDialog

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture
def fake_spool(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    state: dict[str, object] = {"fail": True, "sent": 0}
    monkeypatch.setattr(spool, "list_printers", lambda: [spool.PrinterInfo("CardPrinter", True, True, True)])

    def send(pdf: bytes, printer: str, title: str, page_mm: tuple[float, float], **kw: object) -> spool.SpoolResult:
        if state["fail"]:
            raise StationError("printing.error.printer_paused", printer=printer)
        state["sent"] = int(state["sent"]) + 1
        return spool.SpoolResult(printer, f"{printer}-{state['sent']}", "completed")

    monkeypatch.setattr(spool, "send", send)
    return state


def test_preview_print_fail_then_retry(qtbot, sqlite_ctx, fake_spool, tmp_path) -> None:
    hh = add_household(sqlite_ctx)
    dlg = PrintDialog(sqlite_ctx.db, sqlite_ctx.actor, hh.id, kind="card")
    qtbot.addWidget(dlg)
    dlg.resize(760, 620)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.preview.page_count() == 2 and dlg.print_button.isEnabled(), timeout=10000)
    assert dlg.printer_box.currentText() == "CardPrinter"
    assert hh.registration_number not in dlg.windowTitle()
    qtbot.wait(200)
    save_shot(dlg, "print-dialog.png", tmp_path)
    dlg.print_button.click()
    qtbot.waitUntil(lambda: "paused" in dlg.status.text() and dlg.print_button.isEnabled(), timeout=10000)
    assert dlg.job is not None  # kept for the retry
    with sqlite_ctx.db.reader() as uow:
        assert uow.session.scalars(select(PrintRecordRow)).all() == []
    fake_spool["fail"] = False
    with qtbot.waitSignal(dlg.printed, timeout=10000) as sig:
        dlg.print_button.click()
    assert sig.args == ["card", "CardPrinter-1"]
    with sqlite_ctx.db.reader() as uow:
        assert uow.session.get(HouseholdRow, hh.id).card_issue == 1
    # success stays on screen, not dressed as an error: no reason asked, no "Retry", Close is the default
    qtbot.wait(300)
    assert dlg.status.text() == tr("printing.dialog.accepted", printer="CardPrinter", job="CardPrinter-1")
    assert dlg.print_button.text() == tr("printing.dialog.print_again") and dlg.print_button.isEnabled()
    assert dlg.reason.isHidden() and dlg.close_button.isDefault()
    # printing again is a deliberate reprint: the dialog then asks for a reason before it builds the next card
    dlg.print_button.click()
    qtbot.waitUntil(lambda: "reason" in dlg.status.text().lower(), timeout=10000)
    assert dlg.print_button.text() == tr("printing.dialog.print")
    dlg.reason.setText("card lost")
    dlg.reason.editingFinished.emit()
    qtbot.waitUntil(lambda: dlg.job is not None and dlg.job.is_reprint, timeout=10000)
    assert dlg.job.items[0].issue == 2


def test_save_pdf_records_print(qtbot, sqlite_ctx, fake_spool, tmp_path: Path) -> None:
    hh = add_household(sqlite_ctx, with_photo=False)
    dlg = PrintDialog(sqlite_ctx.db, sqlite_ctx.actor, hh.id, kind="wristband")
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.job is not None, timeout=10000)
    with qtbot.waitSignal(dlg.printed, timeout=10000):
        dlg.save_to(tmp_path / "bands.pdf")
    assert (tmp_path / "bands.pdf").read_bytes().startswith(b"%PDF")
    with sqlite_ctx.db.reader() as uow:
        assert len(uow.session.scalars(select(PrintRecordRow)).all()) == 3
