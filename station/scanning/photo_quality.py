"""Photo quality measures (numbers) and their thresholds; one code path for the live overlay and the final check.

Every measure is a plain number so a script, the overlay and the stored record all see the same
values; the thresholds live in settings section "photo_quality" (`QualityThresholds`). Sharpness and
exposure are measured on the face alone (resized to a fixed height), so they do not depend on the
camera's resolution or on a bright window behind the person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

from station.scanning.faces import Face, FaceTracker, to_grey
from station.settings import section, setting

# Reason codes (catalogue keys), in the order a clerk should fix them.
NO_FACE = "camera.reason.no_face"
MANY_FACES = "camera.reason.many_faces"
TOO_SMALL = "camera.reason.face_too_small"
TOO_FEW_PIXELS = "camera.reason.face_too_few_pixels"
TOO_CLOSE = "camera.reason.face_too_close"
OFF_CENTRE = "camera.reason.off_centre"
TOO_DARK = "camera.reason.too_dark"
TOO_BRIGHT = "camera.reason.too_bright"
BLURRED = "camera.reason.blurred"
ALL_REASONS = (NO_FACE, MANY_FACES, TOO_SMALL, TOO_FEW_PIXELS, TOO_CLOSE, OFF_CENTRE, TOO_DARK, TOO_BRIGHT, BLURRED)

SHARPNESS_HEIGHT = 128  # the face is resized to this height before measuring sharpness


@section("photo_quality")
@dataclass(frozen=True)
class QualityThresholds:
    """Pass/fail limits for each measure (settings section "photo_quality")."""

    max_faces: int = setting(1, "most faces allowed in the frame (more: someone else is in the picture)")
    min_sharpness: float = setting(45.0, "Laplacian variance of the face at 128 px high, contrast stretched")
    min_brightness: float = setting(70.0, "mean grey level of the face, 0-255")
    max_brightness: float = setting(205.0, "mean grey level of the face, 0-255: above, the face is washed out")
    max_clipped: float = setting(0.25, "share of face pixels at 250 or above")
    min_face_height: float = setting(0.24, "face box height / frame height (smaller: too few pixels to print)")
    min_face_px: int = setting(96, "face box height in pixels: below, the portrait would be a blown-up blur")
    max_face_height: float = setting(0.62, "face box height / frame height (larger: the head is cut off)")
    max_offset_x: float = setting(0.12, "|face centre - guide centre| / frame width")
    max_offset_y: float = setting(0.12, "|face centre - guide centre| / frame height")
    guide_cx: float = setting(0.5, "where the framing guide puts the face centre, as a share of the frame")
    guide_cy: float = setting(0.45, "vertical position of the framing guide's face centre, as a share of the frame")


@dataclass(frozen=True)
class QualityReport:
    """The measures of one frame, and pass or fail with reasons."""

    face_count: int
    measures: dict[str, float]
    reasons: tuple[str, ...]
    faces: tuple[Face, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not self.reasons

    @property
    def subject(self) -> Face | None:
        return self.faces[0] if self.faces else None

    def as_dict(self, thresholds: QualityThresholds | None = None) -> dict[str, object]:
        out: dict[str, object] = {
            "passed": self.passed,
            "reasons": list(self.reasons),
            "face_count": self.face_count,
            "faces": [f.as_dict() for f in self.faces],
            "measures": {k: round(v, 3) for k, v in self.measures.items()},
        }
        if thresholds is not None:
            out["thresholds"] = asdict(thresholds)
        return out


def pick_subject(faces: Sequence[Face], frame_w: int, frame_h: int, t: QualityThresholds) -> list[Face]:
    """Faces ordered subject first: the largest, ties broken by nearness to the guide centre."""
    gx, gy = t.guide_cx * frame_w, t.guide_cy * frame_h

    def key(f: Face) -> tuple[float, float]:
        return (-round(f.h / max(frame_h, 1), 2), abs(f.cx - gx) + abs(f.cy - gy))

    return sorted(faces, key=key)


def sharpness(grey_face: np.ndarray) -> float:
    """Variance of the Laplacian of the face at a fixed height, contrast stretched: high crisp, low blurred.

    Stretching the 2nd-98th percentile to 0-255 first keeps a dark but sharp face from reading as blurred.
    """
    if grey_face.size == 0:
        return 0.0
    scale = SHARPNESS_HEIGHT / grey_face.shape[0]
    size = (max(1, round(grey_face.shape[1] * scale)), SHARPNESS_HEIGHT)
    small = cv2.resize(grey_face, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    lo, hi = np.percentile(small, (2, 98))
    stretched = (small.astype(np.float32) - np.float32(lo)) * np.float32(255.0 / max(float(hi - lo), 16.0))
    return float(cv2.Laplacian(stretched, cv2.CV_32F).var())


def exposure(grey_region: np.ndarray) -> tuple[float, float]:
    """(mean grey level 0-255, share of pixels at 250 or above)."""
    if grey_region.size == 0:
        return 0.0, 0.0
    return float(grey_region.mean()), float(np.count_nonzero(grey_region >= 250) / grey_region.size)


def _face_region(grey: np.ndarray, f: Face) -> np.ndarray:
    h, w = grey.shape[:2]
    # the inner face (skip hair and background at the box edges)
    x0, x1 = int(max(0, f.x + 0.15 * f.w)), int(min(w, f.x + 0.85 * f.w))
    y0, y1 = int(max(0, f.y + 0.1 * f.h)), int(min(h, f.y + 0.95 * f.h))
    return grey[y0:y1, x0:x1]


def assess(frame: np.ndarray, faces: Sequence[Face], t: QualityThresholds | None = None) -> QualityReport:
    """Measure `frame` given the faces found in it; the same function serves the overlay and the final check."""
    t = t or QualityThresholds()
    grey = to_grey(frame)
    fh, fw = grey.shape[:2]
    ordered = pick_subject(faces, fw, fh, t)
    measures: dict[str, float] = {"face_count": float(len(ordered))}
    reasons: list[str] = []
    if not ordered:
        b, clip = exposure(grey)
        measures.update(brightness=b, clipped=clip)
        reasons.append(NO_FACE)
        if b < t.min_brightness:
            reasons.append(TOO_DARK)
        elif b > t.max_brightness:
            reasons.append(TOO_BRIGHT)
        return QualityReport(0, measures, tuple(reasons), ())
    f = ordered[0]
    region = _face_region(grey, f)
    b, clip = exposure(region)
    measures.update(
        sharpness=sharpness(region),
        brightness=b,
        clipped=clip,
        face_height=f.h / fh,
        offset_x=(f.cx - t.guide_cx * fw) / fw,
        offset_y=(f.cy - t.guide_cy * fh) / fh,
    )
    if len(ordered) > t.max_faces:
        reasons.append(MANY_FACES)
    measures["face_px"] = f.h
    if measures["face_height"] < t.min_face_height:
        reasons.append(TOO_SMALL)
    elif f.h < t.min_face_px:  # a fair share of a tiny picture: still too few pixels to print
        reasons.append(TOO_FEW_PIXELS)
    elif measures["face_height"] > t.max_face_height:
        reasons.append(TOO_CLOSE)
    if abs(measures["offset_x"]) > t.max_offset_x or abs(measures["offset_y"]) > t.max_offset_y:
        reasons.append(OFF_CENTRE)
    if b < t.min_brightness:
        reasons.append(TOO_DARK)
    elif b > t.max_brightness or clip > t.max_clipped:
        reasons.append(TOO_BRIGHT)
    if measures["sharpness"] < t.min_sharpness:
        reasons.append(BLURRED)
    return QualityReport(len(ordered), measures, tuple(reasons), tuple(ordered))


class LiveAssessor:
    """Per-frame hook for the live preview: track the face, then `assess` exactly as the final check does."""

    def __init__(self, thresholds: QualityThresholds | None = None, tracker: FaceTracker | None = None) -> None:
        self.thresholds = thresholds or QualityThresholds()
        self.tracker = tracker or FaceTracker()

    def __call__(self, frame: np.ndarray) -> QualityReport:
        return assess(frame, self.tracker.update(frame), self.thresholds)
