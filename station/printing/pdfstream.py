"""Faster PDF writing with the same print: page streams deflated at zlib level 1, JPEG pictures never decoded.

Measured (tests/perf/test_print_perf.py): a ration card's shaped Arabic and Sorani text is drawn as glyph
outlines, so its front page stream is ~130 KB of path operators. ReportLab deflates page streams at zlib's
default level 6, which took ~13 ms of a ~36 ms card (CPU); level 1 takes ~2.5 ms for a file ~12 % larger.
Deflate is lossless, so what is printed does not change (tests/station/printing/test_pdf_speedups.py
compares rendered pixels). ReportLab has no setting for the level; its PDFStream takes filter objects, and
a page whose `Contents` is set before the document is written keeps them.

`JpegReader`: `Canvas.drawImage` embeds a JPEG as it is (DCTDecode), but first decodes the whole
picture to name it (`ImageReader.getRGBData`, ~2.7 ms for a portrait); the JPEG bytes name it as well.
"""

from __future__ import annotations

import io
import zlib

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFStream
from reportlab.pdfgen.canvas import Canvas

FAST_LEVEL = 1


class _FastFlate:
    """A ReportLab stream filter: FlateDecode at zlib level 1 (same interface as pdfdoc.PDFZCompress)."""

    pdfname = "FlateDecode"

    def encode(self, text: str | bytes) -> bytes:
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, FAST_LEVEL)

    def decode(self, encoded: bytes) -> bytes:
        return zlib.decompress(encoded)


FAST_FLATE = _FastFlate()


def deflate_pages_fast(c: Canvas) -> None:
    """Give every finished page of `c` a level-1 deflated content stream; call just before `c.save()`."""
    pages = c._doc.Pages.pages  # type: ignore[attr-defined]  # ReportLab's PDFPage objects: no public accessor
    for page in pages:
        stream = getattr(page, "stream", None)
        if stream and not getattr(page, "Contents", None):
            contents = PDFStream(content=stream, filters=[FAST_FLATE])
            contents.__Comment__ = "page stream"  # type: ignore[attr-defined]  # as ReportLab names its own
            page.Contents = contents


class JpegReader(ImageReader):
    """An ImageReader over JPEG bytes that drawImage embeds without decoding them (see module docstring)."""

    def __init__(self, jpeg: bytes) -> None:
        super().__init__(io.BytesIO(jpeg))
        self._jpeg = jpeg
        self._dataA = None  # no alpha channel in a JPEG

    def getRGBData(self) -> bytes:  # ReportLab's name
        # drawImage calls this only to name the picture; the JPEG itself is embedded (jpeg_fh), not these bytes
        return self._jpeg
