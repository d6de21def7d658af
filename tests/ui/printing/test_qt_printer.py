"""The QPrinter path (Windows, or no CUPS client): real jobs into the cups-pdf queue through Qt's print support.

Needs `bash .ci/cups.sh` (scheduler + queue StationPDF), like the CUPS integration tests.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import zxingcpp
from sqlalchemy import select

from station.db.rows import PrintRecordRow
from station.errors import StationError
from station.services import printing as svc
from tests.station.printing.print_helpers import add_household, page_size_mm, rasterise
from tests.station.printing.test_cups_integration import QUEUE, cups_pdf_out
from ui.printing import qt_printer
from ui.printing.dialog import PrintDialog

pytestmark = [
    pytest.mark.cups,
]


def _new_pdf(before: set[Path], title: str, timeout: float = 60.0) -> Path:
    """The job's output once cups-pdf has finished it (on a busy machine Ghostscript writes for seconds)."""
    import subprocess

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hits = [p for p in set(cups_pdf_out().glob(f"{title}*.pdf")) - before if p.stat().st_size > 0]
        if hits and subprocess.run(["pdfinfo", str(hits[0])], capture_output=True).returncode == 0:
            return hits[0]
        time.sleep(0.25)
    raise AssertionError(f"cups-pdf wrote no complete PDF titled {title}")


@pytest.mark.parametrize(("kind", "size_mm", "page"), [("card", (85.6, 54.0), 1), ("wristband", (25.4, 279.0), 1)])
def test_qprinter_job_has_the_page_size_and_a_code_that_verifies(qtbot, sqlite_ctx, tmp_path, kind, size_mm,
                                                                  page) -> None:
    hh = add_household(sqlite_ctx)
    with sqlite_ctx.db.uow() as uow:
        job = (svc.prepare_wristbands(uow, sqlite_ctx.actor, [hh.id]) if kind == "wristband"
               else svc.prepare_cards(uow, sqlite_ctx.actor, [hh.id], kind="card"))
        svc.record_printed(uow, sqlite_ctx.actor, job, printer=QUEUE, job_ref="qt")
    assert qt_printer.preferred() is False  # lp is installed here: the dialog would use CUPS by default
    assert QUEUE in [p.name for p in qt_printer.list_printers()]
    before = set(cups_pdf_out().glob("*.pdf"))
    result = qt_printer.send(job.pdf, QUEUE, job.title, job.page_mm)
    assert result.printer == QUEUE and result.job_ref.startswith(f"{QUEUE}-qt-")
    out = _new_pdf(before, job.title)
    w, h = page_size_mm(out)
    assert abs(w - size_mm[0]) < 1.0 and abs(h - size_mm[1]) < 1.0, (w, h)
    original = tmp_path / "job.pdf"
    original.write_bytes(job.pdf)
    assert _pages(out) == _pages(original) == (3 if kind == "wristband" else 2)  # a band per member; front+back
    codes = [r.text for r in zxingcpp.read_barcodes(rasterise(out, 300, page=page))]
    assert len(codes) == 1
    with sqlite_ctx.db.reader() as uow:
        check = svc.verify_card_payload(uow, codes[0])
    assert check.valid and check.regno == hh.registration_number


def _pages(pdf: Path) -> int:
    import subprocess

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_missing_printer_and_broken_pdf_are_refused(qtbot) -> None:
    with pytest.raises(StationError) as err:
        qt_printer.send(b"%PDF-1.4 nothing", QUEUE, "t", (85.6, 54.0))
    assert err.value.code == "printing.error.job_failed"
    with pytest.raises(StationError) as err:
        qt_printer.send(b"%PDF", "NoSuchPrinter", "t", (85.6, 54.0))
    assert err.value.code == "printing.error.printer_missing"


def test_dialog_prints_through_qt_when_told_to(qtbot, sqlite_ctx, monkeypatch) -> None:
    monkeypatch.setenv("STATION_PRINT_BACKEND", "qt")
    hh = add_household(sqlite_ctx, with_photo=False)
    dlg = PrintDialog(sqlite_ctx.db, sqlite_ctx.actor, hh.id, kind="card")
    qtbot.addWidget(dlg)
    assert dlg.backend is qt_printer
    qtbot.waitUntil(lambda: dlg.print_button.isEnabled() and dlg.printer_box.findData(QUEUE) >= 0, timeout=15000)
    dlg.printer_box.setCurrentIndex(dlg.printer_box.findData(QUEUE))
    before = set(cups_pdf_out().glob("*.pdf"))
    title = dlg.job.title if dlg.job else ""
    with qtbot.waitSignal(dlg.printed, timeout=30000) as sig:
        dlg.print_button.click()
    assert sig.args[0] == "card" and sig.args[1].startswith(f"{QUEUE}-qt-")
    _new_pdf(before, title)
    with sqlite_ctx.db.reader() as uow:
        rec = uow.session.scalars(select(PrintRecordRow)).one()
    assert rec.job_ref == sig.args[1]
