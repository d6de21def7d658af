"""Harder face scenes for tests/perf/test_faces_benchmark.py: what a checkpoint camera sees, not a studio portrait.

Each condition changes the real photos in ways CenterFace's training pictures (WIDER FACE: news and
event photos, mostly well lit, the faces seen from the front) rarely show together: a darker complexion in
a room lit for the background, light from one side, a head bowed or turned, a niqab leaving only the eyes,
a cheap webcam's noise and colour cast, a face too small to use, and someone standing behind in the queue.
Kept out of threshold tuning: the detector settings were chosen before these scenes existed.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from tests.perf import test_faces_benchmark as fb


def _soft_mask(shape: tuple[int, int], cx: float, cy: float, ax: float, ay: float, blur: float) -> np.ndarray:
    m = np.zeros(shape, np.float32)
    cv2.ellipse(m, (int(cx), int(cy)), (int(ax), int(ay)), 0, 0, 360, 1.0, -1)
    return cv2.GaussianBlur(m, (0, 0), blur)[..., None]


def darker_complexion(src: np.ndarray, subject: str, rng: np.random.Generator) -> np.ndarray:
    """Face and neck 40-55 % as bright, warmer: a darker skin under a light the camera set for the room."""
    cx, cy, h = fb.SUBJECTS[subject]
    mask = _soft_mask(src.shape[:2], cx, cy + 0.25 * h, 0.75 * h, 1.25 * h, 0.08 * h)
    k = float(rng.uniform(0.40, 0.55))
    tone = np.array([0.75, 0.9, 1.0], np.float32) * k  # BGR: less blue, a brown cast
    out = src.astype(np.float32) * (1 - mask + mask * tone)
    return np.clip(out, 0, 255).astype(np.uint8)


def _warp(src: np.ndarray, subject: str, dst_rel: list[tuple[float, float]]) -> tuple[np.ndarray, str]:
    """Perspective-warp the photo: the square 2h around the face goes to `dst_rel` (in face heights)."""
    cx, cy, h = fb.SUBJECTS[subject]
    s = np.array([[cx - h, cy - h], [cx + h, cy - h], [cx + h, cy + h], [cx - h, cy + h]], np.float32)
    d = np.array([[cx + a * h, cy + b * h] for a, b in dst_rel], np.float32)
    m = cv2.getPerspectiveTransform(s, d)
    return cv2.warpPerspective(src, m, (src.shape[1], src.shape[0]), borderMode=cv2.BORDER_REPLICATE), subject


def looking_down(src: np.ndarray, subject: str, rng: np.random.Generator) -> np.ndarray:
    """A bowed head, roughly: the chin side foreshortened (lower face squashed, narrower)."""
    k = float(rng.uniform(0.35, 0.5))
    return _warp(src, subject, [(-1.1, -1.1), (1.1, -1.1), (0.8, k), (-0.8, k)])[0]


def turned(src: np.ndarray, subject: str, rng: np.random.Generator) -> np.ndarray:
    """A head turned ~30-40 degrees: one half of the face foreshortened."""
    k = float(rng.uniform(0.35, 0.5))
    rel = [(-k, -0.9), (1, -1), (1, 1), (-k, 0.9)]
    if rng.random() < 0.5:
        rel = [(-1, -1), (k, -0.9), (k, 0.9), (-1, 1)]
    return _warp(src, subject, rel)[0]


def niqab(src: np.ndarray, subject: str, rng: np.random.Generator) -> np.ndarray:
    """Headscarf and face veil: only a band around the eyes shows."""
    cx, cy, h = fb.SUBJECTS[subject]
    out = src.copy()
    colour = tuple(int(c) for c in rng.integers(5, 60, 3))  # usually black or dark
    cloth = np.full_like(src, colour)
    eyes = np.zeros(src.shape[:2], np.uint8)
    cv2.rectangle(eyes, (int(cx - 0.55 * h), int(cy - 0.38 * h)), (int(cx + 0.55 * h), int(cy - 0.02 * h)), 255, -1)
    person = np.zeros(src.shape[:2], np.uint8)
    cv2.ellipse(person, (int(cx), int(cy + 0.2 * h)), (int(1.0 * h), int(1.6 * h)), 0, 0, 360, 255, -1)
    covered = (person > 0) & (eyes == 0)
    out[covered] = cloth[covered]
    noise = rng.normal(0, 5, out.shape).astype(np.float32) * covered[..., None]
    return np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def side_light(frame: np.ndarray, truth: tuple[float, float, float], rng: np.random.Generator) -> np.ndarray:
    """Light from a window on one side: across the face, from full light down to a fifth of it."""
    cx, _cy, h = truth
    x = np.arange(frame.shape[1], dtype=np.float32)
    ramp = np.clip(0.5 + (x - cx) / (1.2 * h), 0.0, 1.0)
    if rng.random() < 0.5:
        ramp = ramp[::-1]
    gain = 0.2 + 0.95 * ramp
    return np.clip(frame.astype(np.float32) * gain[None, :, None], 0, 255).astype(np.uint8)


def webcam(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A cheap webcam in a dim tent: colour cast, sensor noise (stronger in the shadows), soft focus, JPEG 35."""
    cast = np.array([rng.uniform(0.8, 1.0), rng.uniform(1.0, 1.15), rng.uniform(0.85, 1.1)], np.float32)
    img = cv2.GaussianBlur(frame, (0, 0), 1.2).astype(np.float32) * cast * 0.8
    noise = rng.normal(0, 10, img.shape[:2])[..., None] + rng.normal(0, 6, img.shape)
    img = np.clip(img + noise, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 35])
    assert ok
    out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    assert out is not None
    return out


