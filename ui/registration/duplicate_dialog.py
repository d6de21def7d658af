"""Registered before? Shown at save when a member looks like an earlier registration (same document, or
name + age + sex + origin): the member being saved beside the other household's record and portrait.

The clerk goes back to the form, links the two records (the same person: a supervisor merges the
households later), or saves anyway: "not the same person", remembered so the pair is not shown again;
with the same document number on file that needs a reason. The answers are recorded with the save
(station.services.duplicates.apply_decisions), so they are audited in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.domain.model import HouseholdDraft, MemberDraft, Origin
from station.i18n import tr
from station.services.duplicates import DuplicateDecision, Prechecked, check_household_duplicates
from station.services.matching import Candidate
from station.services.photos import load_portrait
from station.services.station import StationContext
from ui.widgets.portrait import PortraitLabel

BACK, SAME, DIFFERENT = "back", "same", "different"


def reasons_text(reasons: Sequence[tuple[str, int]]) -> str:
    # n: the count of a plural reason ("1 person here shares this name"); value: a percent ("names 87% alike")
    return ", ".join(tr(f"tracing.reason.{code}", n=value, value=value) for code, value in reasons)


def _member_lines(m: MemberDraft, origin: Origin) -> str:
    born = m.birth_date.isoformat() if m.birth_date else (f"~{m.age_years}" if m.age_years is not None else "?")
    docs = ", ".join(f"{d.doc_type.value} {d.number}" for d in m.documents)
    return "\n".join(x for x in (m.name_lat.full(), m.name_ar.full(), f"{m.sex.value} · {born}", origin.text(), docs)
                     if x)


def _candidate_lines(c: Candidate) -> str:
    born = (f"~{c.birth_date.year}" if c.birth_estimated else c.birth_date.isoformat()) if c.birth_date else "?"
    return "\n".join(x for x in (tr("duplicates.ui.other", regno=c.registration_number, status=c.household_status),
                                 c.name_lat, c.name_ar, f"{c.sex} · {born}", c.origin,
                                 tr("tracing.ui.score", score=c.score), reasons_text(c.reasons)) if x)


class DuplicateDialog(QDialog):
    """One member and its likely earlier registrations; `choice` is BACK, SAME or DIFFERENT afterwards."""

    def __init__(self, member: MemberDraft, origin: Origin, candidates: Sequence[Candidate],
                 portraits: Callable[[str], bytes | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("duplicates.ui.title"))
        self.candidates = list(candidates)
        self.choice = BACK
        self.reason = ""
        self._portraits = portraits
        self.needs_reason = any(code == "same_document" for c in candidates for code, _ in c.reasons)
        intro = QLabel(tr("duplicates.ui.intro", name=member.name_lat.full() or member.name_ar.full()), self)
        intro.setWordWrap(True)
        mine = QGroupBox(tr("duplicates.ui.this_member"), self)
        mine_layout = QVBoxLayout(mine)
        mine_layout.addWidget(PortraitLabel(mine))
        self.mine_text = QLabel(_member_lines(member, origin), mine)
        self.mine_text.setWordWrap(True)
        mine_layout.addWidget(self.mine_text)
        mine_layout.addStretch(1)
        other = QGroupBox(tr("duplicates.ui.candidate", i=1, n=len(self.candidates)), self)
        self.other_box = other
        other_layout = QVBoxLayout(other)
        self.portrait = PortraitLabel(other)
        other_layout.addWidget(self.portrait)
        self.other_text = QLabel(other)
        self.other_text.setWordWrap(True)
        other_layout.addWidget(self.other_text)
        other_layout.addStretch(1)
        self.list = QListWidget(self)
        for c in self.candidates:
            self.list.addItem(f"{c.registration_number} · {c.name_lat or c.name_ar} · {c.score}")
        self.list.setVisible(len(self.candidates) > 1)
        self.list.currentRowChanged.connect(self._on_list_row_changed)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText(tr("duplicates.ui.reason"))
        self.reason_edit.textChanged.connect(self._refresh_buttons)
        self.hint = QLabel(tr("duplicates.ui.reason_needed") if self.needs_reason else "", self)
        self.hint.setWordWrap(True)
        self.back_btn = QPushButton(tr("duplicates.ui.back"), self)
        self.link_btn = QPushButton(tr("duplicates.ui.link"), self)
        self.save_btn = QPushButton(tr("duplicates.ui.save_anyway"), self)
        self.back_btn.setDefault(True)  # Enter never saves a duplicate by accident
        self.back_btn.clicked.connect(self.reject)
        self.link_btn.clicked.connect(lambda: self._finish(SAME))
        self.save_btn.clicked.connect(lambda: self._finish(DIFFERENT))
        sides = QHBoxLayout()
        sides.addWidget(mine, 1)
        sides.addWidget(other, 1)
        buttons = QHBoxLayout()
        for b in (self.back_btn, self.link_btn, self.save_btn):
            buttons.addWidget(b)
        layout = QGridLayout(self)
        layout.addWidget(intro, 0, 0)
        layout.addWidget(self.list, 1, 0)
        layout.addLayout(sides, 2, 0)
        layout.addWidget(self.hint, 3, 0)
        layout.addWidget(self.reason_edit, 4, 0)
        layout.addLayout(buttons, 5, 0)
        self.list.setCurrentRow(0)
        self._on_list_row_changed(0)
        self._refresh_buttons()

    @property
    def chosen(self) -> Candidate:
        return self.candidates[max(0, self.list.currentRow())]

    def _on_list_row_changed(self, row: int) -> None:
        if not 0 <= row < len(self.candidates):
            return
        c = self.candidates[row]
        self.other_box.setTitle(tr("duplicates.ui.candidate", i=row + 1, n=len(self.candidates)))
        self.other_text.setText(_candidate_lines(c))
        self.portrait.set_jpeg(self._portraits(c.individual_id))

    def _refresh_buttons(self) -> None:
        self.save_btn.setEnabled(not self.needs_reason or bool(self.reason_edit.text().strip()))

    def _finish(self, choice: str) -> None:
        self.choice, self.reason = choice, self.reason_edit.text().strip()
        self.accept()

    def decisions(self, position: int) -> list[DuplicateDecision]:
        if self.choice == SAME:
            return [DuplicateDecision(position, self.chosen.individual_id, SAME, self.reason)]
        if self.choice == DIFFERENT:
            return [DuplicateDecision(position, c.individual_id, DIFFERENT, self.reason) for c in self.candidates]
        return []


def resolve_duplicates(parent: QWidget | None, ctx: StationContext, draft: HouseholdDraft,
                       prechecked: Prechecked | None = None,
                       saved: HouseholdDraft | None = None) -> list[DuplicateDecision] | None:
    """Check the household about to be saved (members in `prechecked`, checked as they were typed, and
    members unchanged since the household was loaded as `saved` are not checked again); ask about each
    member with likely earlier registrations. Returns the answers to record with the save, or None when
    the clerk went back to the form."""
    with ctx.db.reader() as uow:
        found = check_household_duplicates(uow, ctx.actor, draft, prechecked=prechecked, saved=saved)
        portraits = {c.individual_id: load_portrait(uow, ctx.actor, c.individual_id)
                     for md in found for c in md.candidates}
    decisions: list[DuplicateDecision] = []
    for md in found:
        dialog = DuplicateDialog(draft.members[md.position - 1], draft.origin, md.candidates, portraits.get, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.choice == BACK:
            return None
        decisions.extend(dialog.decisions(md.position))
    return decisions
