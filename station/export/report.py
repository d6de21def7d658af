"""End-of-day report as a PDF (ReportLab): big numbers, then pictures people can read at a glance.

Labels are English (the station's Arabic/Kurdish print shaping lives in station.printing; the report
contains no names, only counts, so English labels lose nothing).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from station.export.report_data import AGE_BANDS, DayFigures, band_label
from station.i18n import tr

LANG = "en"
BLUE = colors.HexColor("#2f6db5")
ROSE = colors.HexColor("#c8506e")
GREY = colors.HexColor("#666666")
WIDTH = 170 * mm


def _t(key: str, **kw: object) -> str:
    return tr(key, LANG, **kw)


def nice_step(top: int, ticks: int = 5) -> int:
    """1, 2 or 5 times a power of ten, so the axis has about `ticks` round steps."""
    raw = max(1.0, top / ticks)
    power = 1
    while power * 10 <= raw:
        power *= 10
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _arrivals(fig: DayFigures) -> Drawing:
    d = Drawing(WIDTH, 62 * mm)
    c = VerticalBarChart()
    c.x, c.y, c.width, c.height = 12 * mm, 8 * mm, WIDTH - 16 * mm, 50 * mm
    c.data = [fig.arrivals_by_hour]
    c.bars[0].fillColor = BLUE
    c.bars[0].strokeColor = None
    c.categoryAxis.categoryNames = [f"{h:02d}" for h in range(24)]
    c.categoryAxis.labels.fontSize = 7
    c.valueAxis.valueMin = 0
    step = nice_step(max([*fig.arrivals_by_hour, 1]))
    c.valueAxis.valueMax = step * (max([*fig.arrivals_by_hour, 1]) // step + 1)
    c.valueAxis.valueStep = step
    c.valueAxis.labels.fontSize = 7
    c.barLabelFormat = lambda v: str(int(v)) if v else ""
    c.barLabels.fontSize = 6
    c.barLabels.nudge = 5
    d.add(c)
    return d


def _pyramid(fig: DayFigures) -> Drawing:
    """Males to the left, females to the right, youngest at the bottom."""
    rows = len(AGE_BANDS) + 1
    labels = [band_label(i) for i in range(len(AGE_BANDS))] + ["?"]
    males, females = fig.pyramid["M"], fig.pyramid["F"]
    top = max(males + females + [1])
    d = Drawing(WIDTH, 12 * mm + rows * 9 * mm)
    half = (WIDTH - 24 * mm) / 2
    centre = WIDTH / 2
    row_h = 9 * mm
    for i in range(rows):
        y = 8 * mm + i * row_h
        for value, sign, colour in ((males[i], -1, BLUE), (females[i], 1, ROSE)):
            w = half * value / top
            x = centre + 12 * mm * sign if sign > 0 else centre - 12 * mm - w
            d.add(Rect(x, y + 1 * mm, w, row_h - 2 * mm, fillColor=colour, strokeColor=None))
            tx = x + w + 1.5 * mm if sign > 0 else x - 1.5 * mm
            d.add(String(tx, y + 3.2 * mm, str(value), fontSize=8, fillColor=GREY,
                         textAnchor="start" if sign > 0 else "end"))
        d.add(String(centre, y + 3.2 * mm, labels[i], fontSize=8, textAnchor="middle"))
    d.add(Line(centre - 12 * mm, 7 * mm, centre - 12 * mm, 8 * mm + rows * row_h, strokeColor=GREY))
    d.add(Line(centre + 12 * mm, 7 * mm, centre + 12 * mm, 8 * mm + rows * row_h, strokeColor=GREY))
    d.add(String(centre - 14 * mm, 2 * mm, _t("report.male"), fontSize=9, fillColor=BLUE, textAnchor="end"))
    d.add(String(centre + 14 * mm, 2 * mm, _t("report.female"), fontSize=9, fillColor=ROSE))
    return d


def _bars(counts: dict[str, int], label_prefix: str, colour: colors.Color) -> Drawing:
    """One horizontal bar per category, largest on top, its count at the bar's end."""
    items = sorted(counts.items(), key=lambda kv: kv[1])
    d = Drawing(WIDTH, 10 * mm + max(1, len(items)) * 7 * mm)
    if not items:
        d.add(String(0, 3 * mm, _t("report.none"), fontSize=10, fillColor=GREY))
        return d
    c = HorizontalBarChart()
    c.x, c.y = 55 * mm, 4 * mm
    c.width, c.height = WIDTH - 70 * mm, len(items) * 7 * mm
    c.data = [[v for _, v in items]]
    c.bars[0].fillColor = colour
    c.bars[0].strokeColor = None
    c.categoryAxis.categoryNames = [_t(f"{label_prefix}{k}") for k, _ in items]
    c.categoryAxis.labels.fontSize = 8
    c.valueAxis.valueMin = 0
    c.valueAxis.valueMax = max(v for _, v in items) * 1.15 + 1
    c.valueAxis.labels.fontSize = 7
    c.barLabelFormat = "%d"
    c.barLabels.fontSize = 7
    c.barLabels.nudge = 6
    d.add(c)
    return d