def _single_from(condition: str, rng: np.random.Generator, subject: str, src: np.ndarray, *, angle: float = 0.0,
                 face_frac: tuple[float, float] = (0.24, 0.45)) -> fb.Scene:
    frame = fb.background(rng)
    fh = float(rng.uniform(*face_frac)) * fb.H
    truth = fb.paste(frame, src, subject, fh, float(rng.uniform(0.4, 0.6)) * fb.W,
                     float(rng.uniform(0.38, 0.55)) * fb.H, angle)
    return fb.Scene(condition, frame, [truth])


def hard_scenes(n: int, seed: int = 4049) -> Iterator[fb.Scene]:
    """`n` scenes per condition per person, different seed from the main set."""
    rng = np.random.default_rng(seed)
    for subject in fb.SUBJECTS:
        other = next(s for s in fb.SUBJECTS if s != subject)
        src = fb.photo(subject)
        for _ in range(n):
            tilt = float(rng.uniform(-20, 20))
            yield _single_from("darker complexion", rng, subject, darker_complexion(src, subject, rng), angle=tilt)
            sc = fb.single("side light", rng, subject, angle=float(rng.uniform(-10, 10)))
            yield fb.Scene(sc.condition, side_light(sc.frame, sc.truths[0], rng), sc.truths)
            yield _single_from("looking down", rng, subject, looking_down(src, subject, rng))
            yield _single_from("turned 30-40", rng, subject, turned(src, subject, rng))
            yield _single_from("niqab (eyes only)", rng, subject, niqab(src, subject, rng),
                               angle=float(rng.uniform(-10, 10)))
            yield _single_from("headscarf + tilt 20", rng, subject, fb._cover(src, subject, "headscarf", rng),
                               angle=float(20 * rng.choice([-1, 1])))
            sc = fb.single("webcam noise + cast", rng, subject, angle=float(rng.uniform(-15, 15)))
            yield fb.Scene(sc.condition, webcam(sc.frame, rng), sc.truths)
            yield fb.single("small face 14-20 %", rng, subject, face_frac=(0.14, 0.20))
            # someone behind in the queue: smaller, out of focus, off to one side
            frame = fb.background(rng)
            t2 = fb.paste(frame, fb.photo(other), other, float(rng.uniform(0.12, 0.18)) * fb.H,
                          float(rng.choice([0.15, 0.85])) * fb.W, float(rng.uniform(0.2, 0.3)) * fb.H,
                          float(rng.uniform(-10, 10)))
            frame = cv2.GaussianBlur(frame, (0, 0), 2.0)  # the camera focuses on the person in front
            t1 = fb.paste(frame, src, subject, float(rng.uniform(0.28, 0.4)) * fb.H, 0.5 * fb.W,
                          float(rng.uniform(0.42, 0.5)) * fb.H, crop=1.2)
            yield fb.Scene("person behind (blurred)", frame, [t1, t2])
