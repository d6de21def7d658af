"""The household form's list of members: one row per member (names, sex, relationship, age, photo, needs)."""

from __future__ import annotations

from collections.abc import Sequence, Set
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from station import clock
from station.domain.model import HouseholdView, MemberDraft
from station.domain.validation import Problem
from station.i18n import tn, tr
from station.services.views import shown_needs

VISIBLE_MEMBER_ROWS = 6  # a 1366x768 laptop shows six members without scrolling the form


def member_draft_of(view: HouseholdView) -> list[MemberDraft]:
    return [
        MemberDraft(id=m.id, name_ar=m.name_ar, name_lat=m.name_lat, sex=m.sex, relationship=m.relationship,
                    birth_date=m.birth_date if not m.birth_date_estimated else None,
                    age_years=m.age_on(view.arrived_at.date()) if m.birth_date_estimated else None,
                    nationality=m.nationality, marital_status=m.marital_status, documents=m.documents,
                    needs=m.needs, field_sources=m.field_sources)
        for m in view.members
    ]


def age_text(m: MemberDraft, today: date) -> str:
    """Years; under two years, months; under two months, days ("6 days" for a baby born six days ago, not "0")."""
    if m.birth_date is None:
        return "" if m.age_years is None else f"~{m.age_years}"
    b = m.birth_date
    days = (today - b).days
    if days < 0:
        return ""
    months = (today.year - b.year) * 12 + today.month - b.month - (today.day < b.day)
    if months < 2:
        return tn("ui.age.days", days)
    if months < 24:
        return tn("ui.age.months", months)
    return str(months // 12)


def member_problems(problems: Sequence[Problem]) -> dict[int, list[Problem]]:
    """The problems of each member (by index in the list), named by field: "members[2].given_ar" -> 2, given_ar."""
    out: dict[int, list[Problem]] = {}
    for p in problems:
        if p.field.startswith("members["):
            end = p.field.index("]")
            out.setdefault(int(p.field[len("members["):end]), []).append(Problem(p.field[end + 2:], p.code))
    return out


class MemberTable(QTableWidget):
    """Read-only rows of the household's members; a double click (the form listens) edits one."""

    COLS = ("#", "name_ar", "name_lat", "sex", "relationship", "age", "photo", "needs")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLS), parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes form -> member fields -> buttons

    def height_for(self, rows: int) -> int:
        header = self.horizontalHeader().sizeHint().height()
        return header + rows * self.verticalHeader().defaultSectionSize() + 2 * self.frameWidth() + 2

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([tr(f"ui.col.{c}") if c != "#" else "#" for c in self.COLS])

    def show_members(self, members: Sequence[MemberDraft], photographed: Set[str], sees_protection: bool,
                     editing: int | None) -> None:
        # Columns fit their contents, measured once after the fill: left on ResizeToContents, every setItem
        # measured every column again (opening a household of six spent 30 ms in it).
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        try:
            self._fill(members, photographed, sees_protection, editing)
        finally:
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def _fill(self, members: Sequence[MemberDraft], photographed: Set[str], sees_protection: bool,
              editing: int | None) -> None:
        self.setRowCount(len(members))
        today = clock.local_today()
        for r, m in enumerate(members):
            values = [str(r + 1), m.name_ar.full(), m.name_lat.full(), tr(f"code.sex.{m.sex.value}"),
                      tr(f"code.relationship.{m.relationship.value}"), age_text(m, today),
                      "✓" if m.id in photographed else "",
                      ", ".join(tr(f"code.need.{n.code.value}") for n in shown_needs(m.needs, sees_protection))]
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)
        if editing is not None:
            self.selectRow(editing)
        else:
            self.clearSelection()