def _numbers(fig: DayFigures) -> Table:
    data = [[_t("report.households"), _t("report.individuals"), _t("report.wristbands"), _t("report.cards")],
            [str(fig.households), str(fig.individuals), str(fig.prints["wristband"]), str(fig.prints["card"])]]
    t = Table(data, colWidths=[WIDTH / 4] * 4)
    t.setStyle(TableStyle([
        ("FONTSIZE", (0, 0), (-1, 0), 9), ("TEXTCOLOR", (0, 0), (-1, 0), GREY),
        ("FONTSIZE", (0, 1), (-1, 1), 26), ("LEADING", (0, 1), (-1, 1), 30),
        ("FONTNAME", (0, 1), (-1, 1), "Helvetica-Bold"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("BOX", (0, 0), (-1, -1), 0.5, colors.lightgrey), ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.lightgrey),
    ]))
    return t


def write_report(fig: DayFigures, path: Path, *, user: str = "") -> None:
    """Render the figures to `path` (A4 PDF)."""
    styles = getSampleStyleSheet()
    h2 = styles["Heading2"]
    story = [
        Paragraph(_t("report.title"), styles["Title"]),
        Paragraph(_t("report.subtitle", station=fig.station, day=fig.day.isoformat()), styles["Normal"]),
        Spacer(1, 5 * mm), _numbers(fig),
        # a heading stays on the page of its picture
        KeepTogether([Paragraph(_t("report.arrivals_by_hour"), h2), _arrivals(fig)]),
        KeepTogether([Paragraph(_t("report.pyramid"), h2), _pyramid(fig)]),
        KeepTogether([Paragraph(_t("report.needs"), h2),
                      _bars(fig.needs, "report.need.", colors.HexColor("#d98c2b"))]),
        KeepTogether([Paragraph(_t("report.handouts"), h2),
                      _bars(fig.handouts, "code.relief.", colors.HexColor("#3a8f5c"))]),
        Paragraph(_t("report.exports"), h2),
    ]
    if fig.prints["reprints"]:
        story.insert(4, Paragraph(f"{_t('report.reprints')}: {fig.prints['reprints']}", styles["Normal"]))
    if fig.exports:
        for e in fig.exports:
            story.append(Paragraph(_t("report.export_line", time=e["time"], file=e["file"],
                                      households=e["households"], portraits=e["portraits"]), styles["Normal"]))
    else:
        story.append(Paragraph(f"<font color='#b03030'>{_t('report.no_exports')}</font>", styles["Normal"]))
    story.append(Spacer(1, 6 * mm))
    generated = _t("report.generated", at=datetime.now().strftime("%Y-%m-%d %H:%M"), user=user)
    story.append(Paragraph(f"<font size=7 color='#888888'>{generated}</font>", styles["Normal"]))
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=_t("report.title"))
    doc.build(story)
