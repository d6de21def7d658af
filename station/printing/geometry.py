"""Page geometry in millimetres, held as data: wristband, CR80 ration card, A4 sheet of cards.

Every layout is a frozen dataclass of boxes and text slots; `validate()` checks up front that each one
lies on its page, so a wrong setting fails when it is loaded, not half-way through a print run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from station.errors import StationError

CR80_W, CR80_H = 85.6, 54.0
A4_W, A4_H = 210.0, 297.0
PT_PER_MM = 72.0 / 25.4


@dataclass(frozen=True)
class Box:
    """A rectangle in mm; (x, y) is its bottom-left corner on the page (or band)."""

    x: float
    y: float
    w: float
    h: float

    def inside(self, width: float, height: float) -> bool:
        eps = 1e-6
        return self.x >= -eps and self.y >= -eps and self.x + self.w <= width + eps and self.y + self.h <= height + eps

    def pt(self) -> tuple[float, float, float, float]:
        return (self.x * PT_PER_MM, self.y * PT_PER_MM, self.w * PT_PER_MM, self.h * PT_PER_MM)


@dataclass(frozen=True)
class TextSlot:
    """One line of text: baseline at `y`, from `x` over `w` mm, `size` points shrinking to `min_size`."""

    x: float
    y: float
    w: float
    size: float
    min_size: float = 4.0
    bold: bool = False

    def inside(self, width: float, height: float) -> bool:
        return Box(self.x, self.y, self.w, self.size / PT_PER_MM).inside(width, height)


def _check(layout: object, width: float, height: float) -> None:
    for f in dataclasses.fields(layout):  # type: ignore[arg-type]
        value = getattr(layout, f.name)
        boxes = value if isinstance(value, tuple) else (value,)
        for b in boxes:
            if isinstance(b, Box | TextSlot) and not b.inside(width, height):
                raise StationError("printing.error.layout", name=f.name)


@dataclass(frozen=True)
class CardLayout:
    """CR80 ration card, landscape. Front and back share the page size."""

    width: float = CR80_W
    height: float = CR80_H
    header: Box = Box(0, 45.5, CR80_W, 8.5)
    title_latin: TextSlot = TextSlot(3.5, 48.3, 38, 8.5, 5, bold=True)
    title_local: TextSlot = TextSlot(44, 48.0, 38.1, 9.5, 5, bold=True)
    portrait: Box = Box(3.5, 10.5, 21, 28)
    regno: TextSlot = TextSlot(27.5, 39.0, 35, 11.5, 7, bold=True)
    name_local: TextSlot = TextSlot(27.5, 32.6, 35, 9.5, 4.5, bold=True)
    name_latin: TextSlot = TextSlot(27.5, 27.4, 35, 7.5, 4, bold=True)
    fields: tuple[Box, ...] = (Box(27.5, 16.9, 35, 5.9), Box(27.5, 9.6, 35, 5.9))  # label line over a value
    qr: Box = Box(64.4, 16.4, 18.6, 18.6)
    qr_caption: TextSlot = TextSlot(64.4, 12.4, 18.6, 6.5, 4)
    qr_caption_local: TextSlot = TextSlot(64.4, 9.3, 18.6, 6.5, 4)
    footer: TextSlot = TextSlot(3.5, 4.2, 78.6, 5.2, 3.2)
    footer_local: TextSlot = TextSlot(3.5, 1.6, 78.6, 5.5, 3.2)
    rule_y: float = 7.8
    # back
    back_title_latin: TextSlot = TextSlot(3.5, 48.3, 38, 8, 5, bold=True)
    back_title_local: TextSlot = TextSlot(44, 48.0, 38.1, 9, 5, bold=True)
    grid: Box = Box(3.5, 9.5, 78.6, 34)
    grid_rows: int = 3
    grid_cols: int = 8
    back_footer: TextSlot = TextSlot(3.5, 4.2, 78.6, 5.2, 3.2)
    back_footer_local: TextSlot = TextSlot(3.5, 1.6, 78.6, 5.5, 3.2)

    def validate(self) -> CardLayout:
        _check(self, self.width, self.height)
        if self.grid_rows < 1 or self.grid_cols < 1:
            raise StationError("printing.error.layout", name="grid")
        return self


@dataclass(frozen=True)
class SheetLayout:
    """A4 sheet of CR80 cards edge to edge, cut marks in the margins; backs mirrored for long-edge duplex."""

    width: float = A4_W
    height: float = A4_H
    cols: int = 2
    rows: int = 5
    card_w: float = CR80_W
    card_h: float = CR80_H
    mark_gap: float = 1.5  # distance from the card edge to the start of a cut mark
    mark_len: float = 5.0

    @property
    def origin(self) -> tuple[float, float]:
        return ((self.width - self.cols * self.card_w) / 2, (self.height - self.rows * self.card_h) / 2)

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    def slot(self, index: int, back: bool = False) -> Box:
        """Where card `index` (0-based, on this page) goes: rows top to bottom; backs mirror the columns."""
        row, col = divmod(index, self.cols)
        if back:
            col = self.cols - 1 - col
        ox, oy = self.origin
        return Box(ox + col * self.card_w, oy + (self.rows - 1 - row) * self.card_h, self.card_w, self.card_h)

    def validate(self) -> SheetLayout:
        ox, oy = self.origin
        if self.cols < 1 or self.rows < 1 or ox < self.mark_gap + 1 or oy < self.mark_gap + 1:
            raise StationError("printing.error.layout", name="sheet")
        return self


@dataclass(frozen=True)
class WristbandLayout:
    """A band printed along its length. Coordinates: x along the band from its start, y across it."""

    width: float = 25.4  # across the band: the page width the printer sees
    length: float = 279.0  # along the band: the page height
    start: float = 30.0  # unprinted lead (clasp end)
    margin: float = 2.0
    min_qr_module: float = 0.45  # narrower than this (mm per module) and a Code128 is printed instead
    gap: float = 3.5
    text_len: float = 95.0  # length of the text block
    rows: tuple[TextSlot, ...] = field(default=())

    @property
    def printable(self) -> float:
        return self.width - 2 * self.margin

    def qr_box(self) -> Box:
        return Box(self.start, self.margin, self.printable, self.printable)

    def text_x(self, with_qr: bool) -> float:
        return self.start + (self.printable + self.gap if with_qr else 0.0)

    def text_rows(self, with_qr: bool) -> tuple[TextSlot, ...]:
        """Regno, name in Arabic script, name in Latin script, household line; scaled to the band width."""
        if self.rows:
            return self.rows
        k = self.printable / 21.4
        top = self.width - self.margin
        x = self.text_x(with_qr)
        w = self.text_len
        return (
            TextSlot(x, top - 6.0 * k, w, 19.0 * k, 10.0 * k, bold=True),
            TextSlot(x, top - 11.3 * k, w, 10.5 * k, 5.0 * k, bold=True),
            TextSlot(x, top - 15.6 * k, w, 8.5 * k, 4.5 * k, bold=True),
            TextSlot(x, top - 20.0 * k, w, 7.0 * k, 4.0 * k),
        )

    def validate(self) -> WristbandLayout:
        if self.width < 12 or self.length < 80 or self.printable < 8:
            raise StationError("printing.error.layout", name="wristband")
        for with_qr in (True, False):
            for slot in self.text_rows(with_qr):
                if not slot.inside(self.length, self.width):
                    raise StationError("printing.error.layout", name="wristband")
        return self
