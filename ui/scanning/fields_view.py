"""Member fields filled from a document, each with a source badge; failed checks in red, repaired in amber.

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


class MemberFieldsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
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

    def set_fields(self, fields: MemberFields) -> None:
        for name, edit in self.edits.items():
            value = fields.get(name)
            edit.setText(value.value if value else "")
            edit.setStyleSheet(field_style(value.check) if value else "")
            edit.setToolTip(tr(f"scanning.check.{value.check.value}") if value else "")
            self.badges[name].set_value(value)

    def clear(self) -> None:
        for name, edit in self.edits.items():
            edit.clear()
            edit.setStyleSheet("")
            edit.setToolTip("")
            self.badges[name].set_value(None)
