"""A small portrait (35x45) from JPEG bytes, with a neutral placeholder when there is none."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from station.i18n import tr


class PortraitLabel(QLabel):
    def __init__(self, parent: QWidget | None = None, width: int = 105) -> None:
        super().__init__(parent)
        self._w, self._h = width, round(width * 45 / 35)
        self.setFixedSize(self._w, self._h)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("border: 1px solid #b0b0b0; background: #eceff1; color: #78909c; font-size: 8pt;")
        self.set_jpeg(None)

    def set_jpeg(self, jpeg: bytes | None) -> None:
        pix = QPixmap()
        if jpeg and pix.loadFromData(jpeg, "JPG"):
            self.setPixmap(pix.scaled(self._w, self._h, Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation))
            self.setToolTip("")
        else:
            self.clear()
            self.setText(tr("ui.portrait.none"))

    def changeEvent(self, event: QEvent) -> None:
        """The placeholder follows the language (Qt sends LanguageChange when the station's language changes)."""
        if event.type() == QEvent.Type.LanguageChange and self.pixmap().isNull():
            self.setText(tr("ui.portrait.none"))
        super().changeEvent(event)
