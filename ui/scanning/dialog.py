"""The ID scan dialog: import a scan (or feed camera frames), read it off the GUI thread, show the fields."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.i18n import tr
from station.scanning.codes import classify_code
from station.scanning.fill import MemberFields, from_mrz
from station.scanning.idscan import ScanResult, load_image, scan_image
from ui.scanning.fields_view import MemberFieldsView


class _Signals(QObject):
    done = Signal(object, object)  # (image, ScanResult)


class _ScanTask(QRunnable):
    def __init__(self, image: np.ndarray) -> None:
        super().__init__()
        self.image = image
        self.signals = _Signals()

    def run(self) -> None:
        self.signals.done.emit(self.image, scan_image(self.image))


class IdScanDialog(QDialog):
    fields_accepted = Signal(object)  # MemberFields
    household_requested = Signal(str)  # a registration number read from a station code

    def __init__(self, parent: QWidget | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("scanning.dialog.title"))
        self.pool = pool or QThreadPool.globalInstance()
        self.fields: MemberFields | None = None
        self._tasks: list[_ScanTask] = []
        self.preview = QLabel(tr("scanning.dialog.hint"))
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(420, 270)
        self.preview.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.view = MemberFieldsView()
        self.import_button = QPushButton(tr("scanning.dialog.import"))
        self.apply_button = QPushButton(tr("scanning.dialog.apply"))
        self.apply_button.setEnabled(False)
        cancel = QPushButton(tr("scanning.dialog.cancel"))
        self.import_button.clicked.connect(self._on_import_clicked)
        self.apply_button.clicked.connect(self._on_apply_clicked)
        cancel.clicked.connect(self.reject)
        left = QVBoxLayout()
        left.addWidget(self.preview, 1)
        left.addWidget(self.status)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.apply_button)
        root = QVBoxLayout(self)
        root.addLayout(body, 1)
        root.addLayout(buttons)

    def _on_import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("scanning.dialog.import"), "",
                                              tr("scanning.dialog.file_filter"))
        if path:
            self.scan_file(Path(path))

    def scan_file(self, path: Path) -> None:
        image = load_image(path)
        if image is None:
            self.status.setText(tr("scanning.reason.not_image"))
            return
        self.scan_frame(image)

    def scan_frame(self, image: np.ndarray) -> None:
        """Read a frame in the thread pool (a camera worker can call this with a copied frame)."""
        self.status.setText(tr("scanning.dialog.reading"))
        task = _ScanTask(image.copy())
        task.signals.done.connect(self.show_result)
        self._tasks.append(task)
        self.pool.start(task)

    def show_result(self, image: np.ndarray, result: ScanResult) -> None:
        self._tasks = [t for t in self._tasks if t.image is not image]
        self._show_image(image)
        for code in result.barcodes:
            match = classify_code(code.text)
            if match.regno is not None:
                self.household_requested.emit(str(match.regno))
        if result.mrz is None:
            self.status.setText(tr(result.reason))
            return
        self.fields = from_mrz(result.mrz)
        self.view.set_fields(self.fields)
        self.status.setText(tr("scanning.dialog.valid" if result.mrz.valid else "scanning.dialog.invalid"))
        self.status.setStyleSheet("" if result.mrz.valid else "color: #c62828; font-weight: bold;")
        self.apply_button.setEnabled(True)

    def _show_image(self, image: np.ndarray) -> None:
        rgb = np.ascontiguousarray(image[..., ::-1])
        h, w = rgb.shape[:2]
        qimg = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.preview.setPixmap(QPixmap.fromImage(qimg).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    def _on_apply_clicked(self) -> None:
        if self.fields is not None:
            self.fields_accepted.emit(self.fields)
            self.accept()
