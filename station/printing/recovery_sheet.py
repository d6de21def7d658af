"""The printed recovery sheet (A4 PDF, ReportLab): station code, date, the recovery code, keep-locked warning.

Page 1 is English; when the station works in Arabic or Sorani, page 2 says the same in that language
(shaped and ordered by station.printing, like names on cards). The code itself is Latin on both pages,
in large monospace groups of five, so it can be typed back without confusion. Text comes from the
catalogue (station/resources/translations/recovery.*.json).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path

from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from station import clock
from station.domain.recovery_code import normalize_recovery_code
from station.fsutil import atomic_write_bytes
from station.i18n import RTL_LANGUAGES, tr
from station.printing.draw import Align, draw_text
from station.printing.fonts import Family

WIDTH, HEIGHT = A4
MARGIN = 20 * mm


def _groups(code: str) -> list[str]:
    raw = normalize_recovery_code(code)
    return [raw[i : i + 5] for i in range(0, len(raw), 5)]


def render_recovery_sheet(code: str, station_code: str, out: Path, *, made_on: date | None = None,
                          lang: str = "en") -> None:
    """Write the recovery sheet for `code` to `out` (A4 PDF, file mode 0600): English, then `lang` if other."""
    atomic_write_bytes(out, recovery_sheet_pdf(code, station_code, made_on=made_on, lang=lang))


def recovery_sheet_pdf(code: str, station_code: str, *, made_on: date | None = None, lang: str = "en") -> bytes:
    """The sheet as PDF bytes, for printing without any file on disk."""
    made_on = made_on or clock.local_today()
    buf = BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle("Recovery sheet")  # no station secrets or personal data in the metadata
    c.setAuthor("Registration Station")
    for page_lang in ("en", lang) if lang != "en" else ("en",):
        _page(c, code, station_code, made_on, page_lang)
        c.showPage()
    c.save()
    return buf.getvalue()


def _page(c: Canvas, code: str, station_code: str, made_on: date, lang: str) -> None:
    rtl = lang in RTL_LANGUAGES
    family = Family.LABEL_RTL if rtl else Family.LATIN
    start, end = (WIDTH - MARGIN, MARGIN) if rtl else (MARGIN, WIDTH - MARGIN)
    lead: Align = "right" if rtl else "left"
    trail: Align = "left" if rtl else "right"

    def t(key: str, **kw: object) -> str:
        return tr(f"recovery.sheet.{key}", lang, **kw)

    def text(s: str, x: float, y: float, size: float, *, bold: bool = False, align: Align = lead,
             color: object = black) -> None:
        draw_text(c, s, x, y, size, family=family, bold=bold, align=align, color=color,  # type: ignore[arg-type]
                  max_width=WIDTH - 2 * MARGIN)

    y = HEIGHT - MARGIN
    c.setFillColor(black)
    c.rect(MARGIN, y - 16 * mm, WIDTH - 2 * MARGIN, 16 * mm, stroke=0, fill=1)
    text(t("banner"), WIDTH / 2, y - 11 * mm, 20, bold=True, align="center", color=white)
    y -= 28 * mm

    c.setFillColor(black)
    text(t("product"), start, y, 12)
    text(t("station", station=station_code), WIDTH / 2, y, 12, bold=True, align="center")
    text(t("made_on", date=made_on.isoformat()), end, y, 12, align=trail)
    y -= 16 * mm

    text(t("code"), start, y, 13, bold=True)
    y -= 6 * mm
    groups = _groups(code)
    rows = [groups[i : i + 4] for i in range(0, len(groups), 4)]
    box_h = (len(rows) * 16 + 8) * mm
    c.setLineWidth(2)
    c.rect(MARGIN, y - box_h, WIDTH - 2 * MARGIN, box_h, stroke=1, fill=0)
    c.setFont("Courier-Bold", 28)  # the code reads left to right on every page
    ty = y - 15 * mm
    for row in rows:
        c.drawCentredString(WIDTH / 2, ty, "  ".join(row))
        ty -= 16 * mm
    y -= box_h + 6 * mm
    text(t("alphabet", n=len(normalize_recovery_code(code))), start, y, 9)
    y -= 14 * mm

    y = _section(text, start, y, t("warning"), t("warning_lines"))
    y -= 6 * mm
    y = _section(text, start, y, t("use"), t("use_lines", button=tr("ui.recovery.link", lang)))

    y -= 10 * mm
    text(t("kept_by"), start, y, 11)
    y -= 10 * mm
    text(t("stored_in"), start, y, 11)
    text(t("footer"), WIDTH / 2, MARGIN / 2, 9, align="center")


def _section(text: Callable[..., None], x: float, y: float, title: str, lines: str) -> float:
    """A bold heading and its lines; returns the y below them."""
    text(title, x, y, 14, bold=True)
    y -= 8 * mm
    for line in lines.splitlines():
        text(line, x, y, 12)
        y -= 7 * mm
    return y
