"""The register panel: a search box (number, any name part in either script, origin) over today's list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import (
    QDate,
    QLocale,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from station.domain.model import HouseholdSummary
from station.i18n import tr
from ui.records.register_model import RegisterModel
from ui.widgets.field import force_left_to_right
from ui.widgets.portrait import PortraitLabel

# Widest expected content per column (registration number with the ≈ mark, day and time, names...).
_WIDEST = ((RegisterModel.COL_NUMBER, "≈ MKH-02-000000-X"), (RegisterModel.COL_ARRIVED, "00/00 00:00"),
           (RegisterModel.COL_HEAD_AR, "م" * 26), (RegisterModel.COL_HEAD_LAT, "M" * 22),
           (RegisterModel.COL_SIZE, "000"), (RegisterModel.COL_ORIGIN, "M" * 22))


class RegisterView(QWidget):
    open_requested = Signal(str)  # household id
    selected = Signal(str)  # household id of the highlighted row (shows the head's portrait)
    search_changed = Signal(str)  # typed text, once the typing pauses
    search_submitted = Signal(str)  # Return in the search box: search now, open the household if it is the only one
    day_changed = Signal(object)  # datetime.date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RegisterModel()
        # The table shows the model itself: it sorts in place (households found only by another spelling last).
        # A QSortFilterProxyModel in between doubled the CPU time of every paint (its mapping for each cell and
        # role) and rebuilt its mapping on each new list. `proxy` stays as a name for the table's model.
        self.proxy = self.model
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.day = QDateEdit(self)
        self.day.setCalendarPopup(True)
        self.day.setLocale(QLocale.c())
        force_left_to_right(self.day)  # before the format: Qt reverses date sections set while right-to-left
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setDate(QDate.currentDate())
        self.count = QLabel(self)
        self.count.setWordWrap(True)  # "2,000 households found, the first 50 shown: ..." wraps, never widens the panel
        self.table = _Table(self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the search's ranking
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Fixed row heights and interactive column widths set once from the font: ResizeToContents measured
        # every cell of every row on each refresh (ten times the cost of the search itself at 2,000 rows).
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self._set_column_widths()
        self.table.activated.connect(self._on_table_activated)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.portrait = PortraitLabel(self, width=90)
        self.portrait.set_blank()  # nobody highlighted yet
        self.table.doubleClicked.connect(self._on_table_activated)
        self._after_paint: list[Callable[[], None]] = []  # see after_next_paint
        self._after_paint_fallback = QTimer(self)
        self._after_paint_fallback.setSingleShot(True)
        self._after_paint_fallback.timeout.connect(self._run_after_paint)
        self.table.painted.connect(self._on_table_painted)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(180)
        self._debounce.timeout.connect(lambda: self.search_changed.emit(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._on_search_return)
        self.day.dateChanged.connect(lambda d: self.day_changed.emit(d.toPython()))
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.day)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(top)
        box.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.portrait)
        box.addLayout(bottom)
        self.retranslate()

    def _set_column_widths(self) -> None:
        metrics = self.table.fontMetrics()
        for col, sample in _WIDEST:
            self.table.setColumnWidth(col, metrics.horizontalAdvance(sample) + 16)

    def retranslate(self) -> None:
        self.search.setPlaceholderText(tr("ui.register.search_placeholder"))
        self.model.retranslate()
        self.update_count()

    def set_rows(self, rows: list[HouseholdSummary], searching: bool, total: int | None = None,
                 more_coming: bool = False, capped: bool = False) -> None:
        """Show rows; `total`: how many households match in all, when only the first page is shown (`capped`:
        counting stopped there, more match); `more_coming`: the first page of a day's list, the rest follows
        (extend_rows), the count with it."""
        self.model.set_rows(rows)
        if not self.table.currentIndex().isValid():  # the highlighted household is gone with the old list
            self.portrait.set_blank()
        self._searching = searching
        self._total = total
        self._capped = capped
        self._more_coming = more_coming
        self.update_count()

    def extend_rows(self, rows: list[HouseholdSummary]) -> None:
        """The whole list whose first page is shown: the rest is added below it."""
        self.model.extend(rows)
        self._more_coming = False
        self.update_count()

    def update_count(self) -> None:
        if getattr(self, "_more_coming", False):
            self.count.clear()  # not known yet: the rest of the day's list is on its way
            return
        shown = len(self.model.rows)
        if not getattr(self, "_searching", False):
            self.count.setText(tr("ui.register.today_count", n=shown))
            return
        total = max(shown, getattr(self, "_total", None) or 0)
        if total > shown:  # a first page: say how many more match, and how to narrow them
            key = "ui.register.found_page_capped" if getattr(self, "_capped", False) else "ui.register.found_page"
            self.count.setText(tr(key, n=total, shown=shown))
        else:
            self.count.setText(tr("ui.register.found", n=total))

    def selected_day(self) -> date:
        value = self.day.date().toPython()
        assert isinstance(value, date)
        return value

    def _on_table_activated(self, index: object) -> None:
        hid = self.model.data(index, RegisterModel.ID_ROLE)  # type: ignore[arg-type]
        if hid:
            self.open_requested.emit(hid)

    def _on_current_row_changed(self, current: object, _previous: object) -> None:
        hid = self.model.data(current, RegisterModel.ID_ROLE)  # type: ignore[arg-type]
        if hid:
            self.selected.emit(hid)

    def show_portrait(self, jpeg: bytes | None) -> None:
        self.portrait.set_jpeg(jpeg)

    def after_next_paint(self, call: Callable[[], None], fallback_ms: int = 250) -> None:
        """`call` once, right after the table's next paint (or after `fallback_ms` if nothing paints: a hidden
        window). A worker started then does not slow that paint: the paint calls the model in Python for every
        cell, and a worker running Python meanwhile made each of those calls wait for the interpreter's lock."""
        self._after_paint.append(call)
        self._after_paint_fallback.start(fallback_ms)

    def _on_table_painted(self) -> None:
        if self._after_paint:
            QTimer.singleShot(0, self, self._run_after_paint)  # a timer: runs once this paint is done

    def _run_after_paint(self) -> None:
        calls, self._after_paint = self._after_paint, []
        self._after_paint_fallback.stop()
        for call in calls:
            call()

    def _on_search_return(self) -> None:
        self._debounce.stop()
        self.search_submitted.emit(self.search.text())  # the result comes later (read off the GUI thread)


class _Table(QTableView):
    """The register's table; says when it has painted (RegisterView.after_next_paint). A signal from its own
    paint rather than an event filter on the viewport: that filter was the view itself, the viewport's
    ancestor, and Qt can call a parent's filter while the parent is being destroyed."""

    painted = Signal()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.emit()
