"""DocumentPreview: paints the newest camera frame (or an imported scan), the found document outline and a banner."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.scanning.live import DocumentView, LiveState

TRACKING = QColor(235, 160, 30)
GOOD = QColor(40, 200, 90)
BANNERS = {
    LiveState.SEARCHING: QColor(60, 60, 70, 220),
    LiveState.BLURRED: QColor(170, 90, 10, 230),
    LiveState.STEADYING: QColor(170, 120, 10, 230),
    LiveState.READING: QColor(20, 120, 50, 230),
    LiveState.DONE: QColor(20, 120, 50, 230),
}


class DocumentPreview(QWidget):
    """Thin view: `show_frame()` keeps the image and what the worker saw; painting only draws them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(440, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._image: QImage | None = None
        self._corners: np.ndarray | None = None
        self._state: LiveState | None = None
        self._message = ""
        self.still = False  # showing an imported scan, not the camera
        self.painted = 0

    def show_frame(self, image: QImage, view: DocumentView | None) -> None:
        self._image, self.still = image, False
        self._corners = view.corners if view is not None else None
        self._state = view.state if view is not None else None
        self.update()

    def show_still(self, image: QImage, corners: Sequence[Sequence[float]] | None) -> None:
        self._image, self.still, self._state = image, True, LiveState.DONE
        self._corners = np.asarray(corners, dtype=np.float32) if corners else None
        self.update()

    def set_state(self, state: LiveState) -> None:
        """A read finished after the last frame (a video that ended): colour the outline by the outcome."""
        self._state = state
        self.update()

    def set_message(self, text: str) -> None:
        self._message = text
        self.update()

    def clear(self) -> None:
        self._image, self._corners, self._state, self.still = None, None, None, False
        self.update()

    @property
    def state(self) -> LiveState | None:
        return self._state

    def _banner_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(10.0, self.height() / 32))
        font.setBold(True)
        return font

    def _band_height(self) -> float:
        """The banner gets its own strip under the picture, so it never hides the machine-readable zone."""
        if not self._message:
            return 0.0
        fm = QFontMetrics(self._banner_font())
        lines = 2 if fm.horizontalAdvance(self._message) > self.width() - 24 else 1
        return float(fm.height() * (lines + 0.8))

    def _target(self) -> QRectF:
        avail = QRectF(self.rect()).adjusted(0, 0, 0, -self._band_height())
        if self._image is None or self._image.isNull():
            return avail
        iw, ih = self._image.width(), self._image.height()
        s = min(avail.width() / iw, avail.height() / ih)
        w, h = iw * s, ih * s
        return QRectF((avail.width() - w) / 2, (avail.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(25, 25, 28))
        if self._image is not None and not self._image.isNull():
            target = self._target()
            p.drawImage(target, self._image)
            self._paint_outline(p, target)
        self._paint_banner(p)
        p.end()
        self.painted += 1

    def _paint_outline(self, p: QPainter, t: QRectF) -> None:
        if self._corners is None or self._image is None:
            return
        sx, sy = t.width() / self._image.width(), t.height() / self._image.height()
        poly = QPolygonF([QPointF(t.left() + float(x) * sx, t.top() + float(y) * sy) for x, y in self._corners])
        good = self._state in (LiveState.READING, LiveState.DONE)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(QPen(GOOD if good else TRACKING, 4 if good else 3))
        p.drawPolygon(poly)

    def _paint_banner(self, p: QPainter) -> None:
        h = self._band_height()
        if not h:
            return
        color = BANNERS.get(self._state, BANNERS[LiveState.SEARCHING]) if self._state else BANNERS[LiveState.SEARCHING]
        band = QRectF(0, self.height() - h, self.width(), h)
        p.fillRect(band, color)
        p.setFont(self._banner_font())
        p.setPen(QColor("white"))
        p.drawText(band.adjusted(12, 0, -12, 0), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                   self._message)
