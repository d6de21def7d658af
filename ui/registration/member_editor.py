"""Editor for one member: names in both scripts, sex, relationship, birth date or age, documents, needs.

Keyboard first: Tab follows the form, Enter anywhere in it emits `committed` (the form then adds the
member and starts the next one). Digits typed on an Arabic keyboard are accepted everywhere.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from station import clock, i18n
from station.domain.codes import (
    DocumentType,
    FieldSource,
    MaritalStatus,
    Relationship,
    Sex,
    SpecificNeed,
    sex_implied_by,
)
from station.domain.model import Document, MemberDraft, NameParts, Need
from station.domain.text import normalize_digits
from station.domain.validation import Problem, parse_date, validate_member
from station.i18n import tr
from station.services.views import PROTECTION_NEEDS
from ui.registration.choices import NATIONALITIES, CodeCombo, compact
from ui.widgets.field import Field, force_left_to_right

NAME_PARTS = ("given", "father", "grandfather", "family")
NEED_COLUMNS = {"en": 4}  # Arabic and Sorani labels are shorter but their lines taller: five columns, one row less


def _tight(grid: QGridLayout) -> None:
    grid.setContentsMargins(6, 2, 6, 4)
    grid.setHorizontalSpacing(6)
    grid.setVerticalSpacing(1)


def _fmt(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


class MemberEditor(QWidget):
    committed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.member_id: str | None = None
        self.fields: dict[str, Field] = {}
        self.labels: dict[str, QLabel] = {}
        self.ar = {p: QLineEdit(self) for p in NAME_PARTS}
        self.lat = {p: QLineEdit(self) for p in NAME_PARTS}
        self.sex = CodeCombo("sex", Sex, self)
        self.relationship = CodeCombo("relationship", Relationship, self)
        self._sex_follows = True  # sex follows the relationship until the clerk chooses it
        self.sex.activated.connect(self._on_sex_activated)
        self.relationship.currentIndexChanged.connect(self._on_relationship_changed)
        self.birth = QLineEdit(self)
        force_left_to_right(self.birth)  # dd/mm/yyyy reads the same everywhere
        self.age = QLineEdit(self)
        self.age.setMaxLength(3)
        self.nationality = QComboBox(self)
        self.nationality.setEditable(True)
        self.nationality.addItems(NATIONALITIES)
        compact(self.nationality, 4)
        self.marital = CodeCombo("marital", MaritalStatus, self)
        self.doc_type = CodeCombo("doc", DocumentType, self)
        self.doc_number = QLineEdit(self)
        self.doc_country = QLineEdit(self)
        self.doc_country.setMaxLength(3)
        self.doc_expiry = QLineEdit(self)
        force_left_to_right(self.doc_expiry)
        self.needs = {n: QCheckBox(self) for n in SpecificNeed}
        self.need_note = QLineEdit(self)
        self.sees_protection = True  # need to know: False for a clerk (see apply_need_to_know)
        self._build()
        self.retranslate()

    # layout -------------------------------------------------------------------------------------
    def _add(self, grid: QGridLayout, row: int, col: int, key: str, editor: QWidget, rtl: bool = False,
             span: int = 1) -> None:
        """A labelled field: the label above, the field (with its error line) below."""
        label = QLabel(self)
        label.setBuddy(editor)
        self.labels[key] = label
        grid.addWidget(label, row, col, 1, span)
        self._place(grid, row + 1, col, key, editor, rtl, span)

    def _place(self, grid: QGridLayout, row: int, col: int, key: str, editor: QWidget, rtl: bool = False,
               span: int = 1) -> None:
        field = Field(editor, rtl_text=rtl, parent=self)
        self.fields[key] = field
        grid.addWidget(field, row, col, 1, span)

    def _build(self) -> None:
        """Compact enough for a 1366x768 laptop: names as a 2x4 grid under one row of column titles,
        person and document on two rows of one box, the needs in five columns."""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.names_box = QGroupBox(self)
        g = QGridLayout(self.names_box)
        _tight(g)
        self.part_labels = {part: QLabel(self) for part in NAME_PARTS}
        self.script_labels = {"ar": QLabel(self), "lat": QLabel(self)}
        for i, part in enumerate(NAME_PARTS):
            g.addWidget(self.part_labels[part], 0, i + 1)
            self._place(g, 1, i + 1, f"{part}_ar", self.ar[part], rtl=True)
            self._place(g, 2, i + 1, f"{part}_lat", self.lat[part])
        g.addWidget(self.script_labels["ar"], 1, 0)
        g.addWidget(self.script_labels["lat"], 2, 0)
        for i in range(1, 5):
            g.setColumnStretch(i, 1)
        outer.addWidget(self.names_box)
        self.person_box = QGroupBox(self)
        p = QGridLayout(self.person_box)
        _tight(p)
        for i, (key, w) in enumerate((("sex", self.sex), ("relationship", self.relationship),
                                      ("birth_date", self.birth), ("age", self.age),
                                      ("nationality", self.nationality), ("marital", self.marital))):
            self._add(p, 0, i, key, w)
        for i, (key, w) in enumerate((("doc_type", self.doc_type), ("doc_number", self.doc_number),
                                      ("doc_country", self.doc_country), ("doc_expiry", self.doc_expiry))):
            span = 2 if key == "doc_number" else 1
            self._add(p, 2, i + (1 if i > 1 else 0), key, w, span=span)
        for i in range(6):
            p.setColumnStretch(i, 1)
        outer.addWidget(self.person_box)
        self.doc_box = self.person_box  # one box: person and the document held (kept as a name for callers)
        self.needs_box = QGroupBox(self)
        self.needs_grid = QGridLayout(self.needs_box)
        _tight(self.needs_grid)
        self.needs_grid.setVerticalSpacing(0)
        self.need_note_label = QLabel(self)
        self.need_note_row = QHBoxLayout()
        self.need_note_row.addWidget(self.need_note_label)
        self.need_note_row.addWidget(self.need_note, 1)
        self._need_columns = 0
        self._layout_needs()
        outer.addWidget(self.needs_box)
        self.tab_chain: list[QWidget] = [*self.ar.values(), *self.lat.values(), self.sex, self.relationship, self.birth,
                                self.age, self.nationality, self.marital, self.doc_type, self.doc_number,
                                self.doc_country, self.doc_expiry, *self.needs.values(), self.need_note]
        for edit in self.findChildren(QLineEdit):
            edit.returnPressed.connect(self.committed)
        for field in self.fields.values():  # a value typed over a scanned one is the clerk's own
            if isinstance(field.editor, QLineEdit):
                field.editor.textEdited.connect(lambda _t, f=field: f.set_source(None))
            elif isinstance(field.editor, QComboBox):  # chosen by the clerk, even the item it already showed
                field.editor.activated.connect(lambda _i, f=field: f.set_source(None))

    def _layout_needs(self) -> None:
        """The 13 needs in a grid whose width suits the language, the note after the last."""
        cols = NEED_COLUMNS.get(i18n.current_language(), 5)
        if cols == self._need_columns:
            return
        self._need_columns = cols
        grid = self.needs_grid
        for box in self.needs.values():
            grid.removeWidget(box)
        grid.removeItem(self.need_note_row)
        for i, box in enumerate(self.needs.values()):
            grid.addWidget(box, i // cols, i % cols)
        last = len(self.needs)
        grid.addLayout(self.need_note_row, last // cols, last % cols, 1, cols - last % cols)

    def retranslate(self) -> None:
        self._layout_needs()
        self.names_box.setTitle(tr("ui.household.members"))  # "Members (Enter adds the member ...)"
        self.person_box.setTitle("")  # every field is labelled; a title would only cost a line
        self.needs_box.setTitle(tr("ui.member.needs"))
        for key, label in self.labels.items():
            label.setText(tr(f"ui.field.{key}"))
        for part, label in self.part_labels.items():
            label.setText(tr(f"ui.field.{part}_ar"))
            label.setToolTip(tr(f"ui.field.{part}_lat"))
        self.script_labels["ar"].setText(tr("ui.member.script_ar"))
        self.script_labels["lat"].setText(tr("ui.member.script_lat"))
        for part in NAME_PARTS:  # the field's own name for screen readers and error messages
            self.ar[part].setAccessibleName(tr(f"ui.field.{part}_ar"))
            self.lat[part].setAccessibleName(tr(f"ui.field.{part}_lat"))
        for need, box in self.needs.items():
            box.setText(tr(f"code.need.{need.value}"))
        self.need_note_label.setText(tr("ui.field.need_note"))
        self.birth.setPlaceholderText(tr("ui.placeholder.date"))
        self.doc_expiry.setPlaceholderText(tr("ui.placeholder.date"))
        for combo in (self.sex, self.relationship, self.marital, self.doc_type):
            combo.retranslate()
        for f in self.fields.values():
            f.retranslate()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.committed.emit()
            return
        super().keyPressEvent(event)

    # data ---------------------------------------------------------------------------------------
    def _on_sex_activated(self, _index: int) -> None:
        self._sex_follows = False

    def _on_relationship_changed(self, _index: int) -> None:
        rel = self.relationship.value()
        implied = sex_implied_by(rel) if isinstance(rel, Relationship) else None
        if self._sex_follows and implied is not None:
            self.sex.set_value(implied)

    def apply_need_to_know(self) -> None:
        """A clerk records protection needs and notes but does not see a saved member's again: the boxes and
        the note are hidden, keeping their state, so a save by the clerk keeps them as they were."""
        hide = bool(self.member_id) and not self.sees_protection
        for need in PROTECTION_NEEDS:
            self.needs[need].setVisible(not hide)
        self.need_note.setVisible(not hide)
        self.need_note_label.setVisible(not hide)

    def clear(self, relationship: Relationship | None = Relationship.HEAD) -> None:
        self.load(None, relationship)

    def load(self, m: MemberDraft | None, relationship: Relationship | None = Relationship.HEAD) -> None:
        self.member_id = m.id if m else None
        for part, value in zip(NAME_PARTS, m.name_ar.parts() if m else ("",) * 4, strict=True):
            self.ar[part].setText(value)
        for part, value in zip(NAME_PARTS, m.name_lat.parts() if m else ("",) * 4, strict=True):
            self.lat[part].setText(value)
        # No default sex: a new member's sex is chosen, or follows a relationship that implies it (son, mother).
        self._sex_follows = m is None
        self.sex.set_value(m.sex if m else None)
        self.relationship.set_value(m.relationship if m else relationship)
        self._on_relationship_changed(0)
        self.birth.setText(_fmt(m.birth_date) if m else "")
        self.age.setText(str(m.age_years) if m and m.age_years is not None and m.birth_date is None else "")
        self.nationality.setCurrentText(m.nationality if m else "IRQ")
        self.marital.set_value(m.marital_status if m else MaritalStatus.UNKNOWN)
        doc = m.documents[0] if m and m.documents else None
        self.doc_type.set_value(doc.doc_type if doc else DocumentType.UNIFIED_ID)
        self.doc_number.setText(doc.number if doc else "")
        self.doc_country.setText(doc.issuing_country if doc else "")
        self.doc_expiry.setText(_fmt(doc.expiry) if doc else "")
        codes = {n.code for n in m.needs} if m else set()
        for need, box in self.needs.items():
            box.setChecked(need in codes)
        self.need_note.setText(next((n.note for n in m.needs if n.note), "") if m else "")
        self.apply_need_to_know()
        self._extra_docs = tuple(m.documents[1:]) if m else ()
        sources = m.field_sources if m else {}
        for key, f in self.fields.items():
            f.show_error(None)
            src = sources.get(key)
            f.set_source(src.split(":")[0] if src else None, not (src or "").endswith(":unverified"))
        self.ar["given"].setFocus()

    def raw_state(self) -> tuple[object, ...]:
        """What is on screen, as typed (for the form's unsaved-changes check)."""
        texts = tuple(e.text() for e in (*self.ar.values(), *self.lat.values(), self.birth, self.age, self.doc_number,
                                         self.doc_country, self.doc_expiry, self.need_note))
        choices = (self.sex.value(), self.relationship.value(), self.nationality.currentText(), self.marital.value(),
                   self.doc_type.value())
        return (self.member_id, texts, choices, tuple(b.isChecked() for b in self.needs.values()))

    def is_blank(self) -> bool:
        return not any(e.text().strip() for e in (*self.ar.values(), *self.lat.values(), self.birth, self.age))

    def _date(self, key: str, edit: QLineEdit, problems: list[Problem]) -> date | None:
        text = edit.text().strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError:
            problems.append(Problem(key, "error.date_invalid"))
            return None

    def draft(self) -> tuple[MemberDraft, list[Problem]]:
        """The member as typed, plus problems keyed by this editor's field names."""
        problems: list[Problem] = []
        birth = self._date("birth_date", self.birth, problems)
        age: int | None = None
        age_text = normalize_digits(self.age.text()).strip()
        if age_text:
            if age_text.isdigit():
                age = int(age_text)
            else:
                problems.append(Problem("age", "error.age_invalid"))
        if self.sex.value() is None:
            problems.append(Problem("sex", "error.sex_required"))
        if self.relationship.value() is None:
            problems.append(Problem("relationship", "error.relationship_required"))
        expiry = self._date("doc_expiry", self.doc_expiry, problems)
        docs: list[Document] = []
        number = normalize_digits(self.doc_number.text()).strip()
        src = self.fields["doc_number"].source()
        if number:
            docs.append(Document(self.doc_type.value(), number,  # type: ignore[arg-type]
                                 normalize_digits(self.doc_country.text()).strip().upper(), expiry,
                                 FieldSource(src[0]) if src else FieldSource.MANUAL))
        note = self.need_note.text().strip()
        needs = tuple(Need(n, note) for n, box in self.needs.items() if box.isChecked())
        sources = {k: f"{s[0]}" + ("" if s[1] else ":unverified")
                   for k, f in self.fields.items() if (s := f.source())}
        member = MemberDraft(
            id=self.member_id,
            name_ar=NameParts(*(self.ar[p].text() for p in NAME_PARTS)),
            name_lat=NameParts(*(self.lat[p].text() for p in NAME_PARTS)),
            sex=self.sex.value() or Sex.UNKNOWN,  # type: ignore[arg-type]
            relationship=self.relationship.value() or Relationship.OTHER_RELATIVE,  # type: ignore[arg-type]
            birth_date=birth,
            age_years=age if birth is None else None,
            nationality=self.nationality.currentText().strip().upper(),
            marital_status=self.marital.value(),  # type: ignore[arg-type]
            documents=(*docs, *self._extra_docs),
            needs=needs,
            field_sources=sources,
        )
        flagged = {p.field for p in problems}
        for p in validate_member(member, "m", clock.local_today()):
            key = p.field.removeprefix("m.").split(".")[0].replace("documents[0]", "doc_number")
            if key not in flagged and not (key == "birth_date" and "age" in flagged):
                problems.append(Problem(key, p.code))
        return member, problems

    def show_problems(self, problems: list[Problem]) -> None:
        for f in self.fields.values():
            f.show_error(None)
        first: QWidget | None = None
        for p in problems:
            key = {"given": "given_ar", "documents[0]": "doc_number"}.get(p.field, p.field)
            field = self.fields.get(key)
            if field is not None:
                field.show_error(p.code)
                first = first or field.editor
        if first is not None:
            first.setFocus()

    def unverified_fields(self) -> list[str]:
        return [k for k, f in self.fields.items() if (s := f.source()) and not s[1]]
