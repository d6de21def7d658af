"""Import dialog (office): choose packs and the office key, then check and merge them one by one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from station.errors import StationError
from station.export.crypto import load_private_key
from station.i18n import tr
from station.services import export as ex
from station.services.pack_import import ImportResult, import_pack
from station.services.station import StationContext
from ui.tasks import run_task


def describe(res: ImportResult) -> str:
    if res.already_imported:
        return tr("export.cli.already", file=res.file)
    st = res.stats
    lines = [tr("export.cli.imported", file=res.file, added=tr("count.households", n=st.households_added),
                updated=tr("count.households", n=st.households_updated),
                kept=tr("count.households", n=st.households_kept_local),
                portraits=tr("count.portraits", n=st.portraits), events=tr("count.audit_events", n=st.audit_added))]
    lines += [tr("export.cli.chain_incomplete", station=s) for s, state in res.chains.items() if state != "complete"]
    return "\n".join(lines)


class ImportDialog(QDialog):
    imports_finished = Signal(list)  # list[ImportResult]

    def __init__(self, ctx: StationContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx, self.busy = ctx, False
        self.setWindowTitle(tr("import.ui.title"))
        self.setMinimumWidth(560)
        self.packs = QListWidget()
        self.add_button = QPushButton(tr("import.ui.add"))
        self.key_button = QPushButton(tr("import.ui.key"))
        self.key_label = QLabel()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(tr("import.ui.passphrase"))
        self.progress = QProgressBar()
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.import_button = QPushButton(tr("import.ui.import"))
        self.close_button = QPushButton(tr("export.ui.close"))
        self.key_path: Path | None = None
        row = QHBoxLayout()
        row.addWidget(self.key_button)
        row.addWidget(self.key_label, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.packs)
        layout.addLayout(row)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.progress)
        layout.addWidget(self.log)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.key_button.clicked.connect(self._on_key_clicked)
        self.import_button.clicked.connect(self.start_import)
        self.close_button.clicked.connect(self.reject)

    def add_packs(self, paths: list[Path]) -> None:
        for p in paths:
            self.packs.addItem(str(p))

    def set_key(self, path: Path) -> None:
        self.key_path = path
        self.key_label.setText(path.name)

    def _on_add_clicked(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, tr("import.ui.add"), "", "*.rspack")
        self.add_packs([Path(f) for f in files])

    def _on_key_clicked(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self, tr("import.ui.key"))
        if file:
            self.set_key(Path(file))

    def start_import(self) -> None:
        paths = [Path(self.packs.item(i).text()) for i in range(self.packs.count())]
        if not paths or self.key_path is None or self.busy:
            return
        key_path, secret, ctx = self.key_path, self.passphrase.text(), self.ctx

        def job(progress: Callable[[int, int], None]) -> list[ImportResult]:
            private = load_private_key(key_path, secret)
            results: list[ImportResult] = []
            for i, path in enumerate(paths):
                def step(done: int, size: int, i: int = i) -> None:
                    progress(i * 1000 + 1000 * done // max(size, 1), 1000 * len(paths))

                results.append(import_pack(ctx.db, ctx.actor, path, private, step))
            return results

        self._busy(True)
        self.busy = True
        run_task(job, self._on_job_succeeded, self._on_job_failed, self,
                 on_progress=lambda d, t: self.progress.setValue(int(100 * d / t) if t else 100),
                 fallback=None)

    def _busy(self, busy: bool) -> None:
        for w in (self.import_button, self.close_button, self.add_button, self.key_button, self.passphrase):
            w.setEnabled(not busy)

    def _on_job_succeeded(self, results: list[ImportResult]) -> None:
        self._on_job_finished()
        self.progress.setValue(100)
        self.log.setPlainText("\n".join([describe(r) for r in results] + [tr("import.ui.done")]))
        self.passphrase.clear()
        self.imports_finished.emit(results)

    def _on_job_failed(self, error: StationError) -> None:
        self._on_job_finished()
        self.log.appendPlainText(error.message())

    def _on_job_finished(self) -> None:
        self.busy = False
        self._busy(False)

    def reject(self) -> None:
        if not self.busy:
            super().reject()


class ReportDialog(QDialog):
    """Pick a day and save its report PDF (the 'Day report' button of the main window opens this)."""

    report_saved = Signal(str)

    def __init__(self, ctx: StationContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("report.title"))
        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.save_button = QPushButton(tr("report.ui.button"))
        self.status = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.day)
        layout.addWidget(self.save_button)
        layout.addWidget(self.status)
        self.save_button.clicked.connect(self._on_save_clicked)

    def _on_save_clicked(self) -> None:
        file, _ = QFileDialog.getSaveFileName(self, tr("report.ui.button"), "report.pdf", "*.pdf")
        if file:
            self.save(Path(file))

    def save(self, path: Path) -> None:
        q = self.day.date()
        day, ctx = date(q.year(), q.month(), q.day()), self.ctx
        self.save_button.setEnabled(False)

        def saved(_result: object) -> None:
            self.save_button.setEnabled(True)
            self.status.setText(tr("export.cli.report_written", file=path.name))
            self.report_saved.emit(str(path))

        def failed(error: StationError) -> None:
            self.save_button.setEnabled(True)
            self.status.setText(error.message())

        run_task(lambda _progress: ex.day_report(ctx.db, ctx.actor, day, path), saved, failed, self)
