"""Table model over household summaries (the register); tested without any view."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from station import clock
from station.domain.model import HouseholdSummary
from station.i18n import tr

Index = QModelIndex | QPersistentModelIndex

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)  # plain ints: compared for every cell of every paint
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_A = Qt.AlignmentFlag
# per column; names absolute: Qt mirrors a plain AlignRight in a right-to-left window
_ALIGNMENT: tuple[int | None, ...] = (None, None, int(_A.AlignRight | _A.AlignAbsolute | _A.AlignVCenter),
                                      int(_A.AlignLeft | _A.AlignAbsolute | _A.AlignVCenter), int(_A.AlignCenter),
                                      None, None)


def _ltr(text: str) -> str:
    """Text shown left-to-right inside any paragraph direction (Unicode isolate LRI ... PDI)."""
    return f"\u2066{text}\u2069" if text else text


class RegisterModel(QAbstractTableModel):
    """The register's rows, sorted in place when a column is clicked (no proxy model in between).

    Painting asks for every visible cell and role through Python: a proxy in between doubled what a paint
    cost, and the cells' text (dates formatted, statuses translated) was rebuilt on every paint. Each row's
    text is now built once, the first time it is shown, and kept until the rows or the language change.
    """

    COL_NUMBER, COL_ARRIVED, COL_HEAD_AR, COL_HEAD_LAT, COL_SIZE, COL_ORIGIN, COL_STATUS = range(7)
    KEYS = ("regno", "arrived", "head_ar", "head_lat", "size", "origin", "status")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1
    APPROXIMATE_ROLE = Qt.ItemDataRole.UserRole + 2

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[HouseholdSummary] = []
        self._given: list[HouseholdSummary] = []  # the order they came in, for "no column sorted"
        self._cells: list[tuple[object, ...] | None] = []  # each row's display text, built when first shown
        self._sort_column = -1  # -1: the order given (the search's ranking, the day's newest first)
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._italic = QFont()
        self._italic.setItalic(True)

    def set_rows(self, rows: list[HouseholdSummary]) -> None:
        self.beginResetModel()
        self._given = list(rows)
        self.rows = self._sorted(self._given)
        self._cells = [None] * len(self.rows)
        self.endResetModel()

    def extend(self, rows: list[HouseholdSummary]) -> None:
        """Show `rows`, which continue the rows shown (the rest of a list whose first page is shown): the
        new ones are added at the end, so the current row, the selection and the scrolling stay. Rows that
        do not continue them (the list changed in between) are shown afresh."""
        shown = len(self._given)
        if len(rows) < shown or any(a.id != b.id for a, b in zip(self._given, rows, strict=False)):
            self.set_rows(rows)
            return
        if len(rows) == shown:
            return
        rest = rows[shown:]
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rest) - 1)
        self._given += rest
        self.rows += rest
        self._cells += [None] * len(rest)
        self.endInsertRows()
        if self._sort_column >= 0:  # a clicked column keeps its order
            self.sort(self._sort_column, self._sort_order)

    def upsert(self, row: HouseholdSummary) -> int:
        """Insert a new household at the top, or refresh the one already listed; returns its row."""
        for i, existing in enumerate(self.rows):
            if existing.id == row.id:
                self.rows[i] = row
                self._given = [row if g.id == row.id else g for g in self._given]
                self._cells[i] = None
                self.dataChanged.emit(self.index(i, 0), self.index(i, self.columnCount() - 1))
                return i
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.rows.insert(0, row)
        self._given.insert(0, row)
        self._cells.insert(0, None)
        self.endInsertRows()
        if self._sort_column >= 0:  # a clicked column keeps its order: the new row goes to its place
            self.sort(self._sort_column, self._sort_order)
            return next(i for i, r in enumerate(self.rows) if r.id == row.id)
        return 0

    # sorting ---------------------------------------------------------------------------------------
    def _sorted(self, rows: list[HouseholdSummary]) -> list[HouseholdSummary]:
        """Rows in the clicked column's order (none clicked: as given); households found only by another
        spelling always come last."""
        if self._sort_column < 0:
            return list(self._given)
        col = self._sort_column
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        ordered = sorted(rows, key=lambda r: self.sort_key(r, col), reverse=descending)  # stable both ways
        return sorted(ordered, key=lambda r: r.approximate)  # exact first, whichever the direction

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = (column if 0 <= column < len(self.KEYS) else -1), order
        before = {r.id: i for i, r in enumerate(self.rows)}
        if len(before) != len(self.rows):  # the same household twice: no row to follow, show it afresh
            self.set_rows(self._given)
            return
        self.layoutAboutToBeChanged.emit()
        cells = dict(zip((r.id for r in self.rows), self._cells, strict=True))
        self.rows = self._sorted(self.rows)
        self._cells = [cells[r.id] for r in self.rows]
        after = {r.id: i for i, r in enumerate(self.rows)}
        moved = {before[hid]: i for hid, i in after.items()}
        old = self.persistentIndexList()  # the selection and the current row follow their household
        self.changePersistentIndexList(old, [self.index(moved[ix.row()], ix.column()) for ix in old])
        self.layoutChanged.emit()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.KEYS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(f"ui.col.{self.KEYS[section]}")
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole \
                and section == self.COL_ARRIVED:
            return clock.zone_label()  # times are the station's local time: say which zone
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()  # an invalid index has row -1
        if not 0 <= row < len(self.rows):
            return None
        if role == _DISPLAY:  # the most asked role first: every visible cell, every paint
            cells = self._cells[row]
            if cells is None:
                cells = self._cells[row] = self._display(self.rows[row])
            return cells[index.column()]
        if role == _ALIGN:
            return _ALIGNMENT[index.column()]
        r = self.rows[row]
        if role == self.ID_ROLE:
            return r.id
        if role == self.APPROXIMATE_ROLE:
            return r.approximate
        if r.approximate and role == Qt.ItemDataRole.FontRole:  # found by a sound-alike name: check it
            return self._italic
        if r.approximate and role == Qt.ItemDataRole.ToolTipRole:
            return tr("ui.register.approximate")
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return self.sort_key(r, index.column())
        return None

    @staticmethod
    def _display(r: HouseholdSummary) -> tuple[object, ...]:
        number = f"≈ {r.registration_number}" if r.approximate else r.registration_number
        # Dates and Latin names isolated left-to-right: in Arabic and Sorani they stay "01/12 10:07", and
        # a long Latin name is cut at its end, never at its start.
        return (number, _ltr(r.arrived_at.strftime("%d/%m %H:%M")), r.head_name_ar, _ltr(r.head_name_lat),
                r.size, r.origin, tr(f"code.status.{r.status.value}"))

    @staticmethod
    def sort_key(r: HouseholdSummary, col: int) -> Any:
        return (r.registration_number, r.arrived_at, r.head_name_ar, r.head_name_lat, r.size, r.origin,
                r.status.value)[col]

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        self._cells = [None] * len(self.rows)  # statuses are translated text
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.columnCount() - 1))
