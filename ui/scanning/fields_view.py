"""Member fields filled from a document, each with a source badge; failed checks in red, repaired in amber.

Values are shown whole (each field at least as wide as its text) and codes as translated labels.

The registration form can reuse `FieldBadge` and `field_style` for its own line edits.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from station.i18n import tr
from station.scanning.fill import FIELDS, Check, FieldValue, MemberFields

COLOURS = {  # badge background, line-edit border
    Check.PASSED: ("#1b7f3b", "#1b7f3b"),
    Check.REPAIRED: ("#b26a00", "#e69500"),
    Check.FAILED: ("#c62828", "#c62828"),
    Check.NONE: ("#37629c", "#8aa4c8"),
}


def field_style(check: Check) -> str:
    border = COLOURS[check][1]
    fill = "#fdecea" if check is Check.FAILED else "#fff6e0" if check is Check.REPAIRED else "white"
    return f"QLineEdit {{ border: 2px solid {border}; border-radius: 3px; padding: 2px; background: {fill}; }}"


class FieldBadge(QLabel):
    """A small pill: where the value came from, coloured by its check; the tooltip says why."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setVisible(False)

    def set_value(self, value: FieldValue | None) -> None:
        if value is None:
            self.setVisible(False)
            return
        mark = {"passed": "✓", "repaired": "!", "failed": "✗", "none": "•"}[value.check.value]
        self.setText(f"{mark} {tr('scanning.badge.' + value.source.value)}")
        self.setToolTip(tr(f"scanning.check.{value.check.value}"))
        self.setStyleSheet(
            f"QLabel {{ background: {COLOURS[value.check][0]}; color: white; border-radius: 8px;"
            " padding: 1px 8px; font-size: 11px; }"
        )
        self.setVisible(True)


def display_text(name: str, value: str) -> str:
    """What the clerk reads: document types and sexes as translated labels, never raw codes."""
    if name == "document_type" and value:
        return tr(f"code.doc.{value}")
    if name == "sex" and value in ("M", "F", "X"):
        return tr(f"code.sex.{value}")
    return value


def _text_width(edit: QLineEdit, text: str) -> int:
    margins = edit.textMargins()
    return edit.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + 16


# The longest value a field usually holds (a TD3 name field is 39 characters): shown whole by default.
TYPICAL_LONGEST = "MUHAMMADALI HUSSEIN ABDULRAHMAN"


class MemberFieldsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.edits: dict[str, QLineEdit] = {}
        self.badges: dict[str, FieldBadge] = {}
        for name in FIELDS:
            row = QHBoxLayout()
            edit = QLineEdit()
            edit.setReadOnly(True)  # what the document says; the clerk corrects it in the member form
            badge = FieldBadge()
            row.addWidget(edit, 1)
            row.addWidget(badge)
            form.addRow(tr(f"scanning.field.{name}"), row)
            self.edits[name] = edit
            self.badges[name] = badge
        self._min_width = _text_width(next(iter(self.edits.values())), TYPICAL_LONGEST)
        for edit in self.edits.values():
            edit.setMinimumWidth(self._min_width)

    def set_fields(self, fields: MemberFields) -> None:
        for name, edit in self.edits.items():
            value = fields.get(name)
            text = display_text(name, value.value) if value else ""
            edit.setText(text)
            edit.setCursorPosition(0)
            edit.setMinimumWidth(max(self._min_width, _text_width(edit, text)))
            edit.setStyleSheet(field_style(value.check) if value else "")
            edit.setToolTip(tr(f"scanning.check.{value.check.value}") if value else "")
            self.badges[name].set_value(value)

    def clear(self) -> None:
        for name, edit in self.edits.items():
            edit.clear()
            edit.setMinimumWidth(self._min_width)
            edit.setStyleSheet("")
            edit.setToolTip("")
            self.badges[name].set_value(None)
