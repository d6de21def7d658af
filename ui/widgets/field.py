"""A form field: the input widget with its error line underneath and an optional source badge beside it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from station.i18n import tr

ERROR_STYLE = "color: #b00020; font-size: 9pt;"
BADGE_STYLE = {
    True: "background:#e3f1e6; color:#1b5e20; border-radius:3px; padding:0 4px; font-size:8pt;",
    False: "background:#fde7e9; color:#b00020; border-radius:3px; padding:0 4px; font-size:8pt; font-weight:bold;",
}
INVALID_INPUT = "QLineEdit, QComboBox { border: 2px solid #b00020; }"


def secret_field(parent: QWidget, name: str) -> QLineEdit:
    """A passphrase field: typing hidden, no prediction or memory in the input method."""
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
    return field


class Field(QWidget):
    """Wraps one input. `show_error(key)` puts the message, in the user's language, right below it."""

    def __init__(self, editor: QWidget, rtl_text: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        if rtl_text:  # Arabic-script input stays right-aligned even in an English window
            editor.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
            if isinstance(editor, QLineEdit):
                # Absolute: a plain AlignRight on a right-to-left widget is mirrored by Qt, to the left.
                align = Qt.AlignmentFlag
                editor.setAlignment(align.AlignRight | align.AlignAbsolute | align.AlignVCenter)
        self.badge = QLabel(self)
        self.badge.hide()
        self.error = QLabel(self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor, 1)
        row.addWidget(self.badge)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        box.addLayout(row)
        box.addWidget(self.error)
        self._error_key: str | None = None
        self._source: tuple[str, bool] | None = None

    def show_error(self, key: str | None) -> None:
        self._error_key = key
        self.error.setText(tr(key) if key else "")
        self.error.setVisible(bool(key))
        self._restyle()

    def has_error(self) -> bool:
        return self._error_key is not None

    def set_source(self, source: str | None, verified: bool = True) -> None:
        """Mark the value as read from a document (MRZ/barcode); unverified values are highlighted."""
        self._source = (source, verified) if source and source != "manual" else None
        self.retranslate()
        self._restyle()

    def source(self) -> tuple[str, bool] | None:
        return self._source

    def _restyle(self) -> None:
        bad = self._error_key is not None or (self._source is not None and not self._source[1])
        self.editor.setStyleSheet(INVALID_INPUT if bad else "")

    def retranslate(self) -> None:
        if self._error_key:
            self.error.setText(tr(self._error_key))
        if self._source:
            source, verified = self._source
            label = tr(f"ui.source.{source}")
            self.badge.setText(label if verified else tr("ui.source.unverified", source=label))
            self.badge.setStyleSheet(BADGE_STYLE[verified])
            self.badge.setToolTip(tr("ui.source.tooltip_ok" if verified else "ui.source.tooltip_bad"))
            self.badge.show()
        else:
            self.badge.hide()


def force_left_to_right(widget: QWidget) -> None:
    """Dates, numbers and codes read left to right in every language (the inner line edit too)."""
    widget.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    for child in widget.findChildren(QLineEdit):
        child.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
