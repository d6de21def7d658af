"""Print dialog: preview (pypdfium2), printer picker, print or save as PDF off the GUI thread, retry on failure.

Printing goes through CUPS (`lp`, watched over IPP) where its client tools exist, otherwise through Qt's
QPrinter (Windows); see ui/printing/qt_printer.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from station.db.uow import Database
from station.domain.roles import Actor
from station.errors import StationError
from station.i18n import tr
from station.printing import profiles, spool
from station.services import printing as svc
from ui.printing import qt_printer
from ui.printing.pdf_pages import render_pages
from ui.tasks import run_off_thread

PREVIEW_DPI = 300
PREVIEW_MAX_SIDE_PX = 1600  # a card at 300 dpi; an A4 sheet or a wristband at about 140 dpi


class PagePreview(QScrollArea):
    """The job's pages one under the other, each scaled to fit the view (what QPdfView's FitInView did)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner = QWidget()
        self._layout = QVBoxLayout(inner)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWidget(inner)
        self.setStyleSheet("QScrollArea { background: palette(dark); }")
        self._images: list[QImage] = []
        self._labels: list[QLabel] = []

    def page_count(self) -> int:
        return len(self._images)

    def set_pages(self, images: list[QImage]) -> None:
        for label in self._labels:
            self._layout.removeWidget(label)
            label.deleteLater()
        self._images, self._labels = list(images), []
        for _ in self._images:
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._layout.addWidget(label)
            self._labels.append(label)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        room = self.viewport().size()
        w, h = max(32, room.width() - 24), max(32, room.height() - 24)
        for label, image in zip(self._labels, self._images, strict=True):
            label.setPixmap(QPixmap.fromImage(image).scaled(
                w, h, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))


