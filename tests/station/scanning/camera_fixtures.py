"""Test frames and videos for the camera pipeline, built from real public-domain face photos in tests/data/faces.

astronaut.jpg: Eileen Collins, NASA, public domain (shipped by scikit-image as `data.astronaut`).
chelsea.jpg (a cat) and coffee.jpg: CC0 (scikit-image `data.chelsea`, `data.coffee`); no human face.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np

FACES_DIR = Path(__file__).resolve().parents[2] / "data" / "faces"
# Where the Haar alt2 box of the astronaut's face sits in astronaut.jpg (measured once): centre and height.
ASTRONAUT_FACE_CX, ASTRONAUT_FACE_CY, ASTRONAUT_FACE_H = 223.0, 113.0, 104.0


@cache
def _read(name: str) -> np.ndarray:
    img = cv2.imread(str(FACES_DIR / name))
    assert img is not None, name
    return img


def astronaut() -> np.ndarray:
    return _read("astronaut.jpg").copy()


def no_face_picture() -> np.ndarray:
    return _read("coffee.jpg").copy()


def cat_picture() -> np.ndarray:
    return _read("chelsea.jpg").copy()


def paste_face(canvas: np.ndarray, face_h: float, cx: float, cy: float) -> np.ndarray:
    """Paste the astronaut scaled so her face box is `face_h` px high, face centred at (cx, cy) px."""
    src = _read("astronaut.jpg")
    s = face_h / ASTRONAUT_FACE_H
    a = cv2.resize(src, None, fx=s, fy=s, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    h, w = canvas.shape[:2]
    ox, oy = round(cx - ASTRONAUT_FACE_CX * s), round(cy - ASTRONAUT_FACE_CY * s)
    x0, y0 = max(ox, 0), max(oy, 0)
    x1, y1 = min(ox + a.shape[1], w), min(oy + a.shape[0], h)
    if x1 > x0 and y1 > y0:
        canvas[y0:y1, x0:x1] = a[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
    return canvas


def portrait_frame(
    w: int = 640, h: int = 480, face_frac: float = 0.32, cx: float = 0.5, cy: float = 0.45, bg: int = 128
) -> np.ndarray:
    """A webcam-like frame: grey wall, the astronaut with her face `face_frac` of the height at (cx, cy)."""
    canvas = np.full((h, w, 3), bg, np.uint8)
    return paste_face(canvas, face_frac * h, cx * w, cy * h)


def two_faces_frame(w: int = 640, h: int = 480) -> np.ndarray:
    canvas = np.full((h, w, 3), 128, np.uint8)
    paste_face(canvas, 0.3 * h, 0.27 * w, 0.45 * h)
    # the second is mirrored so the two are not pixel copies
    right = np.full((h, w, 3), 128, np.uint8)
    paste_face(right, 0.27 * h, 0.27 * w, 0.5 * h)
    right = right[:, ::-1]
    canvas[:, w // 2 :] = right[:, w // 2 :]
    return canvas


def blurred(frame: np.ndarray, sigma: float = 4.0) -> np.ndarray:
    return cv2.GaussianBlur(frame, (0, 0), sigma)


def darkened(frame: np.ndarray, factor: float = 0.22) -> np.ndarray:
    return np.clip(frame.astype(np.float32) * factor, 0, 255).astype(np.uint8)


def brightened(frame: np.ndarray, add: float = 140) -> np.ndarray:
    return np.clip(frame.astype(np.float32) * 1.3 + add, 0, 255).astype(np.uint8)


def write_video(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    """MJPG in .avi: works with opencv-python-headless (no external codec)."""
    h, w = frames[0].shape[:2]
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert vw.isOpened()
    for f in frames:
        vw.write(f)
    vw.release()
    return path


def write_sequence(folder: Path, frames: list[np.ndarray]) -> str:
    """frame_000.png, frame_001.png...; returns the printf-style pattern cv2.VideoCapture reads."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(frames):
        cv2.imwrite(str(folder / f"frame_{i:03d}.png"), f)
    return str(folder / "frame_%03d.png")


def moving_face_frames(n: int = 30, w: int = 640, h: int = 480) -> list[np.ndarray]:
    """The face drifting slowly left to right, as a person settling in front of the camera."""
    return [portrait_frame(w, h, 0.32, 0.42 + 0.16 * i / max(1, n - 1), 0.45) for i in range(n)]
