"""Find an ID card or passport page in a frame, straighten it, and wait for a sharp, steady view.

Works on numpy BGR frames. `find_document` looks for the largest convex quadrilateral (edges, then a
brightness fallback); `straighten` warps it flat; `Steadiness` decides when to auto-capture: the
document has stayed put for a few frames and is sharp enough. The clerk can always force a read.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from station.settings import section, setting

WORK_WIDTH = 640


@section("document_capture")
@dataclass(frozen=True)
class CaptureSettings:
    steady_frames: int = setting(4, "consecutive frames the corners must agree")
    max_shift: float = setting(0.012, "corner movement allowed between frames, as a share of the frame width")
    min_sharpness: float = setting(60.0, "variance of the Laplacian on the straightened card, 640 px wide")


def order_corners(pts: np.ndarray) -> np.ndarray:
    """tl, tr, br, bl; the long side made horizontal."""
    pts = np.asarray(pts, dtype=np.float32).reshape(4, 2)
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # clockwise in image coordinates, starting near -pi (left)
    start = int(np.argmin(pts.sum(axis=1)))
    pts = np.roll(pts, -start, axis=0)
    top = np.linalg.norm(pts[1] - pts[0])
    side = np.linalg.norm(pts[3] - pts[0])
    if side > top * 1.05:  # portrait in the frame: rotate the order so the long side is the top
        pts = np.roll(pts, -1, axis=0) if pts[1][1] < pts[3][1] else np.roll(pts, 1, axis=0)
    return pts


def _quad_from_contour(cnt: np.ndarray, min_area: float) -> np.ndarray | None:
    area = cv2.contourArea(cnt)
    if area < min_area:
        return None
    hull = cv2.convexHull(cnt)
    peri = cv2.arcLength(hull, True)
    for eps in (0.02, 0.035, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            return approx.reshape(4, 2).astype(np.float32)
    rect = cv2.minAreaRect(hull)
    if area / max(rect[1][0] * rect[1][1], 1.0) > 0.88:
        return cv2.boxPoints(rect).astype(np.float32)
    return None


def find_document(bgr: np.ndarray, min_share: float = 0.12) -> np.ndarray | None:
    """Corners (4x2, frame coordinates, ordered) of the largest card-like quadrilateral, or None."""
    if bgr is None or bgr.ndim < 2 or min(bgr.shape[:2]) < 32:
        return None
    gray = bgr if bgr.ndim == 2 else cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    scale = gray.shape[1] / WORK_WIDTH
    small = cv2.resize(gray, (WORK_WIDTH, max(1, round(gray.shape[0] / scale))), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    min_area = min_share * small.shape[0] * small.shape[1]
    med = float(np.median(small))
    edges = cv2.Canny(small, int(max(10, 0.5 * med)), int(min(255, 1.2 * med + 30)))
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8), iterations=2)
    edges = cv2.erode(edges, np.ones((3, 3), np.uint8), iterations=1)
    candidates: list[np.ndarray] = []
    for source in (edges, None):
        if source is None:  # fallback: the card differs in brightness from the desk
            _, source = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            source = cv2.morphologyEx(source, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
        contours, _ = cv2.findContours(source, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for cnt in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
            q = _quad_from_contour(cnt, min_area)
            if q is not None:
                frame_area = small.shape[0] * small.shape[1]
                if cv2.contourArea(q) < 0.97 * frame_area:
                    candidates.append(q)
        if candidates:
            break
    if not candidates:
        return None
    best = max(candidates, key=cv2.contourArea)
    return order_corners(best * scale)


def straighten(bgr: np.ndarray, corners: np.ndarray, max_width: int = 1400) -> np.ndarray:
    """Warp the quadrilateral flat, keeping about the resolution it had in the frame."""
    tl, tr, br, bl = corners
    width = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    f = min(1.0, max_width / max(width, 1.0))
    w, h = max(int(width * f), 16), max(int(height * f), 16)
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
    return cv2.warpPerspective(bgr, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def sharpness(img: np.ndarray) -> float:
    """Variance of the Laplacian at a fixed width (640 px), so the figure does not depend on resolution."""
    gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    if gray.shape[1] != WORK_WIDTH:
        h = max(1, int(gray.shape[0] * WORK_WIDTH / gray.shape[1]))
        gray = cv2.resize(gray, (WORK_WIDTH, h), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


class Steadiness:
    """Feed it every frame's corners and sharpness; `ready` says when to read without a click."""

    def __init__(self, settings: CaptureSettings | None = None) -> None:
        self.settings = settings or CaptureSettings()
        self._corners: deque[np.ndarray] = deque(maxlen=self.settings.steady_frames)
        self._forced = False

    def force(self) -> None:
        """The clerk asked for a read now."""
        self._forced = True

    def reset(self) -> None:
        self._corners.clear()
        self._forced = False

    def update(self, corners: np.ndarray | None, sharp: float, frame_width: int) -> bool:
        """True when this frame should be read (then the state starts over)."""
        if self._forced:
            self.reset()
            return True
        if corners is None:
            self._corners.clear()
            return False
        if self._corners:
            shift = float(np.max(np.linalg.norm(corners - self._corners[-1], axis=1)))
            if shift > self.settings.max_shift * frame_width:
                self._corners.clear()
        self._corners.append(corners)
        if len(self._corners) == self.settings.steady_frames and sharp >= self.settings.min_sharpness:
            self.reset()
            return True
        return False
