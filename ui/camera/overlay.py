"""PreviewWidget: paints the newest frame, the 35x45 framing guide, face boxes and the first quality problem."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from station.i18n import tr
from station.scanning.photo_quality import QualityReport, QualityThresholds
from station.scanning.portrait import PortraitSpec

GOOD = QColor(40, 200, 90)
BAD = QColor(235, 120, 30)
GUIDE = QColor(255, 255, 255, 170)


class PreviewWidget(QWidget):
    """Thin view: `show_frame()` stores the image and report and schedules one repaint."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(480, 360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._image: QImage | None = None
        self._report: QualityReport | None = None
        self._message = ""
        self.thresholds = QualityThresholds()
        self.spec = PortraitSpec()
        self.painted = 0

    def show_frame(self, image: QImage, report: QualityReport | None) -> None:
        self._image, self._report = image, report
        self.update()

    def set_message(self, text: str) -> None:
        self._message = text
        self.update()

    def clear(self) -> None:
        self._image, self._report = None, None
        self.update()

    def _target(self) -> QRectF:
        if self._image is None or self._image.isNull():
            return QRectF(self.rect())
        iw, ih = self._image.width(), self._image.height()
        s = min(self.width() / iw, self.height() / ih)
        w, h = iw * s, ih * s
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(25, 25, 28))
        target = self._target()
        if self._image is not None and not self._image.isNull():
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            p.drawImage(target, self._image)
            self._paint_guide(p, target)
            self._paint_faces(p, target)
        self._paint_banner(p)
        p.end()
        self.painted += 1

    def _paint_guide(self, p: QPainter, t: QRectF) -> None:
        th, spec = self.thresholds, self.spec
        # the guide is where a good portrait's head sits: face height about the middle of the allowed range
        face_h = t.height() * (th.min_face_height + th.max_face_height) / 2 * 0.8
        head_h = face_h * spec.head_per_box
        cx, cy = t.left() + th.guide_cx * t.width(), t.top() + th.guide_cy * t.height()
        crop_h = head_h / spec.head_share
        crop_w = crop_h * spec.aspect_w / spec.aspect_h
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(QPen(GUIDE, 2, Qt.PenStyle.DashLine))
        p.drawRect(QRectF(cx - crop_w / 2, cy - crop_h * 0.45, crop_w, crop_h))
        p.drawEllipse(QPointF(cx, cy - face_h * 0.12), face_h * 0.42, head_h * 0.5)

    def _paint_faces(self, p: QPainter, t: QRectF) -> None:
        r = self._report
        if r is None or self._image is None:
            return
        sx, sy = t.width() / self._image.width(), t.height() / self._image.height()
        for i, f in enumerate(r.faces):
            color = GOOD if r.passed else BAD
            p.setPen(QPen(color, 3 if i == 0 else 2))
            p.drawRect(QRectF(t.left() + f.x * sx, t.top() + f.y * sy, f.w * sx, f.h * sy))

    def _paint_banner(self, p: QPainter) -> None:
        r = self._report
        if self._message:
            text, color = self._message, QColor(60, 60, 70, 220)
        elif r is None:
            return
        elif r.passed:
            text, color = tr("camera.hint.ok"), QColor(20, 120, 50, 220)
        else:
            text, color = "\n".join(tr(k) for k in r.reasons[:2]), QColor(170, 70, 10, 230)
        font = QFont(self.font())
        font.setPointSizeF(max(11.0, self.height() / 30))
        font.setBold(True)
        p.setFont(font)
        h = p.fontMetrics().height() * (text.count("\n") + 2)
        band = QRectF(0, self.height() - h, self.width(), h)
        p.fillRect(band, color)
        p.setPen(QColor("white"))
        p.drawText(band.adjusted(12, 0, -12, 0), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
