"""The portrait beside the register and in the form: decoded at the size shown, the same picture as a
whole decode shrunk; damaged bytes show the placeholder, never an error."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPixmap

from ui.widgets.portrait import PortraitLabel, set_privacy_mode


def _jpeg(width: int, height: int) -> bytes:
    """A portrait-like picture: a background gradient, a face-sized oval and a dark collar."""
    image = QImage(width, height, QImage.Format.Format_RGB888)
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, width, height)
    gradient.setColorAt(0, QColor(40, 90, 160))
    gradient.setColorAt(1, QColor(230, 220, 200))
    painter.fillRect(0, 0, width, height, gradient)
    painter.setBrush(QColor(200, 150, 120))
    painter.drawEllipse(width // 4, height // 6, width // 2, height // 2)
    painter.fillRect(width // 5, height * 3 // 4, width * 3 // 5, height // 4, QColor(30, 30, 40))
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPG", 90)  # type: ignore[call-overload]  # the stubs want bytes, the binding a str
    return bytes(buffer.data().data())


def _pixels(pix: QPixmap) -> np.ndarray:
    img = pix.toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes()).reshape(img.height(), img.bytesPerLine())
    return rows[:, :img.width() * 3].astype(int)


def test_a_large_portrait_is_shown_as_a_whole_decode_would_show_it(qtbot: Any) -> None:
    label = PortraitLabel(width=105)
    qtbot.addWidget(label)
    jpeg = _jpeg(600, 800)
    label.set_jpeg(jpeg)
    shown = label.pixmap()
    assert not shown.isNull() and shown.width() <= 105 and shown.height() <= 135
    whole = QPixmap()
    assert whole.loadFromData(jpeg, "JPG")
    reference = whole.scaled(105, 135, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    assert reference.size() == shown.size()
    assert np.abs(_pixels(reference) - _pixels(shown)).mean() < 3  # out of 255


def test_a_small_portrait_and_damaged_bytes(qtbot: Any) -> None:
    label = PortraitLabel(width=105)
    qtbot.addWidget(label)
    label.set_jpeg(_jpeg(60, 80))  # smaller than the label: shown, enlarged
    assert not label.pixmap().isNull()
    label.set_jpeg(b"\xff\xd8\xff\xe0 not a whole jpeg")
    assert label.pixmap().isNull() and label.text()
    set_privacy_mode(True)
    try:
        label.set_jpeg(_jpeg(600, 800))
        assert not label.pixmap().isNull() and label.toolTip()
    finally:
        set_privacy_mode(False)
