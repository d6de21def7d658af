"""The household form's first line: arrival time, origin (governorate, district, place), arrival point, notes."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QGridLayout, QGroupBox, QLabel, QLineEdit, QWidget

from station.i18n import tr
from station.services.demo_names import ARRIVAL_POINTS, ORIGINS
from ui.registration.choices import compact
from ui.widgets.field import Field, force_left_to_right


class HouseBox(QGroupBox):
    """The fields of the household itself, each with its label above it and its error below (`fields`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        g = QGridLayout(self)
        g.setContentsMargins(6, 2, 6, 4)
        g.setVerticalSpacing(1)
        self.arrived = QDateTimeEdit(self)
        # Dates and times in Latin digits, left to right, in every language, so they cannot be misread.
        # (Direction first: Qt reverses the date sections of a format set while right-to-left.)
        self.arrived.setLocale(QLocale.c())
        force_left_to_right(self.arrived)
        self.arrived.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.governorate = QComboBox(self)
        self.governorate.setEditable(True)
        self.governorate.addItems([""] + [o[0] for o in ORIGINS])
        self.district = QLineEdit(self)
        self.place = QLineEdit(self)
        self.arrival_point = QComboBox(self)
        self.arrival_point.setEditable(True)
        self.arrival_point.addItems(["", *ARRIVAL_POINTS])
        compact(self.governorate)
        compact(self.arrival_point)
        self.notes = QLineEdit(self)
        self.notes.setMaxLength(2000)
        self.labels: dict[str, QLabel] = {}
        self.fields: dict[str, Field] = {}
        for i, (key, w) in enumerate((("arrived_at", self.arrived), ("governorate", self.governorate),
                                      ("district", self.district), ("place", self.place),
                                      ("arrival_point", self.arrival_point))):
            label, field = QLabel(self), Field(w, parent=self)
            label.setBuddy(w)
            self.labels[key], self.fields[key] = label, field
            g.addWidget(label, 0, i)
            g.addWidget(field, 1, i)
        self.notes_label = QLabel(self)
        g.addWidget(self.notes_label, 0, 5)
        g.addWidget(self.notes, 1, 5)
        g.setColumnStretch(5, 2)

    def retranslate(self) -> None:
        self.setTitle("")  # the title line above says "New household" already
        for key, label in self.labels.items():
            label.setText(tr(f"ui.field.{key}"))
        self.notes_label.setText(tr("ui.field.notes"))
