"""CR80 ration card: front (portrait, names in both scripts, numbers, QR) and back (grid of distribution rounds)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.lib.colors import Color, white
from reportlab.pdfgen.canvas import Canvas

from station.printing.content import CardContent, Labels
from station.printing.draw import draw_portrait, draw_qr, draw_text
from station.printing.fonts import Family
from station.printing.geometry import PT_PER_MM, Box, CardLayout, TextSlot
from station.printing.pdfstream import deflate_pages_fast

INK = Color(0.11, 0.11, 0.13)
MUTED = Color(0.38, 0.40, 0.44)
BRAND = Color(0.09, 0.30, 0.50)  # deep blue header band
TINT = Color(0.92, 0.95, 0.98)
RULE = Color(0.70, 0.74, 0.80)


def _latin(c: Canvas, text: str, slot: TextSlot, color: Color = INK, align: str = "left") -> None:
    x = slot.x * PT_PER_MM + (slot.w * PT_PER_MM if align == "right" else 0.0)
    draw_text(c, text, x, slot.y * PT_PER_MM, slot.size, family=Family.LATIN, bold=slot.bold,
              align="right" if align == "right" else "left", max_width=slot.w * PT_PER_MM,
              min_size=slot.min_size, color=color)


def _local(c: Canvas, text: str, slot: TextSlot, family: Family = Family.LABEL_RTL, color: Color = INK) -> None:
    """Arabic-script text, right-aligned in its slot."""
    draw_text(c, text, (slot.x + slot.w) * PT_PER_MM, slot.y * PT_PER_MM, slot.size, family=family,
              bold=slot.bold, align="right", max_width=slot.w * PT_PER_MM, min_size=slot.min_size, color=color)


def _header(c: Canvas, layout: CardLayout, latin: str, local: str, org: str, lt: TextSlot, ls: TextSlot) -> None:
    x, y, w, h = layout.header.pt()
    c.setFillColor(BRAND)
    c.rect(x, y, w, h, stroke=0, fill=1)
    title = f"{latin.upper()}" if not org else f"{latin.upper()} · {org}"
    _latin(c, title, lt, color=white)
    _local(c, local, ls, color=white)


def _field(c: Canvas, box: Box, label: tuple[str, str], value: str) -> None:
    """A small bilingual label (English left, local right) over a bold value, filling `box`."""
    x, y, w, h = box.pt()
    base = y + h - 5.0
    draw_text(c, label[0], x, base, 5.2, max_width=w * 0.48, min_size=3.5, color=MUTED)
    draw_text(c, label[1], x + w, base, 5.6, family=Family.LABEL_RTL, align="right", max_width=w * 0.5,
              min_size=3.5, color=MUTED)
    draw_text(c, value, x, y + 0.5, 9.5, bold=True, max_width=w, min_size=5.0, color=INK)


def draw_front(c: Canvas, card: CardContent, labels: Labels, layout: CardLayout, ox: float = 0, oy: float = 0) -> None:
    """The front of one card with its bottom-left corner at (ox, oy) points."""
    c.saveState()
    c.translate(ox, oy)
    _header(c, layout, labels.title[0], labels.title[1], labels.organisation, layout.title_latin,
            layout.title_local)
    draw_portrait(c, card.portrait_jpeg, *layout.portrait.pt())
    _latin(c, card.registration_number, layout.regno, color=BRAND)
    _local(c, card.name_local, layout.name_local, family=Family.NAME_RTL)
    _latin(c, card.name_latin.upper(), layout.name_latin)
    _field(c, layout.fields[0], labels.household_size, str(card.household_size))
    _field(c, layout.fields[1], labels.issued, card.issued_on.isoformat())
    qx, qy, qs, _ = layout.qr.pt()
    c.setFillColor(white)
    c.rect(qx - 1.5, qy - 1.5, qs + 3, qs + 3, stroke=0, fill=1)
    draw_qr(c, card.payload, qx, qy, qs, color=INK)
    _latin(c, f"{labels.card_no[0]} {card.issue}", layout.qr_caption, color=INK)
    if labels.card_no[1]:
        _local(c, f"{labels.card_no[1]} {card.issue}", layout.qr_caption_local, color=INK)
    _rule(c, layout)
    _latin(c, f"{labels.free[0]}  {labels.latest_only[0]}", layout.footer, color=MUTED)
    _local(c, f"{labels.free[1]} {labels.latest_only[1]}", layout.footer_local, color=MUTED)
    c.restoreState()


def _rule(c: Canvas, layout: CardLayout) -> None:
    c.setStrokeColor(RULE)
    c.setLineWidth(0.4)
    c.line(3.5 * PT_PER_MM, layout.rule_y * PT_PER_MM, (layout.width - 3.5) * PT_PER_MM, layout.rule_y * PT_PER_MM)


def draw_back(c: Canvas, card: CardContent, labels: Labels, layout: CardLayout, ox: float = 0, oy: float = 0) -> None:
    """The back: numbered boxes for distribution rounds, to be ticked or stamped."""
    c.saveState()
    c.translate(ox, oy)
    _header(c, layout, labels.rounds[0], labels.rounds[1], "", layout.back_title_latin, layout.back_title_local)
    gx, gy, gw, gh = layout.grid.pt()
    cw, ch = gw / layout.grid_cols, gh / layout.grid_rows
    c.setFillColor(TINT)
    c.rect(gx, gy, gw, gh, stroke=0, fill=1)
    c.setStrokeColor(RULE)
    c.setLineWidth(0.5)
    for i in range(layout.grid_rows + 1):
        c.line(gx, gy + i * ch, gx + gw, gy + i * ch)
    for j in range(layout.grid_cols + 1):
        c.line(gx + j * cw, gy, gx + j * cw, gy + gh)
    n = 0
    for r in range(layout.grid_rows):
        for col in range(layout.grid_cols):
            n += 1
            draw_text(c, str(n), gx + col * cw + 1.2, gy + gh - (r * ch) - 6.0, 5.0, color=MUTED)
    _rule(c, layout)
    _latin(c, f"{card.registration_number}  ·  {labels.return_note[0]}", layout.back_footer, color=MUTED)
    _local(c, labels.return_note[1], layout.back_footer_local, color=MUTED)
    c.restoreState()


def render_cards(cards: Iterable[CardContent], labels: Labels, layout: CardLayout | None = None,
                 *, backs: bool = True, title: str = "Ration cards") -> bytes:
    """A PDF of CR80 pages: each card's front, then its back (for a duplex card printer)."""
    layout = (layout or CardLayout()).validate()
    out = io.BytesIO()
    c = Canvas(out, pagesize=(layout.width * PT_PER_MM, layout.height * PT_PER_MM), pageCompression=1)
    c.setTitle(title)
    c.setCreator("Registration Station")
    for card in cards:
        draw_front(c, card, labels, layout)
        c.showPage()
        if backs:
            draw_back(c, card, labels, layout)
            c.showPage()
    deflate_pages_fast(c)
    c.save()
    return out.getvalue()
