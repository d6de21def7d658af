"""Audit trail browser for supervisors: filter by who, what, record and dates; page; check the chain."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from station.domain.roles import Permission
from station.errors import StationError
from station.i18n import tr
from station.services import audit
from station.services.audit import AuditFilter
from station.services.authz import require
from ui.audit.model import AuditTableModel, context_loader


class AuditDialog(QDialog):
    """Open with a signed-in StationContext whose actor may VIEW_AUDIT (the core refuses anyone else)."""

    def __init__(self, ctx: Any, parent: QWidget | None = None, page_size: int = 100) -> None:
        super().__init__(parent)
        require(ctx.actor, Permission.VIEW_AUDIT)
        self._ctx = ctx
        self.setWindowTitle(tr("audit.dialog.title"))
        self.resize(1100, 640)
        self.model = AuditTableModel(context_loader(ctx), page_size, self)
        self.actor = QComboBox(self)
        self.action = QComboBox(self)
        for combo in (self.actor, self.action):
            combo.setEditable(True)
            combo.setMinimumContentsLength(14)
        self.entity = QLineEdit(self)
        self.since, self.until = QDateEdit(self), QDateEdit(self)
        for d in (self.since, self.until):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
            d.setSpecialValueText(tr("audit.filter.any"))
            d.setMinimumDate(QDate(2000, 1, 1))
            d.setDate(d.minimumDate())  # the minimum shows as "(any)"
        self.apply = QPushButton(tr("audit.filter.apply"), self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.prev, self.next = QPushButton(tr("audit.prev"), self), QPushButton(tr("audit.next"), self)
        self.page_label = QLabel(self)
        self.verify_button = QPushButton(tr("audit.verify"), self)
        self.verify_result = QLabel(self)
        self.verify_result.setWordWrap(True)

        filters = QHBoxLayout()
        for key, w in (("audit.filter.actor", self.actor), ("audit.filter.action", self.action),
                       ("audit.filter.entity", self.entity), ("audit.filter.since", self.since),
                       ("audit.filter.until", self.until)):
            filters.addWidget(QLabel(tr(key), self))
            filters.addWidget(w)
        filters.addWidget(self.apply)
        paging = QHBoxLayout()
        paging.addWidget(self.verify_button)
        paging.addWidget(self.verify_result, 1)
        paging.addWidget(self.prev)
        paging.addWidget(self.page_label)
        paging.addWidget(self.next)
        box = QVBoxLayout(self)
        box.addLayout(filters)
        box.addWidget(self.table, 1)
        box.addLayout(paging)

        self.apply.clicked.connect(self._on_apply_clicked)
        self.entity.returnPressed.connect(self._on_apply_clicked)
        self.prev.clicked.connect(self._on_prev_clicked)
        self.next.clicked.connect(self._on_next_clicked)
        self.verify_button.clicked.connect(self._on_verify_clicked)
        self._fill_choices()
        self.model.refresh(AuditFilter())
        self._update_paging()

    def _fill_choices(self) -> None:
        with self._ctx.db.reader() as uow:
            actors, actions, _stations = audit.known_values(uow, self._ctx.actor)
        self.actor.addItem("")
        self.actor.addItems(actors)
        prefixes = sorted({a.split(".")[0] + "." for a in actions if "." in a})
        self.action.addItem("")
        self.action.addItems(prefixes + actions)

    def current_filter(self) -> AuditFilter:
        def day(w: QDateEdit) -> date | None:
            value = w.date().toPython()
            return value if isinstance(value, date) and w.date() != w.minimumDate() else None

        return AuditFilter(actor=self.actor.currentText().strip(), action=self.action.currentText().strip(),
                           entity_id=self.entity.text().strip(), since=day(self.since), until=day(self.until))

    def _update_paging(self) -> None:
        page = self.model.page
        first = page.offset + 1 if page.events else 0
        self.page_label.setText(tr("audit.page", first=first, last=page.offset + len(page.events), total=page.total))
        self.prev.setEnabled(page.offset > 0)
        self.next.setEnabled(page.has_more)

    def _on_apply_clicked(self) -> None:
        self.model.refresh(self.current_filter())
        self._update_paging()

    def _on_prev_clicked(self) -> None:
        self.model.previous_page()
        self._update_paging()

    def _on_next_clicked(self) -> None:
        self.model.next_page()
        self._update_paging()

    def _on_verify_clicked(self) -> None:
        try:
            with self._ctx.db.reader() as uow:
                reports = audit.verify(uow, self._ctx.actor)
        except StationError as exc:
            self.verify_result.setText(exc.message())
            return
        ok = all(r.ok for r in reports)
        self.verify_result.setStyleSheet("" if ok else "color: #b00020; font-weight: bold;")
        self.verify_result.setText("\n".join(audit.describe(r) for r in reports) or tr("audit.verify.empty"))
        self.verify_result.setAlignment(Qt.AlignmentFlag.AlignVCenter)
