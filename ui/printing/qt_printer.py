"""Print through Qt's print support (QPrinter) where there is no CUPS client: Windows, above all.

The same rendered PDF as the CUPS path: each page is rasterised with pypdfium2 (ui/printing/pdf_pages.py)
at 300 dpi or the printer's resolution if higher (so the QR code stays sharp) and painted edge to edge on a
page of exactly the job's size in millimetres. Runs on a worker thread (QPainter on a QPrinter is allowed off
the GUI thread).

What QPrinter can tell: whether the printer exists, whether the system reports it in error, and whether
the job was handed to the spooler. It cannot watch the job afterwards the way `lp` + IPP can; the job
counts as accepted once the spooler took every page.
"""

from __future__ import annotations

import os
import uuid

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from station.errors import StationError
from station.printing import spool
from ui.printing.pdf_pages import page_sizes_pt, render_pages

MIN_DPI = 300
_BAD_STATES = (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted)


def preferred() -> bool:
    """True when printing should go through Qt: no CUPS client tools, or STATION_PRINT_BACKEND=qt."""
    choice = os.environ.get("STATION_PRINT_BACKEND", "").strip().lower()
    if choice in ("qt", "cups"):
        return choice == "qt"
    return not spool.available()


def list_printers() -> list[spool.PrinterInfo]:
    default = QPrinterInfo.defaultPrinterName()
    out = []
    for info in QPrinterInfo.availablePrinters():
        ok = info.state() not in _BAD_STATES
        out.append(spool.PrinterInfo(info.printerName(), ok, ok, info.printerName() == default))
    return out


def _printer_info(name: str) -> QPrinterInfo:
    info = QPrinterInfo.printerInfo(name)
    if info.isNull():
        raise StationError("printing.error.printer_missing", printer=name)
    if info.state() in _BAD_STATES:
        raise StationError("printing.error.printer_paused", printer=name)
    return info


def send(pdf: bytes, printer: str, title: str, page_mm: tuple[float, float], *, wait_seconds: float = 0.0,
         copies: int = 1) -> spool.SpoolResult:
    """Paint every page on `printer`; raises a StationError (nothing counts as printed) if it cannot."""
    del wait_seconds  # QPrinter cannot watch a job once the spooler has it
    info = _printer_info(printer)
    pages = len(page_sizes_pt(pdf))  # a PDF PDFium cannot read is refused before anything reaches the printer
    qp = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    qp.setDocName(title)
    qp.setCopyCount(max(1, copies))
    qp.setFullPage(True)
    w, h = page_mm
    size = QPageSize(QSizeF(w, h), QPageSize.Unit.Millimeter, "", QPageSize.SizeMatchPolicy.ExactMatch)
    layout = QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
                         QPageLayout.Unit.Millimeter)
    if not qp.setPageLayout(layout):
        raise StationError("printing.error.spooler_rejected", detail=f"page {w:g}x{h:g} mm")
    dpi = max(MIN_DPI, qp.resolution())
    painter = QPainter()
    if not painter.begin(qp):
        raise StationError("printing.error.spooler_rejected", detail="QPrinter")
    try:
        for page in range(pages):
            if page and not qp.newPage():
                raise StationError("printing.error.job_failed", detail="new page")
            (image,) = render_pages(pdf, dpi, only=page)  # one page at a time: a 600 dpi A4 page is 130 MB
            target = QRectF(qp.pageLayout().fullRectPixels(qp.resolution()))
            painter.drawImage(target, image)
    finally:
        ended = painter.end()
    if not ended or qp.printerState() in _BAD_STATES:
        raise StationError("printing.error.job_failed", detail="QPrinter")
    return spool.SpoolResult(printer, f"{printer}-qt-{uuid.uuid4().hex[:8]}", "spooled")
