"""CameraDialog: live preview with a framing guide, Space to take the photo, review, keep (or keep anyway) or retake.

Emits `portrait_accepted(jpeg: bytes, quality: dict, override_reason: str)`; the main window connects it
to `station.services.photos.save_portrait(...)`. An empty override_reason means the photo passed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from station import settings
from station.i18n import tr
from station.scanning.faces import DetectorSettings, FaceDetector, FaceTracker
from station.scanning.frames import (
    RESOLUTIONS,
    CameraSettings,
    SourceSpec,
    list_cameras,
    load_camera_settings,
    save_camera_settings,
)
from station.scanning.image_io import ImageLimits, load_image_file
from station.scanning.photo_quality import LiveAssessor, QualityThresholds
from station.scanning.portrait import PortraitResult, PortraitSpec, make_portrait
from ui.camera.overlay import PreviewWidget
from ui.camera.override import OverrideDialog
from ui.camera.sources import SourcePicker
from ui.camera.worker import CaptureWorker, bgr_to_qimage
from ui.tasks import run_in_pool

_FINISHING: set[CaptureWorker] = set()  # workers asked to stop that are still inside a blocking read


def _forget(worker: CaptureWorker) -> None:
    _FINISHING.discard(worker)
    worker.deleteLater()


class CameraDialog(QDialog):
    portrait_accepted = Signal(bytes, dict, str)

    def __init__(
        self, parent: QWidget | None = None, home: Path | None = None, source: str | None = None,
        probe_cameras: bool = True, loop_files: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("camera.dialog.title"))
        self._home = home
        self.settings: CameraSettings = load_camera_settings(home)
        self.thresholds = settings.load(QualityThresholds, home)
        self.spec = settings.load(PortraitSpec, home)
        self.limits = settings.load(ImageLimits, home)
        self.detector_settings = settings.load(DetectorSettings, home)
        self._loop_files = loop_files
        self.worker: CaptureWorker | None = None
        self.portrait: PortraitResult | None = None
        self.space_pressed_at = 0.0
        self.still_latency_s = 0.0
        self._build()
        if source is not None:
            self._start_source(source, remember=False)
        elif self.settings.source:
            self._start_source(self.settings.source, remember=False)
        self.source_combo.fill(None, self.settings.source)
        if probe_cameras:
            self.source_combo.searching()
            run_in_pool(list_cameras, lambda cams: self.source_combo.fill(cams, self.settings.source),
                        lambda _k: self.source_combo.fill([], self.settings.source), self)

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.source_combo = SourcePicker(self)  # the same picker as the ID-scan dialog
        self.res_combo = QComboBox()
        for w, h in RESOLUTIONS:
            self.res_combo.addItem(f"\u2066{w} × {h}\u2069", (w, h))  # isolated left-to-right: never "480 x 640"
        idx = self.res_combo.findData((self.settings.width, self.settings.height))
        self.res_combo.setCurrentIndex(max(0, idx))
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("camera.source.label")))
        top.addWidget(self.source_combo, 1)
        top.addWidget(QLabel(tr("camera.resolution.label")))
        top.addWidget(self.res_combo)
        self.status = QLabel()
        self.preview = PreviewWidget()
        self.preview.thresholds, self.preview.spec = self.thresholds, self.spec
        self.review_image = QLabel()
        self.review_image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.review_text = QLabel()
        self.review_text.setWordWrap(True)
        review = QWidget()
        rl = QHBoxLayout(review)
        rl.addWidget(self.review_image, 1)
        rl.addWidget(self.review_text, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.preview)
        self.stack.addWidget(review)
        self.take_btn = QPushButton(tr("camera.button.take"))
        self.import_btn = QPushButton(tr("camera.button.import"))
        self.retake_btn = QPushButton(tr("camera.button.retake"))
        self.keep_btn = QPushButton(tr("camera.button.keep"))
        self.keep_anyway_btn = QPushButton(tr("camera.button.keep_anyway"))
        self.cancel_btn = QPushButton(tr("camera.button.cancel"))
        buttons = QHBoxLayout()
        for b in (self.take_btn, self.import_btn, self.retake_btn, self.keep_btn, self.keep_anyway_btn):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space belongs to "take photo"
            buttons.addWidget(b)
        for b in (*self._action_buttons(), self.cancel_btn):
            b.setAutoDefault(False)  # Enter does what the screen offers (take, keep, retake), never Cancel
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_btn)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.take_btn.clicked.connect(self.take_photo)
        self.import_btn.clicked.connect(self._on_import_clicked)
        self.retake_btn.clicked.connect(self.retake)
        self.keep_btn.clicked.connect(lambda: self.keep(""))
        self.keep_anyway_btn.clicked.connect(self._on_keep_anyway_clicked)
        self.cancel_btn.clicked.connect(self.reject)
        self.source_combo.source_chosen.connect(self._start_source)
        self.res_combo.activated.connect(lambda _i: self._start_source(self.settings.source))
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.take_photo)
        QShortcut(QKeySequence(Qt.Key.Key_Backspace), self, self._on_retake_key)
        QShortcut(QKeySequence("Ctrl+O"), self, self._on_import_clicked)
        self.resize(900, 680)
        self._set_mode_live()

    # -- sources ---------------------------------------------------------------------------------
    def _start_source(self, text: str, remember: bool = True) -> None:
        self._stop_worker()
        w, h = self.res_combo.currentData() or (self.settings.width, self.settings.height)
        self.settings = CameraSettings(**{**self.settings.__dict__, "source": text, "width": w, "height": h})
        if remember:
            save_camera_settings(self.settings, self._home)
        spec = SourceSpec.parse(text, w, h, loop=self._loop_files)
        detector = FaceDetector(self.detector_settings)

        def still(frame: Any) -> PortraitResult:  # a BGR frame (numpy array)
            return make_portrait(frame, detector, self.thresholds, self.spec)

        self.worker = CaptureWorker(spec, self.settings, processor=LiveAssessor(self.thresholds, FaceTracker(detector)),
                                    still_processor=still)
        self.worker.frame_available.connect(self._on_worker_frame)
        self.worker.state_changed.connect(self._on_worker_state)
        self.worker.still_ready.connect(self._show_result)
        self.worker.still_failed.connect(self._on_failed)
        self.preview.clear()
        self._ever_live = False
        self._on_worker_state("opening")
        self.worker.start()

    def _stop_worker(self) -> None:
        worker, self.worker = self.worker, None
        if worker is None:
            return
        for signal in (worker.frame_available, worker.state_changed, worker.still_ready, worker.still_failed):
            signal.disconnect()
        if worker.stop(3000):
            worker.deleteLater()
        else:
            # A stream read still blocked in OpenCV (its own timeout ends it): never terminate(), never
            # destroy a running QThread; keep it referenced until it finishes by itself.
            _FINISHING.add(worker)
            worker.finished.connect(lambda w=worker: _forget(w))

    def _on_worker_frame(self) -> None:
        latest = self.worker.take_latest() if self.worker is not None else None
        if latest is not None and self.stack.currentIndex() == 0:
            self.preview.show_frame(latest.image, latest.analysis)

    def _action_buttons(self) -> tuple[QPushButton, ...]:
        return (self.take_btn, self.import_btn, self.retake_btn, self.keep_btn, self.keep_anyway_btn)

    def _make_default(self, button: QPushButton) -> None:
        """The button Enter presses: Take while live, Keep for a good photo, Retake for a failed one."""
        for b in self._action_buttons():
            b.setDefault(b is button)

    def _on_retake_key(self) -> None:
        if self.stack.currentIndex() == 1:
            self.retake()

    def _on_worker_state(self, state: str) -> None:
        if state == "live":
            self._ever_live = True
        elif state == "lost" and not getattr(self, "_ever_live", False):
            state = "absent"  # never answered: say so and offer a file, instead of "reconnecting..." forever
        self.status.setText(tr(f"camera.state.{state}"))
        self.preview.set_message("" if state == "live" else tr(f"camera.state.{state}"))

    # -- taking, importing, reviewing -----------------------------------------------------------
    def take_photo(self) -> None:
        if self.stack.currentIndex() != 0 or self.worker is None or not self.take_btn.isEnabled():
            return
        self.space_pressed_at = time.perf_counter()
        self.take_btn.setEnabled(False)
        self.status.setText(tr("camera.working"))
        self.worker.request_still()

    def _on_import_clicked(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, tr("camera.import.title"), "", tr("camera.import.filter"))
        if path:
            self.import_file(path)

    def import_file(self, path: str | Path) -> None:
        """Decode (safely) and check an image file off the GUI thread, then show the review."""
        self.status.setText(tr("camera.working"))
        self.space_pressed_at = time.perf_counter()
        limits, thresholds, spec, det = self.limits, self.thresholds, self.spec, self.detector_settings
        run_in_pool(lambda: make_portrait(load_image_file(path, limits), FaceDetector(det), thresholds, spec),
                    self._show_result, self._on_failed, self)

    def _on_failed(self, key: str) -> None:
        self.take_btn.setEnabled(True)
        self.status.setText(tr(key))

    def _show_result(self, result: PortraitResult) -> None:
        self.still_latency_s = time.perf_counter() - self.space_pressed_at
        self.portrait = result
        img: QImage = bgr_to_qimage(result.image)
        self.review_image.setPixmap(QPixmap.fromImage(img).scaledToHeight(
            min(520, max(200, self.stack.height() - 20)), Qt.TransformationMode.SmoothTransformation))
        if result.passed:
            self.review_text.setText(tr("camera.review.passed"))
        else:
            items = "".join(f"<li>{tr(k)}</li>" for k in result.report.reasons)
            self.review_text.setText(f"<b>{tr('camera.review.failed')}</b><ul>{items}</ul>")
        self.status.setText(tr("camera.check.pass") if result.passed else tr("camera.check.fail"))
        self.stack.setCurrentIndex(1)
        self.take_btn.setVisible(False)
        self.import_btn.setVisible(True)
        self.retake_btn.setVisible(True)
        self.keep_btn.setVisible(result.passed)
        self.keep_anyway_btn.setVisible(not result.passed)
        self._make_default(self.keep_btn if result.passed else self.retake_btn)

    def _set_mode_live(self) -> None:
        self.stack.setCurrentIndex(0)
        self.take_btn.setVisible(True)
        self.take_btn.setEnabled(True)
        self.retake_btn.setVisible(False)
        self.keep_btn.setVisible(False)
        self.keep_anyway_btn.setVisible(False)
        self._make_default(self.take_btn)

    def retake(self) -> None:
        self.portrait = None
        self._set_mode_live()
        if self.worker is not None:
            self._on_worker_state(self.worker.state)

    def _on_keep_anyway_clicked(self) -> None:
        dlg = OverrideDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.keep(dlg.reason())

    def keep(self, override_reason: str) -> None:
        if self.portrait is None or (not self.portrait.passed and not override_reason):
            return
        quality = dict(self.portrait.quality)
        quality["override"] = bool(override_reason)
        self.portrait_accepted.emit(self.portrait.jpeg, quality, override_reason)
        self.accept()

    # -- shutdown --------------------------------------------------------------------------------
    def done(self, r: int) -> None:
        self._stop_worker()
        super().done(r)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_worker()
        super().closeEvent(event)
