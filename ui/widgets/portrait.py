"""A small portrait (35x45) from JPEG bytes, with a neutral placeholder when there is none."""

from __future__ import annotations

import weakref

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from station.i18n import tr

# Privacy mode (need to know): every portrait on screen is blurred until it is turned off again.
_labels: weakref.WeakSet[PortraitLabel] = weakref.WeakSet()
_privacy = [False]
_BLUR = (6, 8)  # the portrait is shrunk to this many pixels and blown up again: no face can be told


def privacy_mode() -> bool:
    return _privacy[0]


def set_privacy_mode(on: bool) -> None:
    """Blur (or show again) every portrait, those on screen now and those shown later."""
    _privacy[0] = on
    for label in list(_labels):
        if shiboken6.isValid(label):  # a closed dialog's label may outlive its C++ widget until collected
            if not label._blank:  # a blank frame stays blank
                label.set_jpeg(label.jpeg)
        else:
            _labels.discard(label)


def _decoded(jpeg: bytes, width: int, height: int) -> QImage:
    """The JPEG decoded straight at the size shown (libjpeg scales while decoding): a 600x800 portrait took
    5-10 ms decoded whole and then shrunk, 2.4 ms so, on every move along the register. A null image when
    the bytes are no JPEG."""
    buffer = QBuffer()
    buffer.setData(QByteArray(jpeg))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, b"jpg")
    size = reader.size()
    if size.isValid() and (size.width() > width or size.height() > height):
        reader.setScaledSize(size.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


class PortraitLabel(QLabel):
    def __init__(self, parent: QWidget | None = None, width: int = 105) -> None:
        super().__init__(parent)
        self._w, self._h = width, round(width * 45 / 35)
        self.setFixedSize(self._w, self._h)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("border: 1px solid #b0b0b0; background: #eceff1; color: #78909c; font-size: 8pt;")
        self.jpeg: bytes | None = None
        self._blank = False
        _labels.add(self)
        self.set_jpeg(None)

    def set_blank(self) -> None:
        """Nobody chosen: an empty frame, neither a portrait nor "no photo" (which would speak of someone)."""
        self.jpeg, self._blank = None, True
        self.clear()
        self.setToolTip("")

    def set_jpeg(self, jpeg: bytes | None) -> None:
        self.jpeg, self._blank = jpeg, False
        image = _decoded(jpeg, self._w, self._h) if jpeg else QImage()
        if not image.isNull():
            if _privacy[0]:
                image = image.scaled(*_BLUR, Qt.AspectRatioMode.IgnoreAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
            self.setPixmap(QPixmap.fromImage(image).scaled(self._w, self._h, Qt.AspectRatioMode.KeepAspectRatio,
                                                           Qt.TransformationMode.SmoothTransformation))
            self.setToolTip(tr("ui.portrait.blurred") if _privacy[0] else "")
        else:
            self.clear()
            self.setText(tr("ui.portrait.none"))

    def changeEvent(self, event: QEvent) -> None:
        """The placeholder follows the language (Qt sends LanguageChange when the station's language changes)."""
        if event.type() == QEvent.Type.LanguageChange and self.pixmap().isNull() and not self._blank:
            self.setText(tr("ui.portrait.none"))
        super().changeEvent(event)
