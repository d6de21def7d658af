"""Each quality measure passes a good frame and flags the matching negative case."""

from __future__ import annotations

import pytest

from station.scanning import photo_quality as pq
from station.scanning.faces import FaceDetector
from tests.station.scanning.camera_fixtures import (
    blurred,
    brightened,
    darkened,
    no_face_picture,
    portrait_frame,
    two_faces_frame,
)


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


def _check(detector: FaceDetector, frame, t: pq.QualityThresholds | None = None) -> pq.QualityReport:  # type: ignore[no-untyped-def]
    return pq.assess(frame, detector.detect(frame), t)


@pytest.mark.parametrize(("w", "h"), [(640, 480), (1280, 720)])
def test_good_frame_passes(detector: FaceDetector, w: int, h: int) -> None:
    r = _check(detector, portrait_frame(w, h))
    assert r.passed, r.reasons
    assert r.face_count == 1
    assert set(r.measures) >= {"sharpness", "brightness", "face_height", "offset_x", "offset_y", "face_count"}


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: no_face_picture(), pq.NO_FACE),
        (lambda: two_faces_frame(), pq.MANY_FACES),
        (lambda: blurred(portrait_frame(), 3.0), pq.BLURRED),
        (lambda: darkened(portrait_frame()), pq.TOO_DARK),
        (lambda: brightened(portrait_frame(), 60), pq.TOO_BRIGHT),
        (lambda: portrait_frame(face_frac=0.21), pq.TOO_SMALL),
        (lambda: portrait_frame(320, 240, face_frac=0.34), pq.TOO_FEW_PIXELS),  # an 82 px face
        (lambda: portrait_frame(face_frac=0.75), pq.TOO_CLOSE),
        (lambda: portrait_frame(cx=0.25), pq.OFF_CENTRE),
        (lambda: portrait_frame(cy=0.72, face_frac=0.3), pq.OFF_CENTRE),
    ],
)
def test_negative_cases(detector: FaceDetector, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    r = _check(detector, make())
    assert not r.passed
    assert reason in r.reasons, r.reasons


def test_dark_but_sharp_face_is_not_called_blurred(detector: FaceDetector) -> None:
    r = _check(detector, darkened(portrait_frame()))
    assert pq.BLURRED not in r.reasons


def test_sharpness_falls_with_blur(detector: FaceDetector) -> None:
    values = [_check(detector, blurred(portrait_frame(), s) if s else portrait_frame()).measures["sharpness"]
              for s in (0, 1.0, 2.0, 4.0)]
    assert values == sorted(values, reverse=True)


def test_thresholds_are_settings(detector: FaceDetector, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from station.settings import load_section, save_section

    save_section("photo_quality", pq.QualityThresholds(min_sharpness=10_000.0), tmp_path)
    strict = load_section("photo_quality", pq.QualityThresholds, tmp_path)
    assert strict.min_sharpness == 10_000.0
    r = _check(detector, portrait_frame(), strict)
    assert r.reasons == (pq.BLURRED,)


def test_report_as_dict_is_json_ready(detector: FaceDetector) -> None:
    import json

    d = _check(detector, two_faces_frame()).as_dict(pq.QualityThresholds())
    again = json.loads(json.dumps(d))
    assert again["face_count"] == 2 and len(again["faces"]) == 2 and again["passed"] is False


def test_every_reason_is_translated() -> None:
    from station.i18n import catalogue, placeholders

    for lang in ("en", "ar", "ckb"):
        cat = catalogue(lang)
        for code in pq.ALL_REASONS:
            assert cat.get(code), (lang, code)
            assert placeholders(cat[code]) == placeholders(catalogue("en")[code])


def test_face_pixels_measured_and_threshold_is_a_setting(detector: FaceDetector) -> None:
    frame = portrait_frame(320, 240, face_frac=0.34)
    r = _check(detector, frame)
    assert r.reasons == (pq.TOO_FEW_PIXELS,) and 60 < r.measures["face_px"] < 96
    assert _check(detector, frame, pq.QualityThresholds(min_face_px=60)).passed


def test_every_face_is_counted_however_small(detector: FaceDetector) -> None:
    from tests.perf.test_faces_benchmark import paste, photo

    frame = portrait_frame(640, 480, 0.32, cx=0.4)
    paste(frame, photo("grace_hopper"), "grace_hopper", 0.1 * 480, 0.8 * 640, 0.7 * 480, crop=1.1)
    r = pq.assess(frame, detector.detect(frame, thorough=True))
    assert r.face_count == 2 and pq.MANY_FACES in r.reasons
