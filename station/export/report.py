"""End-of-day report as a PDF (ReportLab): big numbers, then pictures people can read at a glance.

In the station's language: Arabic and Sorani text is shaped and ordered by station.printing (as on the
cards) and laid out from the right; English and numbers stay real, searchable PDF text. The report holds
counts only, never a name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from station import clock
from station.domain.text import has_arabic
from station.export.report_data import AGE_BANDS, DayFigures, band_label
from station.i18n import RTL_LANGUAGES, tr
from station.printing.draw import Align, draw_text
from station.printing.fonts import Family

BLUE = colors.HexColor("#2f6db5")
ROSE = colors.HexColor("#c8506e")
GREY = colors.HexColor("#666666")
RED = colors.HexColor("#b03030")
WIDTH = 170 * mm


def nice_step(top: int, ticks: int = 5) -> int:
    """1, 2 or 5 times a power of ten, so the axis has about `ticks` round steps."""
    raw = max(1.0, top / ticks)
    power = 1
    while power * 10 <= raw:
        power *= 10
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


class _Writer:
    """Text in one language: the family, the reading side, and a draw call for any canvas."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.rtl = lang in RTL_LANGUAGES
        self.family = Family.LABEL_RTL if self.rtl else Family.LATIN

    def t(self, key: str, **kw: object) -> str:
        return tr(key, self.lang, **kw)

    def draw(self, c: Canvas, text: str, x: float, y: float, size: float, *, bold: bool = False,
             align: Align = "left", color: colors.Color = colors.black, max_width: float | None = None) -> None:
        family = self.family if has_arabic(text) else Family.LATIN  # numbers and codes stay real text
        draw_text(c, text, x, y, size, family=family, bold=bold, align=align, color=color, max_width=max_width)


class _Line(Flowable):
    """One line of text across the frame, from the reading side (shrinks rather than overflows)."""

    def __init__(self, w: _Writer, text: str, size: float, *, bold: bool = False, center: bool = False,
                 color: colors.Color = colors.black, space_before: float = 0.0) -> None:
        super().__init__()
        self.w, self.text, self.size, self.bold, self.center, self.color = w, text, size, bold, center, color
        self.spaceBefore = space_before

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.size * 1.45

    def draw(self) -> None:
        align: Align = "center" if self.center else "right" if self.w.rtl else "left"
        x = self.width / 2 if self.center else self.width if self.w.rtl else 0.0
        self.w.draw(self.canv, self.text, x, self.size * 0.35, self.size, bold=self.bold, align=align,
                    color=self.color, max_width=self.width)


class _Cell(Flowable):
    """Centred text in a table cell."""

    def __init__(self, w: _Writer, text: str, size: float, *, bold: bool = False,
                 color: colors.Color = colors.black) -> None:
        super().__init__()
        self.w, self.text, self.size, self.bold, self.color = w, text, size, bold, color

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.size * 1.3

    def draw(self) -> None:
        self.w.draw(self.canv, self.text, self.width / 2, self.size * 0.3, self.size, bold=self.bold,
                    align="center", color=self.color, max_width=self.width - 2)


class _Bars(Flowable):
    """One horizontal bar per category, largest on top; labels on the reading side, bars grow away from it."""

    ROW = 7 * mm
    LABEL_W = 55 * mm

    def __init__(self, w: _Writer, counts: dict[str, int], label: Callable[[str], str], colour: colors.Color) -> None:
        super().__init__()
        self.w, self.colour = w, colour
        self.items = sorted(counts.items(), key=lambda kv: -kv[1])
        self.label = label

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, max(1, len(self.items)) * self.ROW + 2 * mm

    def draw(self) -> None:
        c = self.canv
        if not self.items:
            x, align = (self.width, "right") if self.w.rtl else (0.0, "left")
            self.w.draw(c, self.w.t("report.none"), x, 2 * mm, 10, align=align, color=GREY)  # type: ignore[arg-type]
            return
        top = max(v for _, v in self.items)
        span = self.width - self.LABEL_W - 18 * mm
        for i, (key, value) in enumerate(self.items):
            y = (len(self.items) - 1 - i) * self.ROW + 2 * mm
            length = span * value / top if top else 0
            if self.w.rtl:
                label_x, bar_x = self.width, self.width - self.LABEL_W - length
                self.w.draw(c, self.label(key), label_x, y + 1.8 * mm, 8.5, align="right",
                            max_width=self.LABEL_W - 3 * mm)
                num_x, num_align = bar_x - 1.5 * mm, "right"
            else:
                bar_x = self.LABEL_W
                self.w.draw(c, self.label(key), self.LABEL_W - 3 * mm, y + 1.8 * mm, 8.5, align="right",
                            max_width=self.LABEL_W - 3 * mm)
                num_x, num_align = bar_x + length + 1.5 * mm, "left"
            c.setFillColor(self.colour)
            c.rect(bar_x, y + 0.8 * mm, length, self.ROW - 2 * mm, stroke=0, fill=1)
            self.w.draw(c, str(value), num_x, y + 1.8 * mm, 8, align=num_align, color=GREY)  # type: ignore[arg-type]


