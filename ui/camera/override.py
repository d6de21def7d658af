"""OverrideDialog: the clerk keeps a photo that failed the check and says why (a preset reason plus details)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from station.i18n import tr

REASONS = ("injury", "baby", "disability", "no_better")


class OverrideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("camera.override.title"))
        self.combo = QComboBox()
        for code in REASONS:
            self.combo.addItem(tr(f"camera.override.reason.{code}"), code)
        self.detail = QLineEdit()
        self.detail.setMaxLength(200)
        form = QFormLayout(self)
        form.addRow(tr("camera.override.prompt"), self.combo)
        form.addRow(tr("camera.override.detail"), self.detail)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def reason(self) -> str:
        """A stable code, then the clerk's words: "baby: held by her mother"."""
        code = str(self.combo.currentData())
        detail = self.detail.text().strip()
        return f"{code}: {detail}" if detail else code
