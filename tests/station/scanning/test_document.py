"""Document finding, straightening and auto-capture steadiness."""

from __future__ import annotations

import numpy as np

from station.scanning.document import CaptureSettings, Steadiness, find_document, sharpness, straighten
from tests.station.scanning.docgen import make_sample, random_identity, render_document


def test_finds_and_straightens_card() -> None:
    s = make_sample(11, "moderate", "TD1")
    corners = find_document(s.image)
    assert corners is not None
    flat = straighten(s.image, corners)
    ratio = flat.shape[1] / flat.shape[0]
    assert 1.4 < ratio < 1.8  # an ID-1 card is 85.6 x 54 mm (1.585)


def test_nothing_on_a_blank_desk() -> None:
    assert find_document(np.full((720, 1280, 3), 90, np.uint8)) is None
    assert find_document(np.zeros((4, 4, 3), np.uint8)) is None


def test_sharpness_drops_with_blur() -> None:
    import cv2

    doc, _ = render_document(np.random.default_rng(1), "TD1", random_identity(np.random.default_rng(1), "TD1"))
    assert sharpness(doc) > 3 * sharpness(cv2.GaussianBlur(doc, (0, 0), 3))


def test_steadiness_waits_then_fires_and_can_be_forced() -> None:
    st = Steadiness(CaptureSettings(steady_frames=3, max_shift=0.01, min_sharpness=50))
    c = np.array([[100, 100], [500, 100], [500, 350], [100, 350]], np.float32)
    assert not st.update(c, 100, 1280)
    assert not st.update(c + 40, 100, 1280)  # moved: start over
    assert not st.update(c + 41, 100, 1280)
    assert st.update(c + 41, 100, 1280)
    assert not st.update(c, 10, 1280) and not st.update(c, 10, 1280) and not st.update(c, 10, 1280)  # blurred
    st.force()
    assert st.update(None, 0, 1280)
