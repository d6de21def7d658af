"""Table model over household summaries (the register); tested without any view."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from station.domain.model import HouseholdSummary
from station.i18n import tr

Index = QModelIndex | QPersistentModelIndex



def _ltr(text: str) -> str:
    """Text shown left-to-right inside any paragraph direction (Unicode isolate LRI ... PDI)."""
    return f"\u2066{text}\u2069" if text else text

class RegisterModel(QAbstractTableModel):
    COL_NUMBER, COL_ARRIVED, COL_HEAD_AR, COL_HEAD_LAT, COL_SIZE, COL_ORIGIN, COL_STATUS = range(7)
    KEYS = ("regno", "arrived", "head_ar", "head_lat", "size", "origin", "status")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1
    APPROXIMATE_ROLE = Qt.ItemDataRole.UserRole + 2

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[HouseholdSummary] = []

    def set_rows(self, rows: list[HouseholdSummary]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def upsert(self, row: HouseholdSummary) -> int:
        """Insert a new household at the top, or refresh the one already listed; returns its row."""
        for i, existing in enumerate(self.rows):
            if existing.id == row.id:
                self.rows[i] = row
                self.dataChanged.emit(self.index(i, 0), self.index(i, self.columnCount() - 1))
                return i
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.rows.insert(0, row)
        self.endInsertRows()
        return 0

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.KEYS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(f"ui.col.{self.KEYS[section]}")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == self.ID_ROLE:
            return r.id
        if role == self.APPROXIMATE_ROLE:
            return r.approximate
        if role == Qt.ItemDataRole.DisplayRole:
            number = f"≈ {r.registration_number}" if r.approximate else r.registration_number
            # Dates and Latin names isolated left-to-right: in Arabic and Sorani they stay "01/12 10:07", and
            # a long Latin name is cut at its end, never at its start.
            return (number, _ltr(r.arrived_at.strftime("%d/%m %H:%M")), r.head_name_ar, _ltr(r.head_name_lat),
                    r.size, r.origin, tr(f"code.status.{r.status.value}"))[col]
        if r.approximate and role == Qt.ItemDataRole.FontRole:  # found by a sound-alike name: check it
            font = QFont()
            font.setItalic(True)
            return font
        if r.approximate and role == Qt.ItemDataRole.ToolTipRole:
            return tr("ui.register.approximate")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = Qt.AlignmentFlag
            if col == self.COL_HEAD_AR:  # absolute: Qt mirrors a plain AlignRight in a right-to-left window
                return int(align.AlignRight | align.AlignAbsolute | align.AlignVCenter)
            if col == self.COL_HEAD_LAT:
                return int(align.AlignLeft | align.AlignAbsolute | align.AlignVCenter)
            if col == self.COL_SIZE:
                return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return self.sort_key(r, col)
        return None

    @staticmethod
    def sort_key(r: HouseholdSummary, col: int) -> Any:
        return (r.registration_number, r.arrived_at, r.head_name_ar, r.head_name_lat, r.size, r.origin,
                r.status.value)[col]

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.columnCount() - 1))
