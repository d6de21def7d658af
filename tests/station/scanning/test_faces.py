"""Face detection on real photos (public-domain astronaut) placed in webcam-like frames."""

from __future__ import annotations

import numpy as np
import pytest

from station.scanning.faces import Face, FaceDetector, FaceTracker, merge_overlapping
from tests.station.scanning.camera_fixtures import (
    cat_picture,
    moving_face_frames,
    no_face_picture,
    portrait_frame,
    two_faces_frame,
)


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.mark.parametrize(("w", "h"), [(640, 480), (1280, 720), (1920, 1080)])
@pytest.mark.parametrize("frac", [0.3, 0.5])
def test_finds_one_face_where_it_is(detector: FaceDetector, w: int, h: int, frac: float) -> None:
    faces = detector.detect(portrait_frame(w, h, frac, cx=0.55, cy=0.45))
    assert len(faces) == 1
    f = faces[0]
    assert abs(f.cx - 0.55 * w) < 0.05 * w
    assert abs(f.cy - 0.45 * h) < 0.06 * h
    assert 0.75 * frac < f.h / h < 1.25 * frac


def test_two_faces(detector: FaceDetector) -> None:
    faces = detector.detect(two_faces_frame())
    assert len(faces) == 2
    assert faces[0].cx < 320 < faces[1].cx or faces[1].cx < 320 < faces[0].cx


@pytest.mark.parametrize("picture", [no_face_picture, cat_picture])
def test_no_face_in_pictures_without_people(detector: FaceDetector, picture) -> None:  # type: ignore[no-untyped-def]
    assert detector.detect(picture()) == []


def test_blank_and_tiny_frames(detector: FaceDetector) -> None:
    assert detector.detect(np.zeros((480, 640, 3), np.uint8)) == []
    assert detector.detect(np.zeros((10, 10, 3), np.uint8)) == []
    assert detector.detect(np.zeros((0, 0, 3), np.uint8)) == []


def test_merge_overlapping_keeps_largest() -> None:
    a, b, c = Face(100, 100, 100, 100), Face(110, 105, 90, 90), Face(400, 100, 80, 80)
    assert merge_overlapping([b, a, c]) == [a, c]


def test_tracker_follows_and_sees_a_second_face(detector: FaceDetector) -> None:
    tracker = FaceTracker(detector)
    frames = moving_face_frames(12)
    for i, frame in enumerate(frames):
        faces = tracker.update(frame)
        assert len(faces) == 1, i
        assert abs(faces[0].cx - (0.42 + 0.16 * i / 11) * 640) < 30
    two = two_faces_frame()
    seen = [len(tracker.update(two)) for _ in range(detector.settings.full_every + 1)]
    assert 2 in seen  # a full search within full_every frames finds the newcomer
