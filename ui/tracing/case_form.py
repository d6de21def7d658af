"""The tracing request: who is sought, for the household open at the desk (the person asking is one of it).

Names in both scripts (given, father, grandfather, family), sex, age or birth date, origin, where and when
last seen, circumstances, consent to share. Saving opens the case (station.services.tracing.open_case),
which checks the register at once.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from station.domain.model import HouseholdView
from station.domain.tracing import CaseDraft, CaseView
from station.errors import StationError
from station.i18n import tr
from station.services import tracing
from station.services.station import StationContext

NO_AGE = -1


def _four(parent: QWidget) -> tuple[QHBoxLayout, list[QLineEdit]]:
    row, edits = QHBoxLayout(), []
    for _ in range(4):
        e = QLineEdit(parent)
        row.addWidget(e)
        edits.append(e)
    return row, edits


class CaseFormDialog(QDialog):
    case_opened = Signal(object)  # CaseView

    def __init__(self, ctx: StationContext, seeker: HouseholdView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.seeker = ctx, seeker
        self.setWindowTitle(tr("tracing.ui.form_title"))
        form = QFormLayout(self)
        self.asker = QComboBox(self)
        for m in seeker.members:
            self.asker.addItem(f"{m.name_lat.full() or m.name_ar.full()}", m.id)
        form.addRow(tr("tracing.ui.asked_by") + f" ({seeker.registration_number})", self.asker)
        row_lat, self.names_lat = _four(self)
        row_ar, self.names_ar = _four(self)
        form.addRow(QLabel(tr("tracing.ui.sought"), self))
        form.addRow(tr("tracing.ui.names_lat"), row_lat)
        form.addRow(tr("tracing.ui.names_ar"), row_ar)
        self.sex = QComboBox(self)
        for code in ("X", "F", "M"):
            self.sex.addItem(tr(f"code.sex.{code}"), code)
        form.addRow(tr("tracing.ui.sex"), self.sex)
        self.age = QSpinBox(self)
        self.age.setRange(NO_AGE, 120)
        self.age.setSpecialValueText("?")
        self.age.setValue(NO_AGE)
        form.addRow(tr("tracing.ui.age"), self.age)
        self.origin = QLineEdit(self)
        form.addRow(tr("tracing.ui.origin"), self.origin)
        self.last_seen_place = QLineEdit(self)
        form.addRow(tr("tracing.ui.last_seen_place"), self.last_seen_place)
        self.last_seen_known = QCheckBox(self)
        self.last_seen_on = QDateEdit(self)
        self.last_seen_on.setCalendarPopup(True)
        self.last_seen_on.setDate(QDate.currentDate())
        seen = QHBoxLayout()
        seen.addWidget(self.last_seen_known)
        seen.addWidget(self.last_seen_on, 1)
        form.addRow(tr("tracing.ui.last_seen_on"), seen)
        self.circumstances = QPlainTextEdit(self)
        self.circumstances.setFixedHeight(60)
        form.addRow(tr("tracing.ui.circumstances"), self.circumstances)
        self.consent = QCheckBox(tr("tracing.ui.consent"), self)
        form.addRow(self.consent)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QDialogButtonBox(self)
        self.save_btn = buttons.addButton(tr("tracing.ui.save"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(tr("tracing.ui.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.names_lat[0].setFocus()

    def draft(self) -> CaseDraft:
        def four(edits: list[QLineEdit]) -> tuple[str, str, str, str]:
            a, b, c, d = (e.text().strip() for e in edits)
            return a, b, c, d

        seen = self.last_seen_on.date().toPython() if self.last_seen_known.isChecked() else None
        return CaseDraft(
            self.seeker.id, four(self.names_ar), four(self.names_lat), str(self.sex.currentData()),
            age_years=None if self.age.value() == NO_AGE else self.age.value(), origin=self.origin.text(),
            last_seen_place=self.last_seen_place.text(), last_seen_on=seen,  # type: ignore[arg-type]
            circumstances=self.circumstances.toPlainText(), seeker_individual_id=str(self.asker.currentData() or ""),
            consent_to_share=self.consent.isChecked())

    def save(self) -> None:
        try:
            with self.ctx.db.uow() as uow:
                case: CaseView = tracing.open_case(uow, self.ctx.actor, self.draft())
        except StationError as exc:
            self.error.setText(exc.message())
            return
        self.case_opened.emit(case)
        self.accept()
