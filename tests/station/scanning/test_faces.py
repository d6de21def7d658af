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


@pytest.mark.parametrize("angle", [-30, -20, -12, 12, 20, 30])
@pytest.mark.parametrize("subject", ["astronaut", "grace_hopper"])
def test_tilted_head_is_found(detector: FaceDetector, subject: str, angle: float) -> None:
    # the Haar cascade used before lost most faces tilted 20 degrees or more
    from tests.perf.test_faces_benchmark import paste, photo

    frame = np.full((480, 640, 3), 140, np.uint8)
    cx, cy, h = paste(frame, photo(subject), subject, 0.32 * 480, 320, 220, angle)
    faces = detector.detect(frame)
    assert len(faces) == 1
    assert abs(faces[0].cx - cx) < 0.3 * h and abs(faces[0].cy - cy) < 0.3 * h


@pytest.mark.parametrize("cover", ["headscarf", "low_scarf", "veil"])
def test_partly_covered_face_is_found(detector: FaceDetector, cover: str) -> None:
    from tests.perf.test_faces_benchmark import _cover, paste, photo

    frame = np.full((480, 640, 3), 140, np.uint8)
    src = _cover(photo("astronaut"), "astronaut", cover, np.random.default_rng(3))
    paste(frame, src, "astronaut", 0.32 * 480, 320, 220)
    assert len(detector.detect(frame)) == 1


def test_small_second_face_is_counted(detector: FaceDetector) -> None:
    from tests.perf.test_faces_benchmark import paste, photo

    frame = portrait_frame(640, 480, 0.34, cx=0.42)
    paste(frame, photo("grace_hopper"), "grace_hopper", 0.09 * 480, 0.78 * 640, 0.72 * 480, crop=1.1)
    thorough = detector.detect(frame, thorough=True)
    assert len(thorough) == 2
    assert min(f.h for f in thorough) < 0.12 * 480


def test_no_false_face_on_more_pictures_without_people(detector: FaceDetector) -> None:
    from tests.perf.test_faces_benchmark import NEGATIVES, photo

    for name in NEGATIVES:
        assert detector.detect(photo(name), thorough=True) == [], name


def test_detector_usable_from_several_threads(detector: FaceDetector) -> None:
    from concurrent.futures import ThreadPoolExecutor

    frames = [portrait_frame(640, 480, 0.3 + 0.02 * i) for i in range(8)]
    expected = [len(detector.detect(f)) for f in frames]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda f: len(detector.detect(f)), frames))
    assert got == expected == [1] * 8


def test_missing_model_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from station.errors import StationError
    from station.scanning import faces

    faces._model_bytes.cache_clear()
    monkeypatch.setattr(faces, "models_dir", lambda: tmp_path)
    try:
        with pytest.raises(StationError) as exc:
            FaceDetector()
        assert exc.value.code == "camera.detector_missing"
    finally:
        monkeypatch.undo()
        faces._model_bytes.cache_clear()
    FaceDetector()


def test_shipped_model_is_the_documented_one() -> None:
    import hashlib

    from station.paths import models_dir

    digest = hashlib.sha256((models_dir() / "centerface.onnx").read_bytes()).hexdigest()
    licence = (models_dir() / "LICENSE-centerface.txt").read_text(encoding="utf-8")
    assert digest in licence and "MIT License" in licence


def test_tracker_loads_the_still_photo_network_with_the_first_frame(detector: FaceDetector) -> None:
    import threading

    from station.scanning import faces

    loaded: list[set[tuple[int, int]]] = []

    def preview() -> None:  # a fresh thread, as the camera worker is
        FaceTracker(detector).update(portrait_frame(1280, 720))
        loaded.append(set(faces._local.nets))

    t = threading.Thread(target=preview)
    t.start()
    t.join()
    still = detector.input_size(1280, 720, detector.settings.thorough_width)
    assert loaded == [{detector.input_size(1280, 720), still, (96, 96)}]


def test_a_blurred_person_behind_makes_the_still_photo_several_faces(detector: FaceDetector) -> None:
    # someone waiting in the queue behind, out of focus and 12-18 % of the frame high: one in eight such
    # frames was reported as a single face at the former still-photo thresholds (0.5 and 0.6)
    from station.scanning.photo_quality import MANY_FACES, assess
    from tests.perf.face_conditions import hard_scenes

    behind = [sc for sc in hard_scenes(4) if sc.condition == "person behind (blurred)"]
    assert len(behind) == 8
    for sc in behind:
        faces = detector.detect(sc.frame, thorough=True)
        assert len(faces) >= 2
        assert MANY_FACES in assess(sc.frame, faces).reasons


def test_a_face_in_a_niqab_is_still_a_face_in_the_still_photo(detector: FaceDetector) -> None:
    from tests.perf.face_conditions import hard_scenes

    veiled = [sc for sc in hard_scenes(4) if sc.condition == "niqab (eyes only)"]
    found = sum(len(detector.detect(sc.frame, thorough=True)) == 1 for sc in veiled)
    assert found >= 7, found  # 6 of 8 at the former thresholds


def test_tiny_boxes_on_a_blurred_background_are_not_faces(detector: FaceDetector) -> None:
    # two frames of the benchmark where a 28-29 px box (6 % of the frame) on the blurred photo behind
    # scored 0.40-0.44: counted, they made a false "several faces" out of any photo (now they need 0.6)
    from itertools import islice

    from tests.perf.face_conditions import hard_scenes

    scenes = list(islice(hard_scenes(20), 297))
    for i in (242, 296):
        sc = scenes[i]
        assert sc.condition == "person behind (blurred)"
        faces = detector.detect(sc.frame, thorough=True)
        assert len(faces) == 2, [f.as_dict() for f in faces]
        assert min(f.h for f in faces) > 0.1 * sc.frame.shape[0]
