"""LiveDocumentTracker: the camera worker's per-frame hook that finds the document and decides when to read it.

Qt-free on purpose (runs in `ui.camera.worker.CaptureWorker`'s thread; the GUI only calls the small
locked methods). One read at a time: after a capture the tracker waits for `read_finished(ok)`; a good
read is held until the document leaves the view (or moves far), a failed one is retried after a pause.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from station.scanning.document import WORK_WIDTH, CaptureSettings, Steadiness, find_document, sharpness, straighten
from station.settings import section, setting


class LiveState(StrEnum):
    SEARCHING = "searching"  # no document in view
    BLURRED = "blurred"  # found, not sharp enough yet
    STEADYING = "steadying"  # found and sharp, waiting for it to stay put
    READING = "reading"  # a frame was captured; its read is running
    DONE = "done"  # read; waiting for the document to leave before reading again


@section("id_scan")
@dataclass(frozen=True)
class LiveSettings:
    """Settings section "id_scan": the scan dialog's own camera choice and auto-capture pacing."""

    source: str = setting("", "'' = the camera chosen for photos (section 'camera')")
    auto_capture: bool = setting(True, "read a document by itself once it is steady and sharp")
    retry_frames: int = setting(15, "after a read found nothing, wait this many frames before trying again")
    release_share: float = setting(0.1, "a read document 'left' when its corners moved this share of the frame width")
    gone_frames: int = setting(3, "... or when no document was seen for this many frames")


@dataclass(frozen=True)
class DocumentView:
    """What the hook saw in one frame (travels with the frame as `LatestFrame.analysis`)."""

    corners: np.ndarray | None  # 4x2 frame coordinates (tl, tr, br, bl)
    sharpness: float
    state: LiveState


class LiveDocumentTracker:
    def __init__(self, capture: CaptureSettings | None = None, live: LiveSettings | None = None) -> None:
        self.capture = capture or CaptureSettings()
        self.live = live or LiveSettings()
        self._steady = Steadiness(self.capture)
        self._lock = threading.Lock()
        self._busy = False
        self._hold: np.ndarray | None = None  # corners of the document just read (hold until it leaves)
        self._holding = False
        self._gone = 0
        self._cooldown = 0
        self._pending: np.ndarray | None = None
        self._last_corners: np.ndarray | None = None
        self.captures = 0
        self.frames = 0
        self.captured_at_frame = 0  # `frames` when the last capture was taken (tests, diagnostics)

    # -- worker thread -----------------------------------------------------------------------------
    def __call__(self, frame: np.ndarray) -> DocumentView:
        corners = find_document(frame)
        sharp = sharpness(straighten(frame, corners, max_width=WORK_WIDTH)) if corners is not None else 0.0
        width = int(frame.shape[1])
        with self._lock:
            self.frames += 1
            self._last_corners = corners
            state = self._decide(frame, corners, sharp, width)
        return DocumentView(corners, sharp, state)

    def _decide(self, frame: np.ndarray, corners: np.ndarray | None, sharp: float, width: int) -> LiveState:
        if self._busy:
            return LiveState.READING
        if self._holding:
            if not self._left(corners, width):
                return LiveState.DONE
            self._holding, self._hold = False, None
            self._steady.reset()
        if self._cooldown > 0:
            self._cooldown -= 1
            self._steady.update(None, 0.0, width)  # steadiness starts over after the pause
        elif self.live.auto_capture and self._steady.update(corners, sharp, width):
            self._capture(frame, corners)
            return LiveState.READING
        if corners is None:
            return LiveState.SEARCHING
        return LiveState.BLURRED if sharp < self.capture.min_sharpness else LiveState.STEADYING

    def _left(self, corners: np.ndarray | None, width: int) -> bool:
        if corners is None:
            self._gone += 1
            return self._gone >= self.live.gone_frames
        self._gone = 0
        if self._hold is None:
            return False
        shift = float(np.max(np.linalg.norm(corners - self._hold, axis=1)))
        return shift > self.live.release_share * width

    def _capture(self, frame: np.ndarray, corners: np.ndarray | None) -> None:
        self._pending = frame.copy()
        self._busy = True
        self._hold = corners
        self.captures += 1
        self.captured_at_frame = self.frames

    # -- GUI thread --------------------------------------------------------------------------------
    def take_capture(self) -> np.ndarray | None:
        """The frame chosen for a read, once (None when there is none waiting)."""
        with self._lock:
            frame, self._pending = self._pending, None
            return frame

    def capture_now(self) -> None:
        """The clerk forced a read of the newest frame: auto-capture waits for its result as for its own."""
        with self._lock:
            self._pending = None
            self._busy = True
            self._hold = self._last_corners
            self._steady.reset()
            self.captures += 1

    def read_finished(self, ok: bool) -> None:
        """`ok`: something was read (hold until the document leaves); else retry after a pause."""
        with self._lock:
            self._busy = False
            self._gone = 0
            self._holding = ok
            self._cooldown = 0 if ok else self.live.retry_frames
            self._steady.reset()
