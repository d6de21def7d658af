"""Export dialog: pick the USB stick (name and free space), export since last time or everything, watch it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from station import clock
from station.errors import StationError
from station.export.drives import Drive, human_size, removable_drives
from station.i18n import tr
from station.services import export as ex
from station.services.station import StationContext
from ui.tasks import run_task


class ExportDialog(QDialog):
    export_finished = Signal(object)  # ExportResult

    def __init__(self, ctx: StationContext, parent: Any = None,
                 drives: Callable[[], list[Drive]] = removable_drives) -> None:
        super().__init__(parent)
        self.ctx, self._drives, self.busy = ctx, drives, False
        self.setWindowTitle(tr("export.ui.title"))
        self.setMinimumWidth(520)
        self.drive_box = QComboBox()
        self.refresh_button = QPushButton(tr("export.ui.refresh"))
        self.folder_button = QPushButton(tr("export.ui.other_folder"))
        self.since_last = QRadioButton(tr("export.ui.since_last"))
        self.everything = QRadioButton(tr("export.ui.everything"))
        self.since_last.setChecked(True)
        self.last_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.export_button = QPushButton(tr("export.ui.export"))
        self.close_button = QPushButton(tr("export.ui.close"))
        drive_row = QHBoxLayout()
        drive_row.addWidget(self.drive_box, 1)
        drive_row.addWidget(self.refresh_button)
        drive_row.addWidget(self.folder_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("export.ui.drive")))
        layout.addLayout(drive_row)
        layout.addWidget(self.since_last)
        layout.addWidget(self.everything)
        layout.addWidget(self.last_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.refresh_button.clicked.connect(self.refresh_drives)
        self.folder_button.clicked.connect(self._on_folder_clicked)
        QShortcut(QKeySequence("Ctrl+O"), self, self._on_folder_clicked)  # a folder instead of a detected stick
        self.folder_button.setToolTip("Ctrl+O")
        for b in (self.refresh_button, self.folder_button, self.close_button):
            b.setAutoDefault(False)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.close_button.clicked.connect(self.reject)
        self.refresh_drives()
        self._show_last_export()
        self.key_button = QPushButton(tr("export.ui.install_key"))
        self.key_button.clicked.connect(self._on_key_button_clicked)
        buttons.insertWidget(0, self.key_button)
        self._show_key_state()

    def _show_key_state(self) -> None:
        """Without the office key nothing can be sealed: an administrator installs it here, others learn whom to ask."""
        from station.domain.roles import Permission

        missing = ex.office_key_id(self.ctx.db) is None
        can_install = self.ctx.actor.can(Permission.MANAGE_SETTINGS)
        self.key_button.setVisible(missing and can_install)
        self.export_button.setEnabled(not missing)
        if missing:
            self.status.setText(tr("export.ui.no_key_admin" if can_install else "export.ui.no_key"))
        elif self.status.text() in (tr("export.ui.no_key_admin"), tr("export.ui.no_key")):
            self.status.clear()

    def _on_key_button_clicked(self) -> None:
        from ui.export.office_key import choose_and_install

        choose_and_install(self.ctx, self)
        self._show_key_state()

    def _show_last_export(self) -> None:
        _mark, when = ex.last_export(self.ctx.db)  # stored as UTC, shown in the station's time, labelled
        shown = clock.format_local(datetime.fromisoformat(when), fmt="%Y-%m-%d %H:%M") if when else tr(
            "export.ui.never")
        self.last_label.setText(tr("export.ui.last_export", when=shown))

    def refresh_drives(self) -> None:
        self.drive_box.clear()
        for d in self._drives():
            self.drive_box.addItem(tr("export.ui.drive_item", label=d.label, mount=str(d.mount),
                                      free=human_size(d.free)), str(d.mount))
        if self.drive_box.count() == 0:
            self.status.setText(tr("export.ui.no_drive"))

    def add_folder(self, folder: Path) -> None:
        self.drive_box.addItem(str(folder), str(folder))
        self.drive_box.setCurrentIndex(self.drive_box.count() - 1)
        self.status.clear()

    def _on_folder_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("export.ui.other_folder"))
        if folder:
            self.add_folder(Path(folder))

    def start_export(self) -> None:
        target = self.drive_box.currentData()
        if not target or self.busy:
            return
        everything = self.everything.isChecked()
        ctx = self.ctx

        def job(progress: Callable[[int, int], None]) -> ex.ExportResult:
            return ex.export_pack(ctx.db, ctx.actor, Path(target), everything=everything, progress=progress)

        self._set_busy(True)
        self.status.setText(tr("export.ui.working"))
        self.progress.setValue(0)
        self.busy = True
        run_task(job, self._on_job_succeeded, self._on_job_failed, self, on_progress=self._on_job_progressed,
                 fallback=None)

    def _set_busy(self, busy: bool) -> None:
        for w in (self.export_button, self.close_button, self.refresh_button, self.folder_button,
                  self.drive_box, self.since_last, self.everything):
            w.setEnabled(not busy)

    def _on_job_progressed(self, done: int, total: int) -> None:
        self.progress.setValue(int(100 * done / total) if total else 100)

    def _on_job_succeeded(self, res: ex.ExportResult) -> None:
        self._on_job_finished()
        self.progress.setValue(100)
        self.status.setText(tr("export.ui.done", file=res.path.name,
                               households=tr("count.households", n=res.households),
                               individuals=tr("count.individuals", n=res.individuals),
                               portraits=tr("count.portraits", n=res.portraits)))
        self.export_button.setText(tr("export.ui.export"))
        self._show_last_export()
        self.export_finished.emit(res)

    def _on_job_failed(self, error: StationError) -> None:
        self._on_job_finished()
        self.progress.setValue(0)
        self.status.setText(tr("export.ui.failed", reason=error.message()))
        self.export_button.setText(tr("export.ui.retry"))

    def _on_job_finished(self) -> None:
        self.busy = False
        self._set_busy(False)

    def reject(self) -> None:
        if not self.busy:  # never close while writing to the stick
            super().reject()