class _Pyramid(Flowable):
    """Males to the left, females to the right, youngest at the bottom (the usual population pyramid)."""

    ROW = 9 * mm

    def __init__(self, w: _Writer, fig: DayFigures) -> None:
        super().__init__()
        self.w, self.fig = w, fig

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, 12 * mm + (len(AGE_BANDS) + 1) * self.ROW

    def draw(self) -> None:
        c, w = self.canv, self.w
        rows = len(AGE_BANDS) + 1
        labels = [band_label(i) for i in range(len(AGE_BANDS))] + ["?"]
        males, females = self.fig.pyramid["M"], self.fig.pyramid["F"]
        top = max([*males, *females, 1])
        half = (self.width - 24 * mm) / 2
        centre = self.width / 2
        for i in range(rows):
            y = 8 * mm + i * self.ROW
            for value, sign, colour in ((males[i], -1, BLUE), (females[i], 1, ROSE)):
                length = half * value / top
                x = centre + 12 * mm if sign > 0 else centre - 12 * mm - length
                c.setFillColor(colour)
                c.rect(x, y + 1 * mm, length, self.ROW - 2 * mm, stroke=0, fill=1)
                tx = x + length + 1.5 * mm if sign > 0 else x - 1.5 * mm
                w.draw(c, str(value), tx, y + 3.2 * mm, 8, align="left" if sign > 0 else "right", color=GREY)
            draw_text(c, labels[i], centre, y + 3.2 * mm, 8, align="center")  # digits: the same in every language
        c.setStrokeColor(GREY)
        for x in (centre - 12 * mm, centre + 12 * mm):
            c.line(x, 7 * mm, x, 8 * mm + rows * self.ROW)
        w.draw(c, w.t("report.male"), centre - 14 * mm, 2 * mm, 9, align="right", color=BLUE)
        w.draw(c, w.t("report.female"), centre + 14 * mm, 2 * mm, 9, align="left", color=ROSE)


def _arrivals(fig: DayFigures) -> Drawing:
    """Households by hour of arrival; hours and counts are digits, so the chart needs no shaping."""
    d = Drawing(WIDTH, 62 * mm)
    c = VerticalBarChart()
    c.x, c.y, c.width, c.height = 12 * mm, 8 * mm, WIDTH - 16 * mm, 50 * mm  # type: ignore[assignment]
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


def _numbers(w: _Writer, fig: DayFigures) -> Table:
    keys = ["report.households", "report.individuals", "report.wristbands", "report.cards"]
    values = [fig.households, fig.individuals, fig.prints["wristband"], fig.prints["card"]]
    if w.rtl:  # the first figure on the reading side
        keys, values = keys[::-1], values[::-1]
    data = [[_Cell(w, w.t(k), 9, color=GREY) for k in keys], [_Cell(w, str(v), 26, bold=True) for v in values]]
    t = Table(data, colWidths=[WIDTH / 4] * 4)
    t.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 1), (-1, 1), 6),
        ("BOX", (0, 0), (-1, -1), 0.5, colors.lightgrey), ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.lightgrey),
    ]))
    return t


def write_report(fig: DayFigures, path: Path, *, user: str = "", lang: str = "en") -> None:
    """Render the figures to `path` (A4 PDF) in `lang` (en, ar, ckb)."""
    w = _Writer(lang)

    def heading(key: str) -> _Line:
        return _Line(w, w.t(key), 14, bold=True, space_before=4 * mm)

    story: list[Flowable] = [
        _Line(w, w.t("report.title"), 20, bold=True, center=True),
        _Line(w, w.t("report.subtitle", station=fig.station, day=fig.day.isoformat()), 10),
        Spacer(1, 4 * mm), _numbers(w, fig),
    ]
    if fig.prints["reprints"]:
        story.append(_Line(w, f"{w.t('report.reprints')}: {fig.prints['reprints']}", 9))
    if fig.tracing:  # counts only: no name of anyone sought or asking goes on the report
        counts = {k: w.t(f"report.tracing.{k}", n=v) for k, v in fig.tracing.items()}  # each with its plural form
        story.append(_Line(w, w.t("report.tracing_counts", **counts), 9))
    story += [
        # a heading stays on the page of its picture
        KeepTogether([heading("report.arrivals_by_hour"), _arrivals(fig)]),
        KeepTogether([heading("report.pyramid"), _Pyramid(w, fig)]),
        KeepTogether([heading("report.needs"),
                      _Bars(w, fig.needs, lambda k: w.t(f"report.need.{k}"), colors.HexColor("#d98c2b"))]),
        KeepTogether([heading("report.handouts"),
                      _Bars(w, fig.handouts, lambda k: w.t(f"code.relief.{k}"), colors.HexColor("#3a8f5c"))]),
        heading("report.exports"),
    ]
    if fig.exports:
        for e in fig.exports:
            story.append(_Line(w, w.t("report.export_line", time=e["time"], file=e["file"],
                                      households=w.t("count.households", n=e["households"]),
                                      portraits=w.t("count.portraits", n=e["portraits"])), 10))
    else:
        story.append(_Line(w, w.t("report.no_exports"), 10, color=RED))
    story.append(Spacer(1, 6 * mm))
    generated = w.t("report.generated", at=clock.format_local(clock.utcnow(), fmt="%Y-%m-%d %H:%M"), user=user)
    story.append(_Line(w, generated, 7, color=GREY))
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title="End-of-day report")
    doc.build(story)
