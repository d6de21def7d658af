"""Wristband for thermal band printers: one page per person, printed along the band.

The page is the band itself (default 25.4 x 279 mm, the common 1 x 11 inch hospital band), portrait as
the printer feeds it; everything is drawn rotated a quarter turn so it reads along the band. Black only
(thermal). A QR code fills the printable width when its modules come out at least `min_qr_module` mm;
on a narrower band a Code128 of the same payload runs along the band instead.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.lib.colors import Color, black
from reportlab.pdfgen.canvas import Canvas

from station.printing.content import Labels, WristbandContent
from station.printing.draw import draw_code128, draw_qr, draw_text, measure, qr_ec_level, qr_modules
from station.printing.fonts import Family
from station.printing.geometry import PT_PER_MM, WristbandLayout
from station.printing.pdfstream import deflate_pages_fast

GREY = Color(0.35, 0.35, 0.35)


def use_qr(payload: str, layout: WristbandLayout) -> bool:
    """QR when the printable width gives modules of at least `min_qr_module` mm, else Code128."""
    modules = qr_modules(payload, qr_ec_level(payload)).shape[0]
    return bool(layout.printable / modules >= layout.min_qr_module)


def draw_wristband(c: Canvas, band: WristbandContent, labels: Labels, layout: WristbandLayout) -> None:
    """One band on the current page (page size = width x length)."""
    c.saveState()
    # Band coordinates: u along the band (page y), v across it; v = 0 is the page's right edge.
    c.translate(layout.width * PT_PER_MM, 0)
    c.rotate(90)
    qr = use_qr(band.payload, layout)
    rows = layout.text_rows(qr)
    if qr:
        x, y, s, _ = layout.qr_box().pt()
        draw_qr(c, band.payload, x, y, s, color=black)
    else:
        code_len = min(70.0, layout.length - layout.start - layout.text_len - 2 * layout.gap - 10)
        x0 = (layout.start + layout.text_len + layout.gap) * PT_PER_MM
        draw_code128(c, band.payload, x0, layout.margin * PT_PER_MM, code_len * PT_PER_MM,
                     layout.printable * PT_PER_MM)
    regno, name_local, name_latin, info = rows
    w = regno.w * PT_PER_MM
    used = draw_text(c, band.registration_number, regno.x * PT_PER_MM, regno.y * PT_PER_MM, regno.size,
                     bold=True, max_width=w * 0.78, min_size=regno.min_size)
    # Member position after the number, smaller: "MKH-02-000123-K ·3"
    tail_x = regno.x * PT_PER_MM + measure(band.registration_number, used, bold=True) + 0.35 * used
    draw_text(c, f"·{band.position}", tail_x, regno.y * PT_PER_MM, used * 0.8, bold=True,
              max_width=w * 0.2, min_size=regno.min_size * 0.7)
    # The Arabic-script name is right-aligned to the right edge of the block actually printed.
    household = labels.persons.format(size=band.household_size)
    line = f"{household}  ·  {labels.arrived} {band.arrived_on.isoformat()}"
    if band.staff_code:
        line += f"  ·  {band.staff_code}"
    right = max(
        tail_x + measure(f"·{band.position}", used * 0.8, bold=True),
        name_latin.x * PT_PER_MM + measure(band.name_latin.upper(), name_latin.size, bold=True),
        name_local.x * PT_PER_MM + measure(band.name_local, name_local.size, Family.NAME_RTL, bold=True),
        info.x * PT_PER_MM + measure(line, info.size),
    )
    right = min(right, (name_local.x + name_local.w) * PT_PER_MM)
    draw_text(c, band.name_local, right, name_local.y * PT_PER_MM,
              name_local.size, family=Family.NAME_RTL, bold=True, align="right",
              max_width=name_local.w * PT_PER_MM, min_size=name_local.min_size)
    draw_text(c, band.name_latin.upper(), name_latin.x * PT_PER_MM, name_latin.y * PT_PER_MM, name_latin.size,
              bold=True, max_width=name_latin.w * PT_PER_MM, min_size=name_latin.min_size)
    draw_text(c, line, info.x * PT_PER_MM, info.y * PT_PER_MM, info.size, max_width=info.w * PT_PER_MM,
              min_size=info.min_size, color=GREY)
    c.restoreState()


def render_wristbands(bands: Iterable[WristbandContent], labels: Labels, layout: WristbandLayout | None = None,
                      *, title: str = "Wristbands") -> bytes:
    """A PDF with one band per page."""
    layout = (layout or WristbandLayout()).validate()
    out = io.BytesIO()
    c = Canvas(out, pagesize=(layout.width * PT_PER_MM, layout.length * PT_PER_MM), pageCompression=1)
    c.setTitle(title)
    c.setCreator("Registration Station")
    for band in bands:
        draw_wristband(c, band, labels, layout)
        c.showPage()
    deflate_pages_fast(c)
    c.save()
    return out.getvalue()
