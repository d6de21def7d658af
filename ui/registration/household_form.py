"""The household form: arrival and origin, the list of members, and the member editor below it.

Enter in the member editor adds that member and starts the next; Ctrl+S saves the household (the main
window calls the core service and answers with `show_saved` or `show_problems`).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from station import clock
from station.domain.codes import Relationship
from station.domain.model import HouseholdDraft, HouseholdView, MemberDraft, Origin
from station.domain.validation import Problem
from station.i18n import tr
from ui.registration.house_box import HouseBox
from ui.registration.member_editor import MemberEditor
from ui.registration.member_table import (  # noqa: F401 (age_text, member_draft_of: callers import them here)
    VISIBLE_MEMBER_ROWS,
    MemberTable,
    age_text,
    member_draft_of,
    member_problems,
)
from ui.widgets.portrait import PortraitLabel

TYPED_PAUSE_MS = 400  # a pause in typing a member: check it for duplicates in the background


class HouseholdForm(QWidget):
    save_requested = Signal(object)  # HouseholdDraft
    members_changed = Signal(object)  # HouseholdDraft: a member entered, changed or left the list
    photo_requested = Signal(str)  # individual id (saved members only)
    scan_requested = Signal()

    COLS = MemberTable.COLS

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
        self.house_box = HouseBox(self)  # arrival and origin; its fields are the form's too
        hb = self.house_box
        self.arrived, self.governorate, self.district, self.place = hb.arrived, hb.governorate, hb.district, hb.place
        self.arrival_point, self.notes, self.house_fields = hb.arrival_point, hb.notes, hb.fields

        self.table = MemberTable(self)
        self.table.setFixedHeight(self._table_height(VISIBLE_MEMBER_ROWS))
        self.table.cellDoubleClicked.connect(lambda row, _c: self.edit_member(row))
        self.members_error = QLabel(self)
        self.members_error.setStyleSheet("color: #b00020;")
        self.members_error.hide()

        self.portrait_loader: Callable[[str], bytes | None] | None = None
        self.portrait = PortraitLabel(self)
        self._portrait_of: str | None = None  # whose portrait is on screen
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
        order: list[QWidget] = [self.arrived, self.governorate, self.district, self.place, self.arrival_point,
                                self.notes, *self.editor.tab_chain, self.add_btn, self.save_btn]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _table_height(self, rows: int) -> int:
        return self.table.height_for(rows)

    def retranslate(self) -> None:
        self.house_box.retranslate()
        self.table.retranslate()
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
        self._show_portrait(None)
        self.members_error.hide()
        self._refresh_title()
        self._refresh_table()
        self.dirty = False
        self.governorate.setFocus()

    def load(self, view: HouseholdView, *, saved: bool = False) -> None:
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
        self._show_portrait(head.id if head else None, reuse=saved)

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
        photographed = {m.id for m in self.view.members if m.has_photo} if self.view else set()
        self.table.show_members(self.members, photographed, self.editor.sees_protection, self.editing)

    def _watch_editor(self) -> None:
        """A member typed in full in the editor is checked for duplicates before it enters the list: the
        check runs while the clerk goes on typing, and Save finds it done (ui/registration/precheck.py)."""
        self._typed = QTimer(self)
        self._typed.setSingleShot(True)
        self._typed.setInterval(TYPED_PAUSE_MS)
        self._typed.timeout.connect(self._on_member_typed)
        e = self.editor
        # start() with no argument: connected straight to currentIndexChanged(int), QTimer.start(int) took the
        # combo's index for its interval (1 ms after choosing a sex, so the check ran on every later key)
        for edit in (*e.ar.values(), *e.lat.values(), e.birth, e.age, e.doc_number):
            edit.textChanged.connect(lambda _text: self._typed.start())
        for combo in (e.sex, e.relationship, e.doc_type):
            combo.currentIndexChanged.connect(lambda _index: self._typed.start())

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

    def _show_portrait(self, individual_id: str | None, reuse: bool = False) -> None:
        """`reuse`: keep the portrait on screen if it is this person's (the household just saved)."""
        has = self.view is not None and any(m.id == individual_id and m.has_photo for m in self.view.members)
        if reuse and has and individual_id == self._portrait_of and self.portrait.jpeg is not None:
            return
        jpeg = self.portrait_loader(individual_id) if has and individual_id and self.portrait_loader else None
        self.portrait.set_jpeg(jpeg)
        self._portrait_of = individual_id if jpeg else None

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
        self.members_error.hide()
        for p in problems:
            if p.field == "members":
                self.members_error.setText(tr(p.code))
                self.members_error.show()
            elif p.field in self.house_fields:
                self.house_fields[p.field].show_error(p.code)
        by_member = member_problems(problems)
        if by_member:
            idx = min(by_member)
            self.edit_member(idx)
            self.editor.show_problems(by_member[idx])

    def show_saved(self, view: HouseholdView) -> None:
        """The household as saved: the form loaded again from what was stored (the head's portrait on screen
        is kept: a save never changes a photo, and reading and decoding it again cost the save several ms)."""
        self.load(view, saved=self.view is not None and self.view.id == view.id)
