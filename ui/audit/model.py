"""Table model over one page of audit events (newest first), with filter and paging state.

Times are shown in the station's time zone, which the "When" header names; day filters are days of
that calendar (station.clock).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from station import clock
from station.i18n import tr
from station.services import audit
from station.services.audit import AuditEvent, AuditFilter, AuditPage

COL_AT, COL_STATION, COL_SEQ, COL_ACTOR, COL_ACTION, COL_ENTITY, COL_DETAILS = range(7)
_HEADERS = ("audit.col.at", "audit.col.station", "audit.col.seq", "audit.col.actor", "audit.col.action",
            "audit.col.entity", "audit.col.details")
EVENT_ROLE = Qt.ItemDataRole.UserRole + 1
DETAILS_PREVIEW = 160

Loader = Callable[[AuditFilter, int, int], AuditPage]


def context_loader(ctx: Any) -> Loader:
    """A loader over a signed-in StationContext (the core checks VIEW_AUDIT on every page)."""
    def load(flt: AuditFilter, offset: int, limit: int) -> AuditPage:
        with ctx.db.reader() as uow:
            return audit.browse(uow, ctx.actor, flt, offset=offset, limit=limit)
    return load


class AuditTableModel(QAbstractTableModel):
    def __init__(self, loader: Loader, page_size: int = 100, parent: Any = None, zone: tzinfo | None = None) -> None:
        super().__init__(parent)
        self.zone = zone or clock.station_zone()
        self._load = loader
        self.page_size = page_size
        self.filter = AuditFilter()
        self.page = AuditPage((), 0, 0, page_size)

    # paging and filtering

    def refresh(self, flt: AuditFilter | None = None, offset: int | None = None) -> None:
        if flt is not None:
            self.filter = flt if flt.zone is not None else dataclasses.replace(flt, zone=self.zone)
            offset = 0
        offset = self.page.offset if offset is None else offset
        page = self._load(self.filter, max(0, offset), self.page_size)
        self.beginResetModel()
        self.page = page
        self.endResetModel()

    def next_page(self) -> None:
        if self.page.has_more:
            self.refresh(offset=self.page.offset + self.page_size)

    def previous_page(self) -> None:
        if self.page.offset > 0:
            self.refresh(offset=self.page.offset - self.page_size)

    def event_at(self, row: int) -> AuditEvent:
        return self.page.events[row]

    # Qt model

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.page.events)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == COL_AT:
                return tr(_HEADERS[section], zone=clock.zone_label(self.zone))
            return tr(_HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.page.events[index.row()]
        if role == EVENT_ROLE:
            return e
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == COL_AT:
                return clock.to_local(e.at, self.zone).strftime("%Y-%m-%d %H:%M:%S")
            return self._text(e, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == COL_DETAILS:
            return json.dumps(e.details, ensure_ascii=False, indent=1, sort_keys=True)
        return None

    @staticmethod
    def _text(e: AuditEvent, col: int) -> str:
        if col == COL_STATION:
            return e.station
        if col == COL_SEQ:
            return str(e.seq)
        if col == COL_ACTOR:
            return e.actor
        if col == COL_ACTION:
            return e.action
        if col == COL_ENTITY:
            return f"{e.entity_type}:{e.entity_id}" if e.entity_id else e.entity_type
        text = json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else ""
        return text if len(text) <= DETAILS_PREVIEW else text[: DETAILS_PREVIEW - 1] + "…"
