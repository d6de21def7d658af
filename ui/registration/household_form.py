"""The household form: arrival and origin, the list of members, and the member editor below it.

Enter in the member editor adds that member and starts the next; Ctrl+S saves the household (the main
window calls the core service and answers with `show_saved` or `show_problems`).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station import clock
from station.domain.codes import Relationship
from station.domain.model import HouseholdDraft, HouseholdView, MemberDraft, Origin
from station.domain.validation import Problem
from station.i18n import tn, tr
from station.services.demo_names import ARRIVAL_POINTS, ORIGINS
from station.services.views import shown_needs
from ui.registration.choices import compact
from ui.registration.member_editor import MemberEditor
from ui.widgets.field import Field, force_left_to_right
from ui.widgets.portrait import PortraitLabel

TYPED_PAUSE_MS = 400  # a pause in typing a member: check it for duplicates in the background


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


VISIBLE_MEMBER_ROWS = 6  # a 1366x768 laptop shows six members without scrolling the form


class HouseholdForm(QWidget):
    save_requested = Signal(object)  # HouseholdDraft
    members_changed = Signal(object)  # HouseholdDraft: a member entered, changed or left the list
    photo_requested = Signal(str)  # individual id (saved members only)
    scan_requested = Signal()

    COLS = ("#", "name_ar", "name_lat", "sex", "relationship", "age", "photo", "needs")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: HouseholdView | None = None
        self.members: list[MemberDraft] = []
        self.editing: int | None = None  # index in members, None = a new member
        self._baseline: tuple[object, ...] = ()
        self._editor_baseline: tuple[object, ...] = ()
        self._forced_dirty = False
        self._build()
        self.retranslate()
        self.new_household()

    def _build(self) -> None:
        self.title = QLabel(self)
        self.title.setStyleSheet("font-size: 12pt; font-weight: bold;")
        # a long title ("Household MKH-01-000123-4 (version 3)") must never widen the form past the screen
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(120)
        self.house_box = QGroupBox(self)
        g = QGridLayout(self.house_box)
        g.setContentsMargins(6, 2, 6, 4)
        g.setVerticalSpacing(1)
        self.arrived = QDateTimeEdit(self)
        # Dates and times in Latin digits, left to right, in every language, so they cannot be misread.
        # (Direction first: Qt reverses the date sections of a format set while right-to-left.)
        self.arrived.setLocale(QLocale.c())
        force_left_to_right(self.arrived)
        self.arrived.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.governorate = QComboBox(self)
        self.governorate.setEditable(True)
        self.governorate.addItems([""] + [o[0] for o in ORIGINS])
        self.district = QLineEdit(self)
        self.place = QLineEdit(self)
        self.arrival_point = QComboBox(self)
        self.arrival_point.setEditable(True)
        self.arrival_point.addItems(["", *ARRIVAL_POINTS])
        compact(self.governorate)
        compact(self.arrival_point)
        self.notes = QLineEdit(self)
        self.notes.setMaxLength(2000)
        self.house_labels: dict[str, QLabel] = {}
        self.house_fields: dict[str, Field] = {}
        for i, (key, w) in enumerate((("arrived_at", self.arrived), ("governorate", self.governorate),
                                      ("district", self.district), ("place", self.place),
                                      ("arrival_point", self.arrival_point))):
            label, field = QLabel(self), Field(w, parent=self)
            label.setBuddy(w)
            self.house_labels[key], self.house_fields[key] = label, field
            g.addWidget(label, 0, i)
            g.addWidget(field, 1, i)
        self.notes_label = QLabel(self)
        g.addWidget(self.notes_label, 0, 5)
        g.addWidget(self.notes, 1, 5)
        g.setColumnStretch(5, 2)

        self.table = QTableWidget(0, len(self.COLS), self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setFixedHeight(self._table_height(VISIBLE_MEMBER_ROWS))
        self.table.cellDoubleClicked.connect(lambda row, _c: self.edit_member(row))
        self.members_error = QLabel(self)
        self.members_error.setStyleSheet("color: #b00020;")
        self.members_error.hide()

        self.portrait_loader: Callable[[str], bytes | None] | None = None
        self.portrait = PortraitLabel(self)
        self.editor = MemberEditor(self)
        self.editor.committed.connect(self.commit_member)
        self._watch_editor()
        self.add_btn = QPushButton(self)
        self.add_btn.clicked.connect(self.commit_member)
        self.remove_btn = QPushButton(self)
        self.remove_btn.clicked.connect(self.remove_member)
        self.photo_btn = QPushButton(self)
        self.photo_btn.clicked.connect(self._on_photo_clicked)
        self.scan_btn = QPushButton(self)
        self.scan_btn.clicked.connect(self.scan_requested)
        self.save_btn = QPushButton(self)
        self.save_btn.setDefault(False)
        self.save_btn.setStyleSheet("font-weight: bold;")
        self.save_btn.clicked.connect(self.request_save)
        buttons = QHBoxLayout()  # on the title line: always in sight, even when error lines make the form scroll
        buttons.addWidget(self.title, 1)  # takes the room the buttons leave, elided beyond it
        for b in (self.add_btn, self.remove_btn, self.photo_btn, self.scan_btn):
            buttons.addWidget(b)
        buttons.addSpacing(12)
        buttons.addWidget(self.save_btn)

        box = QVBoxLayout(self)
        box.setContentsMargins(6, 4, 6, 4)
        box.setSpacing(4)
        box.addLayout(buttons)
        box.addWidget(self.house_box)
        members_row = QHBoxLayout()
        members_row.addWidget(self.table, 1)
        members_row.addWidget(self.portrait, 0, Qt.AlignmentFlag.AlignTop)
        box.addLayout(members_row)
        box.addWidget(self.members_error)
        box.addWidget(self.editor)
        box.addStretch(1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.request_save)
        QShortcut(QKeySequence("Ctrl+Delete"), self, self.remove_member)
        self.table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes form -> member fields -> buttons
        order: list[QWidget] = [self.arrived, self.governorate, self.district, self.place, self.arrival_point,
                                self.notes, *self.editor.tab_chain, self.add_btn, self.save_btn]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _table_height(self, rows: int) -> int:
        header = self.table.horizontalHeader().sizeHint().height()
        return header + rows * self.table.verticalHeader().defaultSectionSize() + 2 * self.table.frameWidth() + 2

    def retranslate(self) -> None:
        self.house_box.setTitle("")  # the title line above says "New household" already
        for key, label in self.house_labels.items():
            label.setText(tr(f"ui.field.{key}"))
        self.notes_label.setText(tr("ui.field.notes"))
        self.table.setHorizontalHeaderLabels([tr(f"ui.col.{c}") if c != "#" else "#" for c in self.COLS])
        self.table.setFixedHeight(self._table_height(VISIBLE_MEMBER_ROWS))  # Arabic headers are taller
        self.add_btn.setText(tr("ui.action.add_member"))
        self.remove_btn.setText(tr("ui.action.remove_member"))
        self.photo_btn.setText(tr("ui.action.photo"))
        self.scan_btn.setText(tr("ui.action.scan"))
        self.save_btn.setText(tr("ui.action.save"))
        self.editor.retranslate()
        self._refresh_title()
        self._refresh_table()

    # state ---------------------------------------------------------------------------------------
    def _state(self) -> tuple[object, ...]:
        """Everything the clerk can change on screen, including a half-typed member in the editor."""
        return (self.arrived.dateTime().toSecsSinceEpoch() // 60, self.governorate.currentText(),
                self.district.text(), self.place.text(), self.arrival_point.currentText(), self.notes.text(),
                tuple(self.members))

    @property
    def dirty(self) -> bool:
        """True when anything differs from what was loaded or started: any keystroke counts, a restored one not."""
        return (self._forced_dirty or self._state() != self._baseline
                or self.editor.raw_state() != self._editor_baseline)

    @dirty.setter
    def dirty(self, value: bool) -> None:
        self._forced_dirty = value
        if not value:
            self._baseline = self._state()
            self._editor_baseline = self.editor.raw_state()

    def _editor_loaded(self) -> None:
        """The editor now shows a member as stored (or a blank one): only typing from here on is a change."""
        self._editor_baseline = self.editor.raw_state()

    def new_household(self) -> None:
        self.view = None
        self.members = []
        self.editing = None
        self._show_arrival(clock.to_local(clock.utcnow()))  # the station's clock, not the computer's zone
        self.governorate.setCurrentText("")
        self.district.clear()
        self.place.clear()
        self.arrival_point.setCurrentText("")
        self.notes.clear()
        self.editor.clear(Relationship.HEAD)
        self._editor_loaded()
        self.portrait.set_jpeg(None)
        self.members_error.hide()
        self._refresh_title()
        self._refresh_table()
        self.dirty = False
        self.governorate.setFocus()

    def load(self, view: HouseholdView) -> None:
        self.view = view
        self.members = member_draft_of(view)
        self.editing = None
        self._show_arrival(view.arrived_at)
        self.governorate.setCurrentText(view.origin.governorate)
        self.district.setText(view.origin.district)
        self.place.setText(view.origin.place)
        self.arrival_point.setCurrentText(view.arrival_point)
        self.notes.setText(view.notes)
        self.editor.clear(self._next_relationship())
        self._editor_loaded()
        self.members_error.hide()
        self._refresh_title()
        self._refresh_table()
        self.dirty = False
        head = view.head
        self._show_portrait(head.id if head else None)

    def focus_first(self) -> None:
        """Where a clerk starts: the origin of a new household, the first name of the member being edited."""
        (self.governorate if self.view is None and not self.members else self.editor.ar["given"]).setFocus()

    def _next_relationship(self) -> Relationship | None:
        """The first member is the head; after that the clerk types the relationship (s, d, ...): no guess.

        A guessed default was saved unchanged too often (a female head's children saved as "spouse").
        """
        if not any(m.relationship is Relationship.HEAD for m in self.members):
            return Relationship.HEAD
        return None

    def _refresh_title(self) -> None:
        if self.view is None:
            self.title.setText(tr("ui.household.new"))
        else:
            # the version only in the tooltip: beside the buttons, "(version 3)" pushed the number out of
            # sight at 1366 pixels wide
            self.title.setText(tr("ui.household.existing", number=self.view.registration_number))
        self.title.setToolTip("" if self.view is None else tr("ui.household.version", version=self.view.version))

    def set_need_to_know(self, sees_protection: bool) -> None:
        """Who is signed in may (supervisor) or may not (clerk) see protection needs; the list and form follow."""
        self.editor.sees_protection = sees_protection
        self.editor.apply_need_to_know()  # the member on screen too (a clerk unlocking a supervisor's screen)
        self._refresh_table()

    def _refresh_table(self) -> None:
        # Columns fit their contents, measured once after the fill: left on ResizeToContents, every setItem
        # measured every column again (opening a household of six spent 30 ms in it).
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        try:
            self._fill_table()
        finally:
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.members))
        today = clock.local_today()
        photographed = {m.id for m in self.view.members if m.has_photo} if self.view else set()
        for r, m in enumerate(self.members):
            values = [str(r + 1), m.name_ar.full(), m.name_lat.full(), tr(f"code.sex.{m.sex.value}"),
                      tr(f"code.relationship.{m.relationship.value}"), age_text(m, today),
                      "✓" if m.id in photographed else "",
                      ", ".join(tr(f"code.need.{n.code.value}")
                                for n in shown_needs(m.needs, self.editor.sees_protection))]
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        if self.editing is not None:
            self.table.selectRow(self.editing)
        else:
            self.table.clearSelection()

    def _watch_editor(self) -> None:
        """A member typed in full in the editor is checked for duplicates before it enters the list: the
        check runs while the clerk goes on typing, and Save finds it done (ui/registration/precheck.py)."""
        self._typed = QTimer(self)
        self._typed.setSingleShot(True)
        self._typed.setInterval(TYPED_PAUSE_MS)
        self._typed.timeout.connect(self._on_member_typed)
        e = self.editor
        for edit in (*e.ar.values(), *e.lat.values(), e.birth, e.age, e.doc_number):
            edit.textChanged.connect(self._typed.start)
        for combo in (e.sex, e.relationship, e.doc_type):
            combo.currentIndexChanged.connect(self._typed.start)

    def _on_member_typed(self) -> None:
        if self.editor.is_blank():
            return
        member, problems = self.editor.draft()
        if problems:
            return  # not a member yet: the clerk is still typing
        members = list(self.members)
        if self.editing is None:
            members.append(member)
        else:
            members[self.editing] = member
        self.members_changed.emit(dataclasses.replace(self.draft(), members=tuple(members)))

    # actions -------------------------------------------------------------------------------------
    def commit_member(self, notify: bool = True) -> bool:
        """Put the editor's member into the list; on problems, show them next to the fields. `notify`:
        say so (members_changed), which starts the member's duplicate check ahead of the save."""
        if self.editor.is_blank() and self.editing is None:
            return True
        member, problems = self.editor.draft()
        # A value whose check digit failed is never accepted silently: the clerk compares and retypes it.
        problems += [Problem(k, "ui.error.unverified_field") for k in self.editor.unverified_fields()
                     if k not in {p.field for p in problems}]
        if problems:
            self.editor.show_problems(problems)
            return False
        if self.editing is None:
            self.members.append(member)
        else:
            self.members[self.editing] = member
        self.editing = None
        self.members_error.hide()
        self._refresh_table()
        self.editor.clear(self._next_relationship())
        self._editor_loaded()
        if notify:
            self.members_changed.emit(self.draft())
        return True

    def edit_member(self, row: int) -> None:
        if 0 <= row < len(self.members):
            self.editing = row
            self.editor.load(self.members[row])
            self._editor_loaded()
            self._refresh_table()
            self._show_portrait(self.members[row].id)

    def _show_portrait(self, individual_id: str | None) -> None:
        has = self.view is not None and any(m.id == individual_id and m.has_photo for m in self.view.members)
        jpeg = self.portrait_loader(individual_id) if has and individual_id and self.portrait_loader else None
        self.portrait.set_jpeg(jpeg)

    def remove_member(self) -> None:
        row = self.table.currentRow() if self.editing is None else self.editing
        if 0 <= row < len(self.members):
            del self.members[row]
            self.editing = None
            self.editor.clear(self._next_relationship())
            self._editor_loaded()
            self._refresh_table()
            self.members_changed.emit(self.draft())

    def _on_photo_clicked(self) -> None:
        row = self.table.currentRow() if self.editing is None else self.editing
        if 0 <= row < len(self.members) and self.members[row].id:
            self.photo_requested.emit(self.members[row].id)

    def _show_arrival(self, a: datetime) -> None:
        """Show an aware time as the station's wall-clock time (the editor holds no zone of its own)."""
        a = clock.to_local(a)
        self.arrived.setDateTime(QDateTime(QDate(a.year, a.month, a.day), QTime(a.hour, a.minute)))

    def draft(self) -> HouseholdDraft:
        arrived = self.arrived.dateTime().toPython()
        assert isinstance(arrived, datetime)
        return HouseholdDraft(
            members=tuple(self.members),
            origin=Origin(self.governorate.currentText(), self.district.text(), self.place.text()),
            arrival_point=self.arrival_point.currentText(),
            notes=self.notes.text(),
            arrived_at=clock.minute(clock.from_local(arrived)),  # typed as the station's local time
            id=self.view.id if self.view else None,
            expected_version=self.view.version if self.view else None,
        )

    def loaded_draft(self) -> HouseholdDraft | None:
        """The household as it was loaded (None for a new one): its unchanged members are not checked again."""
        if self.view is None:
            return None
        return HouseholdDraft(members=tuple(member_draft_of(self.view)), origin=self.view.origin, id=self.view.id)

    def request_save(self) -> None:
        if not self.commit_member(notify=False):  # the save checks what was not checked yet
            return
        self.save_requested.emit(self.draft())

    def show_problems(self, problems: list[Problem]) -> None:
        member_problems: dict[int, list[Problem]] = {}
        self.members_error.hide()
        for p in problems:
            if p.field.startswith("members["):
                idx = int(p.field[len("members["):p.field.index("]")])
                rest = p.field[p.field.index("]") + 2:]
                member_problems.setdefault(idx, []).append(Problem(rest, p.code))
            elif p.field == "members":
                self.members_error.setText(tr(p.code))
                self.members_error.show()
            elif p.field in self.house_fields:
                self.house_fields[p.field].show_error(p.code)
        if member_problems:
            idx = min(member_problems)
            self.edit_member(idx)
            self.editor.show_problems(member_problems[idx])

    def show_saved(self, view: HouseholdView) -> None:
        self.load(view)
