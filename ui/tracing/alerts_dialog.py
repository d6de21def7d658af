"""Possible matches for a supervisor: the person sought and the person registered side by side, with the
portrait on file, the score and its reasons; confirm (the case is found, and the household asking is
told where) or dismiss (never raised again for this pair)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.domain.tracing import CaseView
from station.errors import StationError
from station.i18n import tr
from station.services import tracing
from station.services.photos import load_portrait
from station.services.station import StationContext
from ui.registration.duplicate_dialog import reasons_text
from ui.widgets.portrait import PortraitLabel


def _case_lines(c: CaseView) -> str:
    born = (f"~{c.birth_date.year}" if c.birth_estimated else c.birth_date.isoformat()) if c.birth_date else "?"
    seen = " · ".join(x for x in (c.last_seen_place, c.last_seen_on.isoformat() if c.last_seen_on else "") if x)
    return "\n".join(x for x in (" ".join(p for p in c.sought_lat if p), " ".join(p for p in c.sought_ar if p),
                                 f"{c.sex} · {born}", c.origin, seen, c.circumstances,
                                 f"{tr('tracing.ui.asked_by')}: {c.seeker_registration_number}") if x)


class AlertsDialog(QDialog):
    decided = Signal(object)  # the case after the decision (CaseView)

    def __init__(self, ctx: StationContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("tracing.ui.alerts_title"))
        self.alerts: list[tracing.AlertView] = []
        self.at = 0
        self.case_box = QGroupBox(self)
        self.case_text = QLabel(self.case_box)
        self.case_text.setWordWrap(True)
        cl = QVBoxLayout(self.case_box)
        cl.addWidget(self.case_text)
        cl.addStretch(1)
        self.found_box = QGroupBox(self)
        self.portrait = PortraitLabel(self.found_box)
        self.found_text = QLabel(self.found_box)
        self.found_text.setWordWrap(True)
        fl = QVBoxLayout(self.found_box)
        fl.addWidget(self.portrait)
        fl.addWidget(self.found_text)
        fl.addStretch(1)
        self.reasons = QLabel(self)
        self.reasons.setWordWrap(True)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(tr("tracing.ui.note"))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.confirm_btn = QPushButton(tr("tracing.ui.confirm"), self)
        self.dismiss_btn = QPushButton(tr("tracing.ui.dismiss"), self)
        self.next_btn = QPushButton(tr("tracing.ui.next"), self)
        self.confirm_btn.clicked.connect(self._on_confirm_clicked)
        self.dismiss_btn.clicked.connect(self._on_dismiss_clicked)
        self.next_btn.clicked.connect(self._on_next_clicked)
        sides = QHBoxLayout()
        sides.addWidget(self.case_box, 1)
        sides.addWidget(self.found_box, 1)
        buttons = QHBoxLayout()
        for b in (self.confirm_btn, self.dismiss_btn, self.next_btn):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(sides)
        layout.addWidget(self.reasons)
        layout.addWidget(self.note)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.reload()

    @property
    def current(self) -> tracing.AlertView | None:
        return self.alerts[self.at] if 0 <= self.at < len(self.alerts) else None

    def reload(self) -> None:
        with self.ctx.db.reader() as uow:
            self.alerts = tracing.list_alerts(uow, self.ctx.actor)
        self.at = min(self.at, max(0, len(self.alerts) - 1))
        self._show()

    def _show(self) -> None:
        a = self.current
        for b in (self.confirm_btn, self.dismiss_btn):
            b.setEnabled(a is not None)
        self.next_btn.setEnabled(len(self.alerts) > 1)
        if a is None:
            self.case_text.setText(tr("tracing.ui.no_alerts"))
            self.found_text.setText("")
            self.reasons.setText("")
            self.portrait.set_jpeg(None)
            return
        c = a.candidate
        self.case_box.setTitle(tr("tracing.ui.case_side", name=a.case.sought_name()))
        self.case_text.setText(_case_lines(a.case))
        self.found_box.setTitle(tr("tracing.ui.found_side", name=c.name_lat or c.name_ar, regno=c.registration_number))
        born = (f"~{c.birth_date.year}" if c.birth_estimated else c.birth_date.isoformat()) if c.birth_date else "?"
        self.found_text.setText("\n".join(x for x in (c.name_lat, c.name_ar, f"{c.sex} · {born}", c.origin) if x))
        self.reasons.setText(tr("tracing.ui.score", score=a.score) + " - " + reasons_text(a.reasons))
        with self.ctx.db.reader() as uow:
            self.portrait.set_jpeg(load_portrait(uow, self.ctx.actor, c.individual_id))
        self.note.clear()

    def _decide(self, confirm: bool) -> None:
        a = self.current
        if a is None:
            return
        try:
            with self.ctx.db.uow() as uow:
                if confirm:
                    case = tracing.confirm_alert(uow, self.ctx.actor, a.id, self.note.text())
                else:
                    case = tracing.dismiss_alert(uow, self.ctx.actor, a.id, self.note.text())
        except StationError as exc:
            self.message.setText(exc.message())
            return
        if confirm:
            text = tr("tracing.ui.found_tell", regno=case.seeker_registration_number,
                      where=f"{a.candidate.registration_number} ({self.ctx.actor.station})")
            self.message.setText(text if case.consent_to_share else text + "\n" + tr("tracing.ui.no_consent"))
        else:
            self.message.setText("")
        self.decided.emit(case)
        self.reload()

    def _on_confirm_clicked(self) -> None:
        self._decide(True)

    def _on_dismiss_clicked(self) -> None:
        self._decide(False)

    def _on_next_clicked(self) -> None:
        if self.alerts:
            self.at = (self.at + 1) % len(self.alerts)
            self._show()
