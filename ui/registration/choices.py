"""Combo boxes over coded values, labelled from the catalogue (key `code.<kind>.<value>`)."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QElapsedTimer, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from station.i18n import tr

NATIONALITIES = ("IRQ", "SYR", "IRN", "TUR", "XXA")  # XXA: stateless (ICAO)


def compact(combo: QComboBox, chars: int = 8) -> None:
    """Let long labels (e.g. "Unified national card") not widen the form beyond a laptop screen."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)


class CodeCombo(QComboBox):
    """A coded value chosen by typing the start of its label.

    Qt's own search moves to the *next* item starting with a typed letter, so "S" on "Son" picked "Sister"
    (four sons of one household were saved as sisters). Here letters typed in quick succession form a
    prefix matched from the top of the list, and an item that already matches stays chosen.
    `set_value(None)` leaves nothing chosen (the placeholder shows), for values the clerk must decide.
    """

    def __init__(self, kind: str, enum: type[StrEnum], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.enum = enum
        self._prefix = ""
        self._typed = QElapsedTimer()
        compact(self)
        for value in enum:
            self.addItem("", value.value)
        self.retranslate()

    def retranslate(self) -> None:
        for i in range(self.count()):
            self.setItemText(i, tr(f"code.{self.kind}.{self.itemData(i)}"))
        self.setPlaceholderText(tr("ui.placeholder.choose"))

    def value(self) -> StrEnum | None:
        data = self.currentData()
        return None if data is None else self.enum(data)

    def set_value(self, value: StrEnum | str | None) -> None:
        idx = -1 if value is None else self.findData(str(value))
        if idx >= 0 or value is None:
            self.setCurrentIndex(idx)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        mod = Qt.KeyboardModifier
        chords = mod.ControlModifier | mod.AltModifier | mod.MetaModifier
        if len(text) != 1 or not text.isprintable() or text.isspace() or event.modifiers() & chords:
            super().keyPressEvent(event)  # arrows, Home, F4, Tab and shortcuts as Qt does them
            return
        interval = QApplication.keyboardInputInterval()
        if not self._typed.isValid() or self._typed.elapsed() > interval:
            self._prefix = ""
        self._typed.restart()
        self._prefix += text.casefold()
        labels = [self.itemText(i).casefold() for i in range(self.count())]
        if 0 <= self.currentIndex() < len(labels) and labels[self.currentIndex()].startswith(self._prefix):
            return  # already on a matching item: stay (typing "S" on "Son" keeps "Son")
        for i, label in enumerate(labels):
            if label.startswith(self._prefix):
                self.setCurrentIndex(i)
                return
