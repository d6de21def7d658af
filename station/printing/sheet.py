"""A4 sheets of ration cards for an ordinary printer: ten cards a page, cut marks, backs for duplex."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, cast

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from station.printing.card import draw_back, draw_front
from station.printing.content import CardContent, Labels
from station.printing.geometry import PT_PER_MM, CardLayout, SheetLayout
from station.printing.pdfstream import deflate_pages_fast

MARK = Color(0.25, 0.25, 0.25)


def _chunks(items: Iterable[CardContent], n: int) -> Iterator[list[CardContent]]:
    it = iter(items)
    while chunk := list(islice(it, n)):
        yield chunk


def draw_cut_marks(c: Canvas, sheet: SheetLayout) -> None:
    """Short lines in the margins on every cutting line, none on the cards themselves."""
    ox, oy = sheet.origin
    right, top = ox + sheet.cols * sheet.card_w, oy + sheet.rows * sheet.card_h
    g, ln = sheet.mark_gap, sheet.mark_len
    c.saveState()
    c.setStrokeColor(MARK)
    c.setLineWidth(0.3)
    for i in range(sheet.cols + 1):
        x = (ox + i * sheet.card_w) * PT_PER_MM
        c.line(x, (oy - g) * PT_PER_MM, x, (oy - g - ln) * PT_PER_MM)
        c.line(x, (top + g) * PT_PER_MM, x, (top + g + ln) * PT_PER_MM)
    for j in range(sheet.rows + 1):
        y = (oy + j * sheet.card_h) * PT_PER_MM
        c.line((ox - g) * PT_PER_MM, y, (ox - g - ln) * PT_PER_MM, y)
        c.line((right + g) * PT_PER_MM, y, (right + g + ln) * PT_PER_MM, y)
    c.restoreState()


def write_sheets(
    out: io.BufferedIOBase | io.BytesIO,
    cards: Iterable[CardContent],
    labels: Labels,
    *,
    sheet: SheetLayout | None = None,
    layout: CardLayout | None = None,
    backs: bool = True,
    title: str = "Ration cards",
) -> int:
    """Stream sheets into `out` (a page of fronts, then its page of mirrored backs). Returns the card count.

    Cards are consumed page by page, so a long run never holds more than one page of portraits.
    """
    sheet = (sheet or SheetLayout()).validate()
    layout = (layout or CardLayout()).validate()
    c = Canvas(cast(IO[bytes], out), pagesize=(sheet.width * PT_PER_MM, sheet.height * PT_PER_MM), pageCompression=1)
    c.setTitle(title)
    c.setCreator("Registration Station")
    count = 0
    for page in _chunks(cards, sheet.per_page):
        for i, card in enumerate(page):
            x, y, _, _ = sheet.slot(i).pt()
            draw_front(c, card, labels, layout, x, y)
        draw_cut_marks(c, sheet)
        c.showPage()
        if backs:
            for i, card in enumerate(page):
                x, y, _, _ = sheet.slot(i, back=True).pt()
                draw_back(c, card, labels, layout, x, y)
            draw_cut_marks(c, sheet)
            c.showPage()
        count += len(page)
    deflate_pages_fast(c)
    c.save()
    return count


def render_sheets(cards: Iterable[CardContent], labels: Labels, **kw: object) -> bytes:
    out = io.BytesIO()
    write_sheets(out, cards, labels, **kw)  # type: ignore[arg-type]
    return out.getvalue()
