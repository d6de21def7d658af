"""The printed recovery sheet (A4 PDF, ReportLab): station code, date, the recovery code, keep-locked warning.

English only on purpose (the Arabic shaping lives in station/printing and this sheet must not depend on
it); the code is in large monospace groups of five so it can be typed back without confusion.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from station.fsutil import atomic_write_bytes
from station.services.station import normalize_recovery_code

WARNING_LINES = (
    "Anyone holding this code can open every record on this station.",
    "Keep this sheet in a locked cabinet or safe, away from the laptop.",
    "Never photograph it, copy it into a phone or computer, or leave it on the desk.",
    "If it may have been seen by someone else, ask the administrator to issue a new code",
    "(the old sheet then stops working) and destroy this one.",
)
USE_LINES = (
    "When to use it: only when every administrator passphrase is lost.",
    "On the sign-in screen, press \"Every passphrase lost?\" (or in a terminal:",
    "station accounts recover --admin NEW-ACCOUNT-NAME), type the code above",
    "(letter case, spaces and dashes do not matter),",
    "then choose a new administrator account name and passphrase.",
    "Using the code is written to the audit trail.",
)


def _groups(code: str) -> list[str]:
    raw = normalize_recovery_code(code)
    return [raw[i : i + 5] for i in range(0, len(raw), 5)]


def render_recovery_sheet(code: str, station_code: str, out: Path, *, made_on: date | None = None) -> None:
    """Write the recovery sheet for `code` to `out` (A4 PDF, file mode 0600)."""
    made_on = made_on or date.today()
    from io import BytesIO

    buf = BytesIO()
    width, height = A4
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle("Recovery sheet")  # no station secrets or personal data in the metadata
    c.setAuthor("Registration Station")
    margin = 20 * mm
    y = height - margin

    c.setFillColor(black)
    c.rect(margin, y - 16 * mm, width - 2 * margin, 16 * mm, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont("Helvetica-Bold", 22)
    c.drawCentredString(width / 2, y - 11 * mm, "RECOVERY SHEET  -  KEEP LOCKED AWAY")
    c.setFillColor(black)
    y -= 28 * mm

    c.setFont("Helvetica", 12)
    c.drawString(margin, y, "Registration Station")
    c.setFont("Helvetica-Bold", 12)
    c.drawString(margin + 60 * mm, y, f"Station {station_code}")
    c.setFont("Helvetica", 12)
    c.drawRightString(width - margin, y, f"Made on {made_on.isoformat()}")
    y -= 16 * mm

    c.setFont("Helvetica-Bold", 13)
    c.drawString(margin, y, "Recovery code")
    y -= 6 * mm
    groups = _groups(code)
    rows = [groups[i : i + 4] for i in range(0, len(groups), 4)]
    box_h = (len(rows) * 16 + 8) * mm
    c.setLineWidth(2)
    c.rect(margin, y - box_h, width - 2 * margin, box_h, stroke=1, fill=0)
    c.setFont("Courier-Bold", 28)
    ty = y - 15 * mm
    for row in rows:
        c.drawCentredString(width / 2, ty, "  ".join(row))
        ty -= 16 * mm
    y -= box_h + 6 * mm
    c.setFont("Helvetica", 9)
    c.drawString(margin, y, f"{len(normalize_recovery_code(code))} characters: letters A-Z and digits 2-7 only "
                            "(no 0, 1, 8 or 9: an O is always the letter O).")
    y -= 14 * mm

    y = _section(c, margin, y, "Warning", WARNING_LINES)
    y -= 6 * mm
    y = _section(c, margin, y, "Use", USE_LINES)

    y -= 10 * mm
    c.setFont("Helvetica", 11)
    c.drawString(margin, y, "Kept by (name, signature): ________________________________")
    y -= 10 * mm
    c.drawString(margin, y, "Stored in (place): _________________________________________")
    c.setFont("Helvetica-Oblique", 9)
    c.drawCentredString(width / 2, margin / 2, "Registration Station - recovery sheet - keep locked away")
    c.showPage()
    c.save()
    atomic_write_bytes(out, buf.getvalue())


def _section(c: Canvas, x: float, y: float, title: str, lines: Sequence[str]) -> float:
    """A bold heading and its lines; returns the y below them."""
    c.setFont("Helvetica-Bold", 14)
    c.drawString(x, y, title)
    y -= 8 * mm
    c.setFont("Helvetica", 12)
    for line in lines:
        c.drawString(x, y, line)
        y -= 7 * mm
    return y
