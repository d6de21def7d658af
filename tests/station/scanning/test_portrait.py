"""Portrait crop: 35x45, head centred and a fixed share of the height, small JPEG; poor photos still produce one."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from station.errors import StationError
from station.scanning.faces import Face, FaceDetector
from station.scanning.portrait import PortraitSpec, crop_box, make_portrait
from tests.station.scanning.camera_fixtures import no_face_picture, portrait_frame


@pytest.mark.parametrize(("w", "h", "cx"), [(640, 480, 0.5), (1280, 720, 0.45), (1920, 1080, 0.55)])
def test_portrait_geometry_and_size(w: int, h: int, cx: float) -> None:
    spec = PortraitSpec()
    res = make_portrait(portrait_frame(w, h, 0.32, cx=cx), FaceDetector(), spec=spec)
    assert res.passed, res.report.reasons
    img = cv2.imdecode(np.frombuffer(res.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape[:2] == (800, 622)
    assert abs(img.shape[1] / img.shape[0] - 35 / 45) < 0.01
    assert 10_000 < len(res.jpeg) <= spec.max_bytes
    # the face found again in the portrait is centred and the same share of the height every time
    faces = FaceDetector().detect(img)
    assert len(faces) == 1
    f = faces[0]
    assert abs(f.cx - 311) < 622 * 0.05
    head_share = spec.head_per_box * f.h / 800
    # CenterFace's box of a face filling a third of the frame is up to ~12 % shorter than at webcam scale
    assert abs(head_share - spec.head_share) < 0.1, head_share


def test_quality_dict_contents() -> None:
    res = make_portrait(portrait_frame(), FaceDetector())
    q = res.quality
    assert q["passed"] is True and q["portrait_size"] == [622, 800] and q["jpeg_bytes"] == len(res.jpeg)
    assert q["detector"].startswith("centerface")
    assert set(q["measures"]) >= {"sharpness", "brightness", "face_height"}


def test_no_face_still_gives_a_centred_portrait_marked_failed() -> None:
    res = make_portrait(no_face_picture(), FaceDetector())
    assert not res.passed and "camera.reason.no_face" in res.quality["reasons"]
    assert res.image.shape[:2] == (800, 622)


def test_face_at_edge_is_padded_not_crashing() -> None:
    res = make_portrait(portrait_frame(cx=0.12, cy=0.2), FaceDetector())
    assert res.quality["padded"] is True
    assert res.image.shape[:2] == (800, 622)


def test_crop_box_proportions() -> None:
    x, _y, w, h = crop_box(Face(300, 200, 100, 100), 1280, 720, PortraitSpec())
    assert abs(w / h - 35 / 45) < 0.01 and abs(x + w / 2 - 350) <= 1


@pytest.mark.parametrize("bad", [np.zeros((0, 0, 3), np.uint8), np.zeros((480, 640), np.uint8), None])
def test_invalid_frames_raise_station_error(bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StationError):
        make_portrait(bad, FaceDetector())


def test_tiny_picture_is_refused_not_blown_up() -> None:
    # an 80x60 picture whose face is 35 px high: upscaling it to an 800 px portrait would be a blur
    small = cv2.resize(portrait_frame(640, 480, 0.58, cy=0.5), (80, 60), interpolation=cv2.INTER_AREA)
    big = cv2.resize(small, (640, 480), interpolation=cv2.INTER_AREA)  # same content, more pixels
    faces = FaceDetector().detect(big)
    assert len(faces) == 1 and 250 < faces[0].h < 330
    scaled = [Face(f.x / 8, f.y / 8, f.w / 8, f.h / 8) for f in faces]  # where the face is in the 80x60 one
    with pytest.raises(StationError) as exc:
        make_portrait(small, FaceDetector(), faces=scaled)
    assert exc.value.code == "camera.portrait.too_few_pixels"
    assert exc.value.params["need"] == 96 and exc.value.params["px"] < 40
    with pytest.raises(StationError) as exc2:
        make_portrait(small, FaceDetector())  # whether or not a face is found in 80x60 pixels
    assert exc2.value.code == "camera.portrait.too_few_pixels"


def test_small_frame_without_face_is_refused_too() -> None:
    with pytest.raises(StationError) as exc:
        make_portrait(np.full((120, 160, 3), 128, np.uint8), FaceDetector())
    assert exc.value.code == "camera.portrait.too_few_pixels"


def test_too_few_pixels_message_in_every_language() -> None:
    err = StationError("camera.portrait.too_few_pixels", px=35, need=96)
    for lang in ("en", "ar", "ckb"):
        text = err.message(lang)
        assert "35" in text and "96" in text and "camera.portrait" not in text


def test_child_beside_adult_makes_several_faces() -> None:
    from station.scanning.photo_quality import MANY_FACES
    from tests.perf.test_faces_benchmark import paste, photo

    frame = np.full((480, 640, 3), 150, np.uint8)
    paste(frame, photo("astronaut"), "astronaut", 0.34 * 480, 0.42 * 640, 0.42 * 480)
    paste(frame, photo("grace_hopper"), "grace_hopper", 0.09 * 480, 0.76 * 640, 0.7 * 480, crop=1.1)
    res = make_portrait(frame, FaceDetector())
    assert res.report.face_count == 2 and MANY_FACES in res.report.reasons