class PrintDialog(QDialog):
    """Preview the document for one household, pick a printer, print (kept for retry if it fails)."""

    printed = Signal(str, str)  # kind, job reference (or "pdf")

    def __init__(self, db: Database, actor: Actor, household_id: str, kind: str = "card",
                 parent: QWidget | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor, self.household_id = db, actor, household_id
        self.pool = pool or QThreadPool.globalInstance()
        self.settings = profiles.load_print_settings()
        self.job: svc.PrintJob | None = None
        self.backend: Any = qt_printer if qt_printer.preferred() else spool
        self.setWindowTitle(tr("printing.dialog.title"))  # never personal data in a window title
        self.kind_box = QComboBox()
        for k in svc.KINDS:
            self.kind_box.addItem(tr(f"printing.kind.{k}"), k)
        self.kind_box.setCurrentIndex(list(svc.KINDS).index(kind))
        self.printer_box = QComboBox()
        self.reason = QLineEdit()
        self.reason_label = QLabel(tr("printing.dialog.reprint_reason"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.preview = PagePreview(self)
        self.preview.setMinimumSize(520, 360)
        self.print_button = QPushButton(tr("printing.dialog.print"))
        self.save_button = QPushButton(tr("printing.dialog.save_pdf"))
        close = self.close_button = QPushButton(tr("printing.dialog.close"))
        self._printed_once = False
        form = QFormLayout()
        form.addRow(tr("printing.dialog.kind"), self.kind_box)
        form.addRow(tr("printing.dialog.printer"), self.printer_box)
        form.addRow(self.reason_label, self.reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for b in (self.save_button, self.print_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview, 1)
        layout.addLayout(buttons)
        self.kind_box.currentIndexChanged.connect(self._on_kind_changed)
        self.reason.editingFinished.connect(self._prepare)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        close.clicked.connect(self.reject)
        self._set_busy(True)
        self._run(self.backend.list_printers, self._on_printers_listed)
        self._prepare()

    # --- helpers ---------------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return str(self.kind_box.currentData())

    def _run(self, fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """`fn` on the pool; `done(result)`, or any failure shown in the status line, on the GUI thread."""
        run_off_thread(fn, done, self._on_task_failed, self, self.pool, fallback=None)

    def _set_busy(self, busy: bool) -> None:
        self.print_button.setEnabled(not busy and self.job is not None and self.printer_box.count() > 0)
        self.save_button.setEnabled(not busy and self.job is not None)

    def _build(self) -> svc.PrintJob:
        reason = self.reason.text()
        with self.db.uow() as uow:
            if self.kind == "wristband":
                return svc.prepare_wristbands(uow, self.actor, [self.household_id], reason=reason,
                                              settings=self.settings)
            return svc.prepare_cards(uow, self.actor, [self.household_id], kind=self.kind, reason=reason,
                                     settings=self.settings)

    def _build_with_preview(self) -> tuple[svc.PrintJob, list[QImage]]:
        job = self._build()
        return job, render_pages(job.pdf, PREVIEW_DPI, max_side_px=PREVIEW_MAX_SIDE_PX)

    def _prepare(self) -> None:
        self.job = None
        self.status.setText(tr("printing.dialog.preparing"))
        self._set_busy(True)
        self._run(self._build_with_preview, self._on_job_ready)

    # --- slots -----------------------------------------------------------------------------------------
    def _on_kind_changed(self, _index: int) -> None:
        self._select_profile_printer()
        self._prepare()

    def _on_printers_listed(self, printers: list[spool.PrinterInfo]) -> None:
        self.printer_box.clear()
        for p in printers:
            self.printer_box.addItem(p.name, p.name)
        if not printers:
            self.status.setText(tr("printing.dialog.no_printers"))
        self._select_profile_printer()
        self._set_busy(False)

    def _select_profile_printer(self) -> None:
        wanted = profiles.load_profiles().for_kind(self.kind)
        idx = self.printer_box.findData(wanted) if wanted else -1
        if idx >= 0:
            self.printer_box.setCurrentIndex(idx)

    def _on_job_ready(self, result: tuple[svc.PrintJob, list[QImage]]) -> None:
        job, pages = result
        self.job = job
        self.preview.set_pages(pages)
        self.print_button.setDefault(True)  # Enter prints once the preview is there
        needs_reason = job.is_reprint
        self.reason_label.setVisible(needs_reason)
        self.reason.setVisible(needs_reason)
        issue = max((i.issue for i in job.items), default=1) - 1
        self.status.setText(tr("printing.dialog.reprint_warning", issue=issue) if needs_reason and issue else "")
        self._set_busy(False)

    def _on_task_failed(self, error: StationError) -> None:
        if error.code == "printing.error.reason_required":  # a reprint: ask for the reason, calmly
            self.reason_label.setVisible(True)
            self.reason.setVisible(True)
            self.reason.setFocus()
            self.status.setText(tr("printing.dialog.reprint_needs_reason"))
            self._set_busy(False)
            return
        self.status.setText(error.message())
        self.print_button.setText(tr("printing.dialog.retry"))
        self._set_busy(False)

    def _on_print_clicked(self) -> None:
        if self._printed_once and self.job is None:  # "Print again": now it is a reprint, with its reason
            self._printed_once = False
            self.print_button.setText(tr("printing.dialog.print"))
            self._prepare()
            return
        job, printer = self.job, str(self.printer_box.currentData() or "")
        if job is None or not printer:
            return
        self.status.setText(tr("printing.dialog.sending"))
        self._set_busy(True)
        wait = self.settings.job_wait_seconds

        def send() -> tuple[str, str]:
            result = self.backend.send(job.pdf, printer, job.title, job.page_mm, wait_seconds=wait)
            with self.db.uow() as uow:  # recorded only after the spooler accepted the job
                svc.record_printed(uow, self.actor, job, printer=printer, job_ref=result.job_ref)
            profiles.remember_printer(job.kind, printer)
            return printer, result.job_ref

        self._run(send, self._on_printed)

    def _on_printed(self, result: tuple[str, str]) -> None:
        printer, job_ref = result
        self.status.setText(tr("printing.dialog.accepted", printer=printer, job=job_ref))
        self.printed.emit(self.kind, job_ref)
        self._show_done()

    def _show_done(self) -> None:
        """Success stays on screen; printing once more is a deliberate reprint ("Print again"), never automatic."""
        self.job = None
        self._printed_once = True
        self.reason_label.setVisible(False)
        self.reason.setVisible(False)
        self.print_button.setText(tr("printing.dialog.print_again"))
        self.print_button.setEnabled(self.printer_box.count() > 0)
        self.save_button.setEnabled(False)
        self.print_button.setDefault(False)
        self.close_button.setDefault(True)
        self.close_button.setFocus()

    def _on_save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("printing.dialog.save_pdf"), "",
                                              tr("printing.dialog.pdf_filter"))
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        job = self.job
        if job is None:
            return
        self._set_busy(True)

        def save() -> tuple[str, str]:
            svc.save_pdf(job, path)
            with self.db.uow() as uow:
                svc.record_printed(uow, self.actor, job, printer="pdf", job_ref=job.job_id)
            return "pdf", job.job_id

        def saved(result: tuple[str, str]) -> None:
            self.status.setText(tr("printing.dialog.saved"))
            self.printed.emit(self.kind, "pdf")
            self._show_done()

        self._run(save, saved)
