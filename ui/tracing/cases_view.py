"""Tracing cases for supervisors: a searchable list (any name part in either script, place, registration
number), active cases only or all, with the number of possible matches waiting on each."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget

from station.domain.tracing import CaseStatus, CaseView
from station.i18n import tr
from station.services import tracing
from station.services.station import StationContext

COLUMNS = ("status", "sought", "seeker", "last_seen", "alerts", "opened")
Index = QModelIndex | QPersistentModelIndex


class CasesModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cases: list[CaseView] = []

    def set_cases(self, cases: list[CaseView]) -> None:
        self.beginResetModel()
        self.cases = list(cases)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.cases)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(f"tracing.ui.col_{COLUMNS[section]}")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        c = self.cases[index.row()]
        col = COLUMNS[index.column()]
        if col == "status":
            return tr(f"tracing.status.{c.status.value}")
        if col == "sought":
            return c.sought_name()
        if col == "seeker":
            return c.seeker_registration_number
        if col == "last_seen":
            return " · ".join(x for x in (c.last_seen_place, c.last_seen_on.isoformat() if c.last_seen_on else "") if x)
        if col == "alerts":
            return str(c.open_alerts) if c.open_alerts else ""
        return f"{c.created_at:%Y-%m-%d}"


class CasesDialog(QDialog):
    def __init__(self, ctx: StationContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("tracing.ui.cases_title"))
        self.resize(900, 500)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(tr("tracing.ui.search"))
        self.search.textChanged.connect(self.refresh)
        self.active_only = QCheckBox(tr("tracing.ui.only_active"), self)
        self.active_only.setChecked(True)
        self.active_only.toggled.connect(self.refresh)
        self.alerts_btn = QPushButton(tr("tracing.ui.alerts_title"), self)
        self.alerts_btn.clicked.connect(self._on_alerts_clicked)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.active_only)
        top.addWidget(self.alerts_btn)
        self.model = CasesModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.refresh()

    def refresh(self) -> None:
        statuses = [CaseStatus.OPEN, CaseStatus.POSSIBLE_MATCH] if self.active_only.isChecked() else []
        with self.ctx.db.reader() as uow:
            self.model.set_cases(tracing.list_cases(uow, self.ctx.actor, statuses, self.search.text()))

    def _on_alerts_clicked(self) -> None:
        from ui.tracing.alerts_dialog import AlertsDialog

        AlertsDialog(self.ctx, self).exec()
        self.refresh()
