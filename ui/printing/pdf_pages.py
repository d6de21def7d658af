"""PDF pages as QImages, rendered by pypdfium2 (PDFium, the engine QtPdf itself wraps) instead of QtPdf.

QtPdf is published only in wheels that pin the PySide6 release leaking references to None (issue 13), and
the station needs nothing from it but page pictures: the print preview and the QPrinter path's rasterising.
PDFium is not thread-safe, so every use goes through one lock (the preview renders on a worker thread
while the QPrinter path may render on another).
"""

from __future__ import annotations

import threading

import pypdfium2 as pdfium
from PySide6.QtGui import QImage

from station.errors import StationError

_PDFIUM = threading.Lock()


def _open(pdf: bytes) -> pdfium.PdfDocument:
    try:
        doc = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        raise StationError("printing.error.job_failed", detail="pdf") from None
    if len(doc) == 0:
        doc.close()
        raise StationError("printing.error.job_failed", detail="pdf")
    return doc


def page_sizes_pt(pdf: bytes) -> list[tuple[float, float]]:
    """Every page's width and height in points (1/72 in)."""
    with _PDFIUM:
        doc = _open(pdf)
        try:
            return [doc[i].get_size() for i in range(len(doc))]
        finally:
            doc.close()


def render_pages(pdf: bytes, dpi: float, *, max_side_px: int = 0, only: int | None = None) -> list[QImage]:
    """Every page (or page `only`, from 0) at `dpi`, lowered so no side exceeds `max_side_px` if given, on white,
    as QImages that own their pixels (safe to hand from a worker thread to the GUI thread)."""
    images = []
    with _PDFIUM:
        doc = _open(pdf)
        try:
            for i in range(len(doc)) if only is None else (only,):
                page = doc[i]
                scale = dpi / 72.0
                if max_side_px:
                    scale = min(scale, max_side_px / max(page.get_size()))
                bitmap = page.render(scale=scale, prefer_bgrx=True)  # BGRx bytes = QImage RGB32 (LE)
                image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                               QImage.Format.Format_RGB32).copy()  # copy: detach from PDFium's buffer
                bitmap.close()
                page.close()
                images.append(image)
        finally:
            doc.close()
    return images
