"""Hand out relief items to the open household: pick quantities, count it for the current round, record.

Keyboard first: the first quantity has focus, Tab walks the items, Enter records. Items the household
already received in the current round are shown as such and cannot be given twice (the core refuses it
too). A supervisor can open the next round from here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station import clock
from station.domain.codes import ReliefItem
from station.domain.model import HouseholdView
from station.domain.roles import Permission
from station.errors import StationError
from station.i18n import tn, tr
from station.services import distribution


def _isolate(text: str) -> str:
    return f"\u2068{text}\u2069"  # FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE


class DistributionDialog(QDialog):
    recorded = Signal(object)  # the round the hand-out counted for (int), or None outside rounds

    def __init__(self, ctx: Any, household: HouseholdView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._hh = ctx, household
        self.setWindowTitle(tr("distribution.title"))
        head = household.head
        who = (head.name_ar.full() or head.name_lat.full()) if head is not None else ""
        # Isolates keep an Arabic name and a Latin number from reordering the sentence around them.
        self.heading = QLabel(tr("distribution.heading", regno=_isolate(household.registration_number),
                                 name=_isolate(who), n=household.size), self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.round_label = QLabel(self)
        self.in_round = QCheckBox(self)
        self.in_round.setObjectName("in_round")
        self.open_round = QPushButton(tr("distribution.open_round"), self)
        self.open_round.setObjectName("open_round")
        self.open_round.setVisible(ctx.actor.can(Permission.SET_ROUND))
        self.open_round.setAutoDefault(False)
        self.open_round.clicked.connect(self._ask_round)

        self.quantities: dict[ReliefItem, QSpinBox] = {}
        self.given_note: dict[ReliefItem, QLabel] = {}
        grid = QGridLayout()
        half = (len(ReliefItem) + 1) // 2
        for i, item in enumerate(ReliefItem):  # two columns of items, read down the first then the second
            spin = QSpinBox(self)
            spin.setObjectName(f"qty_{item.value}")
            spin.setRange(0, distribution.MAX_QUANTITY)
            spin.setMaximumWidth(90)
            label = QLabel(tr(f"code.relief.{item.value}"), self)
            label.setWordWrap(True)
            label.setBuddy(spin)
            note = QLabel(self)
            note.setStyleSheet("color: #8a5a00;")
            note.setWordWrap(True)
            row, col = (2 * (i % half), 3 * (i // half))
            grid.addWidget(label, row, col)
            grid.addWidget(spin, row, col + 1)
            grid.addWidget(note, row + 1, col, 1, 2)
            self.quantities[item], self.given_note[item] = spin, note
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(2, 24)
        grid.setVerticalSpacing(4)

        self.history = QTableWidget(0, 5, self)
        self.history.setObjectName("history")
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.history.verticalHeader().setVisible(False)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020; font-weight: bold;")
        buttons = QDialogButtonBox(self)
        self.record = buttons.addButton(tr("distribution.record"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.record.setDefault(True)
        buttons.addButton(tr("distribution.close"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._record)
        buttons.rejected.connect(self.reject)

        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addWidget(self.round_label)
        box.addWidget(self.in_round)
        box.addWidget(self.open_round, 0, Qt.AlignmentFlag.AlignLeading)
        box.addLayout(grid)
        box.addWidget(QLabel(tr("distribution.history"), self))
        box.addWidget(self.history, 1)
        box.addWidget(self.message)
        box.addWidget(buttons)
        self.resize(680, 600)
        self._refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.quantities[ReliefItem.WATER].setFocus()  # the clerk types quantities straight away

    # --- state ---------------------------------------------------------------------------------------
    def _refresh(self) -> None:
        with self._ctx.db.reader() as uow:
            self._round = distribution.current_round(uow)
            handouts = distribution.history(uow, self._ctx.actor, self._hh.id)
        self._handouts = handouts
        if self._round is None:
            self.round_label.setText(tr("distribution.no_round"))
            self.in_round.setText(tr("distribution.in_round_none"))
            self.in_round.setChecked(False)
            self.in_round.setEnabled(False)
        else:
            self.round_label.setText(tr("distribution.round_now", round=self._round))
            self.in_round.setText(tr("distribution.in_round", round=self._round))
            self.in_round.setEnabled(True)
            self.in_round.setChecked(True)
        given = {h.item for h in handouts if self._round is not None and h.round_no == self._round}
        for item, spin in self.quantities.items():
            note = self.given_note[item]
            note.setText(tr("distribution.already", round=self._round) if item in given else "")
            note.setVisible(item in given)
            spin.setEnabled(item not in given)
            spin.setValue(0)
        zone = clock.station_zone(self._ctx.home)  # the station's zone setting, never the computer's unlabelled
        self.history.setHorizontalHeaderLabels([tr("distribution.col.at", zone=clock.zone_label(zone))] + [
            tr(f"distribution.col.{c}") for c in ("item", "quantity", "round", "by")])
        self.history.setRowCount(len(handouts))
        for r, h in enumerate(handouts):
            at = clock.to_local(h.at, zone).strftime("%Y-%m-%d %H:%M")
            cells = (at, tr(f"code.relief.{h.item.value}"), str(h.quantity),
                     "—" if h.round_no is None else str(h.round_no), f"{h.by} ({h.station})")
            for c, text in enumerate(cells):
                self.history.setItem(r, c, QTableWidgetItem(text))

    def _chosen(self) -> dict[ReliefItem, int]:
        return {item: spin.value() for item, spin in self.quantities.items() if spin.isEnabled() and spin.value()}

    # --- actions -------------------------------------------------------------------------------------
    def _record(self) -> None:
        chosen = self._chosen()
        if not self.in_round.isChecked() and not self._confirm_repeats(chosen):
            return
        try:
            with self._ctx.db.uow() as uow:
                counted = distribution.record_handout(uow, self._ctx.actor, self._hh.id, chosen,
                                                      in_round=self.in_round.isChecked())
        except StationError as exc:
            self.message.setText(exc.message())
            return
        self.recorded.emit(counted)
        self.accept()

    def _confirm_repeats(self, chosen: dict[ReliefItem, int]) -> bool:
        """Outside a round nothing refuses a second hand-out: ask when the same item went out minutes ago."""
        repeats = distribution.recent_repeats(self._handouts, chosen, clock.utcnow())
        if not repeats:
            return True
        lines = "\n".join(tn("distribution.repeat_line", minutes, item=tr(f"code.relief.{item.value}"))
                          for item, minutes in repeats)
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        answer = QMessageBox.question(self, tr("distribution.title"), tr("distribution.repeat_ask", items=lines),
                                      yes | no, no)
        return answer == yes

    def _ask_round(self) -> None:
        start = (self._round or 0) + 1
        number, ok = QInputDialog.getInt(self, tr("distribution.open_round"), tr("distribution.open_round_ask"),
                                         start, 1, distribution.MAX_ROUND)
        if not ok:
            return
        try:
            with self._ctx.db.uow() as uow:
                distribution.open_round(uow, self._ctx.actor, number)
        except StationError as exc:
            self.message.setText(exc.message())
            return
        self.message.clear()
        self._refresh()
