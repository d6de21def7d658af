"""CaptureWorker: a QThread that reads a FrameSource, runs a per-frame hook, and hands the GUI only the newest frame.

Reusable API (the ID-scan dialog uses it too):

    worker = CaptureWorker(SourceSpec.parse("0", 1280, 720), processor=my_hook)
    worker.frame_available.connect(lambda: show(worker.take_latest()))
    worker.state_changed.connect(...)          # SourceState value as str
    worker.start(); ...; worker.stop()          # stop = requestInterruption + wait, never terminate

`processor(frame_bgr) -> object` runs in the worker thread on each frame (keep it under a frame
time, or set `process_every`); its result travels with the frame in `LatestFrame.analysis`. The
worker never queues frames: while the GUI has not taken the last one, newer frames replace it
(counted in `dropped`). `request_still()` runs `still_processor` on the newest frame in the worker
thread and emits `still_ready(result)` or `still_failed(message_key)`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from station.errors import StationError
from station.logsafe import log_failure
from station.scanning.frames import CameraSettings, FrameSource, SourceSpec, SourceState

log = logging.getLogger(__name__)


def bgr_to_qimage(frame: np.ndarray) -> QImage:
    """A QImage that owns a copy of the pixels (safe after the numpy buffer is reused)."""
    h, w = frame.shape[:2]
    return QImage(frame.data, w, h, int(frame.strides[0]), QImage.Format.Format_BGR888).copy()


@dataclass(frozen=True)
class LatestFrame:
    frame: np.ndarray  # BGR
    image: QImage
    analysis: Any  # what the processor returned (None without a processor)
    seq: int
    captured_at: float  # time.monotonic() when read


class CaptureWorker(QThread):
    frame_available = Signal()
    state_changed = Signal(str)
    still_ready = Signal(object)
    still_failed = Signal(str)

    def __init__(
        self,
        spec: SourceSpec,
        settings: CameraSettings | None = None,
        processor: Callable[[np.ndarray], Any] | None = None,
        still_processor: Callable[[np.ndarray], Any] | None = None,
        process_every: int = 1,
        source_factory: Callable[[SourceSpec, CameraSettings], FrameSource] | None = None,
    ) -> None:
        super().__init__()
        self.spec = spec
        self.settings = settings or CameraSettings()
        self.processor = processor
        self.still_processor = still_processor
        self.process_every = max(1, process_every)
        self._source_factory = source_factory or (lambda sp, st: FrameSource(sp, st))
        self._lock = threading.Lock()
        self._latest: LatestFrame | None = None
        self._pending = False
        self._still_requested = False
        self._last_analysis: Any = None
        self.frames_read = 0
        self.published = 0
        self.dropped = 0
        self.state = SourceState.OPENING.value

    # -- GUI side ------------------------------------------------------------------------------
    def take_latest(self) -> LatestFrame | None:
        with self._lock:
            self._pending = False
            return self._latest

    def request_still(self) -> None:
        with self._lock:
            self._still_requested = True

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Ask the loop to end and wait for it (the source is released inside run())."""
        self.requestInterruption()
        return self.wait(timeout_ms)

    # -- worker thread ---------------------------------------------------------------------------
    def run(self) -> None:
        source = self._source_factory(self.spec, self.settings)
        try:
            self._loop(source)
        except Exception as exc:  # a bug must not take the window down with it
            log_failure(log, "capture loop failed", exc)
            self._set_state(SourceState.FAILED.value)
        finally:
            source.close()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _loop(self, source: FrameSource) -> None:
        while not self.isInterruptionRequested():
            frame = source.read()
            self._set_state(source.state.value)
            if frame is None:
                if source.state in (SourceState.ENDED, SourceState.FAILED):
                    self._serve_still_without_frame()
                    self.msleep(50)
                elif source.state is SourceState.LOST:
                    self.msleep(50)
                continue
            self.frames_read += 1
            if self.processor is not None and self.frames_read % self.process_every == 0:
                try:
                    self._last_analysis = self.processor(frame)
                except Exception as exc:
                    log_failure(log, "frame processor failed", exc)
                    self._last_analysis = None
            item = LatestFrame(frame, bgr_to_qimage(frame), self._last_analysis, self.frames_read, time.monotonic())
            with self._lock:
                self._latest = item
                emit = not self._pending
                if emit:
                    self._pending = True
                else:
                    self.dropped += 1
                still = self._still_requested
                self._still_requested = False
            if emit:
                self.published += 1
                self.frame_available.emit()
            if still:
                self._run_still(frame)

    def _serve_still_without_frame(self) -> None:
        """A still asked for after a file ended: use the last frame shown."""
        with self._lock:
            still, latest = self._still_requested, self._latest
            self._still_requested = False
        if still:
            if latest is None:
                self.still_failed.emit("camera.state.failed")
            else:
                self._run_still(latest.frame)

    def _run_still(self, frame: np.ndarray) -> None:
        if self.still_processor is None:
            self.still_ready.emit(frame.copy())
            return
        try:
            self.still_ready.emit(self.still_processor(frame))
        except StationError as exc:
            self.still_failed.emit(exc.code)
        except Exception as exc:
            log_failure(log, "still processor failed", exc)
            self.still_failed.emit("camera.image.corrupt")
