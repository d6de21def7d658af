"""CameraFeed: one CaptureWorker with a LiveDocumentTracker hook; newest frames and auto-captures for the GUI."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from station.scanning.document import CaptureSettings
from station.scanning.frames import CameraSettings, SourceSpec
from ui.camera.worker import CaptureWorker, LatestFrame
from ui.scanning.live import LiveDocumentTracker, LiveSettings

_FINISHING: set[CaptureWorker] = set()  # asked to stop but still inside a blocking stream read


def stop_worker(worker: CaptureWorker, timeout_ms: int = 3000) -> None:
    """requestInterruption + wait; a worker still blocked in OpenCV is kept alive until it ends (never terminate)."""
    for signal in (worker.frame_available, worker.state_changed):  # the only two CameraFeed connects
        signal.disconnect()
    if worker.stop(timeout_ms):
        worker.deleteLater()
        return
    _FINISHING.add(worker)

    def forget() -> None:
        _FINISHING.discard(worker)
        worker.deleteLater()

    worker.finished.connect(forget)


class CameraFeed(QObject):
    """Start a source, paint `frame_ready`, read `captured` frames, then call `read_finished(ok)`."""

    frame_ready = Signal(object)  # LatestFrame whose analysis is a DocumentView (or None)
    captured = Signal(object)  # a BGR frame (own copy) to read
    state_changed = Signal(str)  # SourceState value

    def __init__(
        self, camera: CameraSettings, capture: CaptureSettings | None = None, live: LiveSettings | None = None,
        loop_files: bool = True, parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.camera = camera
        self.capture = capture or CaptureSettings()
        self.live = live or LiveSettings()
        self.loop_files = loop_files
        self.worker: CaptureWorker | None = None
        self.tracker: LiveDocumentTracker | None = None
        self.spec: SourceSpec | None = None
        self.latest: LatestFrame | None = None
        self.state = ""

    @property
    def running(self) -> bool:
        return self.worker is not None

    def start(self, text: str) -> None:
        self.stop()
        self.spec = SourceSpec.parse(text, self.camera.width, self.camera.height, loop=self.loop_files)
        self.tracker = LiveDocumentTracker(self.capture, self.live)
        self.latest = None
        self.worker = CaptureWorker(self.spec, self.camera, processor=self.tracker)
        self.worker.frame_available.connect(self._on_worker_frame)
        self.worker.state_changed.connect(self._on_worker_state)
        self._on_worker_state("opening")
        self.worker.start()

    def stop(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            stop_worker(worker)

    def _on_worker_frame(self) -> None:
        latest = self.worker.take_latest() if self.worker is not None else None
        if latest is None:
            return
        self.latest = latest
        self.frame_ready.emit(latest)
        frame = self.tracker.take_capture() if self.tracker is not None else None
        if frame is not None:
            self.captured.emit(frame)

    def _on_worker_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    def read_now(self) -> np.ndarray | None:
        """The newest frame, marked as being read (None when no frame has arrived)."""
        if self.worker is not None:
            newer = self.worker.take_latest()
            if newer is not None and newer is not self.latest:
                self.latest = newer
                self.frame_ready.emit(newer)
        if self.latest is None or self.tracker is None:
            return None
        self.tracker.capture_now()
        return self.latest.frame.copy()

    def read_finished(self, ok: bool) -> None:
        if self.tracker is not None:
            self.tracker.read_finished(ok)
