"""The ID scan dialog: live camera with auto-capture (or an imported scan), read off the GUI thread, show the fields.

The camera runs while the dialog is shown: a `CameraFeed` worker finds the document in each frame and
auto-captures a sharp, steady one; "Read now" (or R) reads the newest frame at once. Import still works,
with or without a camera.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.errors import StationError
from station.i18n import tr
from station.scanning.document import CaptureSettings
from station.scanning.fill import MemberFields, from_mrz
from station.scanning.frames import (
    CameraInfo,
    SourceKind,
    list_cameras,
    load_camera_settings,
)
from station.scanning.idscan import ScanResult, load_image, scan_image
from station.scanning.station_codes import classify_code
from station.settings import load_section, save_section
from ui.camera.sources import SourcePicker
from ui.camera.worker import LatestFrame, bgr_to_qimage
from ui.scanning.feed import CameraFeed
from ui.scanning.fields_view import MemberFieldsView
from ui.scanning.live import LiveSettings, LiveState
from ui.scanning.preview import DocumentPreview
from ui.tasks import run_in_pool, run_off_thread

LIVE_SECTION, CAPTURE_SECTION = "id_scan", "document_capture"
FILE, AUTO, MANUAL = "file", "auto", "manual"  # where a frame to read came from
RECHECK = "recheck"  # an automatic capture read again thoroughly: its quick look saw a zone it could not read


class IdScanDialog(QDialog):
    fields_accepted = Signal(object)  # MemberFields
    household_requested = Signal(str)  # a registration number read from a station code
    result_shown = Signal(object)  # ScanResult, after the view was updated (tests, status bars)

    def __init__(
        self, parent: QWidget | None = None, pool: QThreadPool | None = None, *, source: str | None = None,
        home: Path | None = None, camera: bool = True, probe_cameras: bool = True, loop_files: bool = True,
    ) -> None:
        """`source` overrides the remembered camera ("0", a stream URL, a video file or an image-sequence
        pattern) and is not remembered; `camera=False` keeps the dialog import-only."""
        super().__init__(parent)
        self.setWindowTitle(tr("scanning.dialog.title"))
        self.pool = pool or QThreadPool.globalInstance()
        self.fields: MemberFields | None = None
        self.last_result: ScanResult | None = None
        self._home = home
        self.live_settings = load_section(LIVE_SECTION, LiveSettings, home)
        camera_settings = load_camera_settings(home)
        self._source = source or self.live_settings.source or camera_settings.source
        self._remember = source is None
        self._live_wanted = camera
        self.feed = CameraFeed(camera_settings, load_section(CAPTURE_SECTION, CaptureSettings, home),
                               self.live_settings, loop_files, self)
        self._build()
        self.feed.frame_ready.connect(self._on_feed_frame)
        self.feed.captured.connect(lambda frame: self.scan_frame(frame, AUTO))
        self.feed.state_changed.connect(self._on_feed_state)
        self.source_picker.fill(None, self._source)
        if camera and probe_cameras:
            self.source_picker.searching()
            run_in_pool(list_cameras, self._on_cameras_listed, lambda _k: self._on_cameras_listed([]), self)

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.source_picker = SourcePicker()
        self.source_picker.source_chosen.connect(self._on_source_chosen)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("camera.source.label")))
        top.addWidget(self.source_picker, 1)
        self.preview = DocumentPreview()
        self.preview.set_message(tr("scanning.dialog.hint"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.view = MemberFieldsView()
        self.import_button = QPushButton(tr("scanning.dialog.import"))
        self.camera_button = QPushButton(tr("scanning.dialog.camera"))
        self.read_button = QPushButton(tr("scanning.dialog.read_now"))
        self.read_button.setToolTip(tr("scanning.live.read_now_tip"))
        self.apply_button = QPushButton(tr("scanning.dialog.apply"))
        self.apply_button.setEnabled(False)
        cancel = QPushButton(tr("scanning.dialog.cancel"))
        self.import_button.clicked.connect(self._on_import_clicked)
        self.camera_button.clicked.connect(self._on_camera_clicked)
        self.read_button.clicked.connect(self.read_now)
        self.apply_button.clicked.connect(self._on_apply_clicked)
        cancel.clicked.connect(self.reject)
        # R reads now; a line edit with focus keeps its letters (it overrides single-key shortcuts).
        QShortcut(QKeySequence(Qt.Key.Key_R), self, self.read_now)
        QShortcut(QKeySequence("Ctrl+O"), self, self._on_import_clicked)
        self.import_button.setToolTip("Ctrl+O")
        for b in (self.import_button, self.camera_button, self.read_button, cancel):
            b.setAutoDefault(False)
        self.apply_button.setDefault(True)  # Enter puts a good reading into the form
        left = QVBoxLayout()
        left.addLayout(top)
        left.addWidget(self.preview, 1)
        left.addWidget(self.status)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addWidget(self.view, 2)
        buttons = QHBoxLayout()
        for b in (self.import_button, self.camera_button, self.read_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.apply_button)
        root = QVBoxLayout(self)
        root.addLayout(body, 1)
        root.addLayout(buttons)
        self._set_live_controls()

    def _set_live_controls(self) -> None:
        live = self.feed.running
        self.read_button.setEnabled(live)
        self.camera_button.setVisible(not live and bool(self._source))

    # -- camera ----------------------------------------------------------------------------------
    def start_camera(self, text: str | None = None) -> None:
        if text is not None:
            self._source = text
        if not self._source:
            return
        self._live_wanted = True
        self.preview.clear()
        self.feed.start(self._source)
        self._set_live_controls()

    def stop_camera(self) -> None:
        self.feed.stop()
        self._set_live_controls()

    def _on_cameras_listed(self, cameras: list[CameraInfo]) -> None:
        self.source_picker.fill(cameras, self._source)
        if self.source_picker.no_camera_found():
            self._say_no_camera()

    def _on_source_chosen(self, text: str) -> None:
        if self._remember:
            save_section(LIVE_SECTION, LiveSettings(**{**self.live_settings.__dict__, "source": text}), self._home)
        self.start_camera(text)

    def _on_camera_clicked(self) -> None:
        self.start_camera()

    def _on_feed_frame(self, latest: LatestFrame) -> None:
        view = latest.analysis
        self.preview.show_frame(latest.image, view)
        if view is not None:
            self.preview.set_message(tr(f"scanning.live.{view.state.value}"))

    def _on_feed_state(self, state: str) -> None:
        spec = self.feed.spec
        device = spec is not None and spec.kind is SourceKind.DEVICE
        if state == "lost" and device and self.feed.latest is None:
            self._say_no_camera()
        elif state == "failed":
            self._say(tr("scanning.live.source_failed"))
        elif state == "ended":  # the banner only: the status line keeps the last read's outcome
            self.preview.set_message(tr("scanning.live.ended"))
        elif state in ("opening", "lost"):
            self._say(tr(f"camera.state.{state}"))

    def _say_no_camera(self) -> None:
        self._say(tr("scanning.live.no_camera"))

    def _say(self, text: str) -> None:
        if not self.preview.still:
            self.preview.set_message(text)
        self.status.setText(text)
        self.status.setStyleSheet("")

    def read_now(self) -> None:
        """Read the newest camera frame at once (button and R)."""
        frame = self.feed.read_now() if self.feed.running else None
        if frame is None:
            self.status.setText(tr("scanning.live.no_frame"))
            return
        self.preview.set_message(tr("scanning.live.reading"))
        self.scan_frame(frame, MANUAL)

    # -- import and reading ----------------------------------------------------------------------
    def _on_import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("scanning.dialog.import"), "",
                                              tr("scanning.dialog.file_filter"))
        if path:
            self.scan_file(Path(path))

    def scan_file(self, path: Path) -> None:
        """Decode the file in the thread pool (a large scan must not freeze the window), then read it there."""
        self.status.setText(tr("scanning.dialog.reading"))
        self.status.setStyleSheet("")
        run_off_thread(lambda: load_image(path), self._on_file_loaded,
                       lambda error: self._on_scan_failed(error, FILE), self, self.pool, fallback=None)

    def _on_file_loaded(self, image: np.ndarray | None) -> None:
        if image is None:
            self.status.setText(tr("scanning.reason.not_image"))
            return
        self._live_wanted = False  # the clerk chose a file: free the camera ("Use camera" brings it back)
        self.stop_camera()
        self.preview.show_still(bgr_to_qimage(image), None)
        self.preview.set_message("")
        self.scan_frame(image)

    def scan_frame(self, image: np.ndarray, origin: str = FILE) -> None:
        """Read a frame in the thread pool; AUTO and MANUAL mark camera captures (the feed waits for their result)."""
        self.status.setText(tr("scanning.dialog.reading"))
        self.status.setStyleSheet("")
        frame = image.copy()
        # automatic captures come frame after frame: a quick look each, within idscan.LIVE_BUDGET_S; one that
        # saw a zone but did not read it valid is read again thoroughly (show_result), the feed still waiting
        thorough = origin != AUTO
        run_off_thread(lambda: scan_image(frame, thorough=thorough),
                       lambda result: self.show_result(frame, result, origin),
                       lambda error: self._on_scan_failed(error, origin), self, self.pool, fallback=None)

    def _on_scan_failed(self, error: StationError, origin: str) -> None:
        """The reader itself failed (not "nothing found"): say so, and let a live camera look again."""
        if origin != FILE and self.feed.running:
            self.feed.read_finished(False)
        self.status.setText(error.message())
        self.status.setStyleSheet("color: #b00020;")

    def show_result(self, image: np.ndarray, result: ScanResult, origin: str = FILE) -> None:
        live = origin != FILE
        if live and not self.feed.running:
            return  # the camera was stopped (file imported, dialog closing): a late read is stale
        if origin == AUTO and (result.reason == "scanning.reason.unreadable"
                               or (result.mrz is not None and not result.mrz.valid)):
            self.scan_frame(image, RECHECK)
            return
        self.last_result = result
        if live:
            self.feed.read_finished(result.mrz is not None or bool(result.barcodes))
            state = LiveState.DONE if result.mrz is not None or result.barcodes else LiveState.SEARCHING
            self.preview.set_state(state)
            self.preview.set_message(tr(f"scanning.live.{state.value}"))
        else:
            self.preview.show_still(bgr_to_qimage(image), result.document_corners)
        for code in result.barcodes:
            match = classify_code(code.text)
            if match.regno is not None:
                self.household_requested.emit(str(match.regno))
        if result.mrz is None:
            if origin in (AUTO, RECHECK):  # a new document came into view: the fields shown belong to the last one
                self.fields = None
                self.view.clear()
                self.apply_button.setEnabled(False)
            self.status.setText(tr(result.reason))
            self.result_shown.emit(result)
            return
        self.fields = from_mrz(result.mrz)
        self.view.set_fields(self.fields)
        self.status.setText(tr("scanning.dialog.valid" if result.mrz.valid else "scanning.dialog.invalid"))
        self.status.setStyleSheet("" if result.mrz.valid else "color: #c62828; font-weight: bold;")
        self.apply_button.setEnabled(True)
        self.result_shown.emit(result)

    def _on_apply_clicked(self) -> None:
        if self.fields is not None:
            self.fields_accepted.emit(self.fields)
            self.accept()

    # -- showing and closing ---------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._live_wanted and not self.feed.running:
            self.start_camera()

    def hideEvent(self, event: QHideEvent) -> None:
        self.stop_camera()
        super().hideEvent(event)

    def done(self, r: int) -> None:
        self.stop_camera()
        super().done(r)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_camera()
        super().closeEvent(event)
