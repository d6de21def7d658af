"""Combo boxes over coded values, labelled from the catalogue (key `code.<kind>.<value>`)."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtWidgets import QComboBox, QWidget

from station.i18n import tr

NATIONALITIES = ("IRQ", "SYR", "IRN", "TUR", "XXA")  # XXA: stateless (ICAO)


def compact(combo: QComboBox, chars: int = 8) -> None:
    """Let long labels (e.g. "Unified national card") not widen the form beyond a laptop screen."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)


class CodeCombo(QComboBox):
    def __init__(self, kind: str, enum: type[StrEnum], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.enum = enum
        compact(self)
        for value in enum:
            self.addItem("", value.value)
        self.retranslate()

    def retranslate(self) -> None:
        for i in range(self.count()):
            self.setItemText(i, tr(f"code.{self.kind}.{self.itemData(i)}"))

    def value(self) -> StrEnum:
        return self.enum(self.currentData())

    def set_value(self, value: StrEnum | str) -> None:
        idx = self.findData(str(value))
        if idx >= 0:
            self.setCurrentIndex(idx)
