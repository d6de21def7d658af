"""Live ID scanning: a generated video of a synthetic document (moving, then held still) fed to the scan dialog."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from station.i18n import tr
from station.scanning.document import CaptureSettings
from tests.station.scanning.camera_fixtures import write_video
from tests.station.scanning.docgen import Sample, make_sample, photograph, render_document
from tests.ui.shots import save_shot
from ui.scanning.dialog import IdScanDialog
from ui.scanning.live import DocumentView, LiveDocumentTracker, LiveSettings, LiveState

MOVING = 12


def _shift(img: np.ndarray, dx: float) -> np.ndarray:
    m = np.float32([[1, 0, dx], [0, 1, 0]])
    return cv2.warpAffine(img, m, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REFLECT)


def _moving(sample: Sample, n: int) -> list[np.ndarray]:
    """The document jerking left and right by 50 px (4% of the frame) between frames: never steady."""
    return [_shift(sample.image, 25 if i % 2 else -25) for i in range(n)]


@pytest.fixture(scope="module")
def td3() -> Sample:
    return make_sample(3, "easy", "TD3")


@pytest.fixture(scope="module")
def td1() -> Sample:
    return make_sample(5, "easy", "TD1")


def _open(qtbot, source: str, **kw) -> IdScanDialog:  # type: ignore[no-untyped-def]
    dlg = IdScanDialog(source=source, probe_cameras=False, **kw)
    qtbot.addWidget(dlg)
    dlg.resize(1100, 560)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


# -- the tracker alone (no Qt) ---------------------------------------------------------------------
def test_tracker_waits_for_steady_holds_after_a_read_and_retries_after_a_miss(td1: Sample) -> None:
    tracker = LiveDocumentTracker(CaptureSettings(), LiveSettings(retry_frames=5, gone_frames=3))
    states = [tracker(f).state for f in _moving(td1, 10)]
    assert tracker.captures == 0 and LiveState.STEADYING in states and LiveState.READING not in states
    states = [tracker(td1.image).state for _ in range(4)]
    assert states[-1] is LiveState.READING and tracker.captures == 1
    frame = tracker.take_capture()
    assert frame is not None and np.array_equal(frame, td1.image) and tracker.take_capture() is None
    assert tracker(td1.image).state is LiveState.READING  # one read at a time
    tracker.read_finished(True)
    assert [tracker(td1.image).state for _ in range(8)] == [LiveState.DONE] * 8  # no re-read of the same card
    blank = np.full_like(td1.image, 90)
    gone = [tracker(blank).state for _ in range(3)]
    assert gone[-1] is LiveState.SEARCHING  # document left: armed again
    states = [tracker(td1.image).state for _ in range(4)]
    assert states[-1] is LiveState.READING and tracker.captures == 2
    tracker.read_finished(False)  # nothing read: a pause of retry_frames, then steady frames again
    states = [tracker(td1.image).state for _ in range(5 + 4)]
    assert tracker.captures == 3 and states.index(LiveState.READING) == 8


def test_tracker_needs_a_sharp_document(td1: Sample) -> None:
    tracker = LiveDocumentTracker()
    soft = cv2.GaussianBlur(td1.image, (0, 0), 6)
    states = [tracker(soft).state for _ in range(8)]
    assert tracker.captures == 0 and states[-1] is LiveState.BLURRED


# -- the dialog over generated video files ----------------------------------------------------------
def test_held_still_document_is_auto_captured_and_read(qtbot, tmp_path: Path, td3: Sample) -> None:
    frames = _moving(td3, MOVING) + [td3.image] * 25
    video = write_video(tmp_path / "td3.avi", frames, fps=30)
    dlg = _open(qtbot, str(video), loop_files=False)
    with qtbot.waitSignal(dlg.result_shown, timeout=15_000) as blocker:
        pass
    result = blocker.args[0]
    tracker = dlg.feed.tracker
    assert tracker is not None and tracker.captures == 1
    assert tracker.captured_at_frame >= MOVING + CaptureSettings().steady_frames  # not while it moved
    assert result.mrz is not None and result.mrz.valid
    assert dlg.view.edits["document_number"].text() == td3.identity.document_number
    assert dlg.view.edits["surname"].text() == td3.identity.surname
    qtbot.waitUntil(lambda: dlg.preview.state is LiveState.DONE, timeout=5000)
    got: list[object] = []
    dlg.fields_accepted.connect(got.append)
    dlg.apply_button.click()
    assert got == [dlg.fields] and dlg.feed.worker is None  # accepted, camera stopped


def test_td1_card_is_read_and_screenshot(qtbot, tmp_path: Path, td1: Sample) -> None:
    # a video, not an image sequence: OpenCV reports 1 fps for sequences and FrameSource paces them at that
    video = write_video(tmp_path / "td1.avi", _moving(td1, 6) + [td1.image] * 12, fps=30)
    dlg = _open(qtbot, str(video), loop_files=False)
    with qtbot.waitSignal(dlg.result_shown, timeout=15_000) as blocker:
        pass
    assert blocker.args[0].mrz is not None and blocker.args[0].mrz.valid
    assert dlg.view.edits["document_number"].text() == td1.identity.document_number
    qtbot.waitUntil(lambda: dlg.preview.state is LiveState.DONE and dlg.preview._corners is not None, timeout=5000)
    qtbot.waitUntil(lambda: dlg.preview.painted > 3, timeout=5000)
    save_shot(dlg, "scan-live.png", tmp_path)


def test_read_now_forces_a_read_of_a_moving_document(qtbot, tmp_path: Path, td3: Sample) -> None:
    video = write_video(tmp_path / "moving.avi", _moving(td3, 20), fps=30)
    dlg = _open(qtbot, str(video), loop_files=True)
    # the tracker counts frames on the worker thread; the preview shows them when the GUI thread gets to it
    qtbot.waitUntil(lambda: dlg.feed.tracker is not None and dlg.feed.tracker.frames >= 15
                    and dlg.preview.state is not None, timeout=10_000)
    assert dlg.feed.tracker.captures == 0 and dlg.preview.state is LiveState.STEADYING
    assert dlg.view.edits["surname"].isReadOnly()  # corrections are typed in the member form, not here
    dlg.read_button.setFocus()
    with qtbot.waitSignal(dlg.result_shown, timeout=15_000) as blocker:
        qtbot.keyClick(dlg, Qt.Key.Key_R)
    assert dlg.feed.tracker.captures == 1
    assert blocker.args[0].mrz is not None
    assert dlg.view.edits["document_number"].text() == td3.identity.document_number
    with qtbot.waitSignal(dlg.result_shown, timeout=15_000):
        dlg.read_button.click()  # the button reads again even while the read card is held
    assert dlg.feed.tracker.captures == 2
    dlg.close()
    assert dlg.feed.worker is None


def test_missing_source_says_so_and_import_still_works(qtbot, tmp_path: Path, td1: Sample) -> None:
    dlg = _open(qtbot, str(tmp_path / "no-such-video.avi"))
    qtbot.waitUntil(lambda: dlg.status.text() == tr("scanning.live.source_failed"), timeout=10_000)
    assert dlg.import_button.isVisible() and dlg.isVisible()
    dlg.read_now()  # nothing to read: a message, no crash
    assert dlg.status.text() == tr("scanning.live.no_frame")
    path = tmp_path / "card.png"
    cv2.imwrite(str(path), td1.image)
    with qtbot.waitSignal(dlg.result_shown, timeout=15_000):
        dlg.scan_file(path)
    assert dlg.feed.worker is None and dlg.preview.still and dlg.camera_button.isVisible()
    assert dlg.view.edits["document_number"].text() == td1.identity.document_number


def test_absent_camera_device_offers_import(qtbot) -> None:
    dlg = _open(qtbot, "57")  # no /dev/video57
    qtbot.waitUntil(lambda: dlg.status.text() == tr("scanning.live.no_camera"), timeout=10_000)
    assert dlg.import_button.isVisible()
    dlg.reject()
    assert dlg.feed.worker is None


class _PatientTracker(LiveDocumentTracker):
    """A clerk holds a card until it is read; a video file does not wait. This tracker holds the file
    (blocks the worker thread) while a read runs, so what the test sees does not depend on how long the
    read takes on a loaded machine (CI once read slower than the 27-frame video played)."""

    def __init__(self, *args, **kw) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kw)
        self._idle = threading.Event()
        self._idle.set()

    def __call__(self, frame: np.ndarray) -> DocumentView:
        assert self._idle.wait(30), "a read never finished"
        view = super().__call__(frame)
        if view.state is LiveState.READING:
            self._idle.clear()
        return view

    def read_finished(self, ok: bool) -> None:
        super().read_finished(ok)
        self._idle.set()


def test_next_document_without_mrz_clears_the_last_ones_fields(
    qtbot, tmp_path: Path, td3: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ui.scanning.feed.LiveDocumentTracker", _PatientTracker)
    rng = np.random.default_rng(11)
    doc, _ = render_document(rng, "TD1", td3.identity, (" ",))  # a card with no machine-readable zone
    no_mrz = photograph(rng, doc, "easy")
    blank = np.full_like(td3.image, 90)
    video = write_video(tmp_path / "two.avi", [td3.image] * 10 + [blank] * 5 + [no_mrz] * 12, fps=30)
    dlg = _open(qtbot, str(video), loop_files=False)
    results: list[object] = []
    dlg.result_shown.connect(results.append)
    qtbot.waitUntil(lambda: len(results) == 2, timeout=15_000)
    first, second = results
    assert first.mrz is not None and first.mrz.valid  # type: ignore[attr-defined]
    assert second.mrz is None and second.document_corners is not None  # type: ignore[attr-defined]
    assert dlg.fields is None and not dlg.apply_button.isEnabled()
    assert dlg.view.edits["surname"].text() == "" and not dlg.view.badges["surname"].isVisible()
    assert dlg.status.text() == tr(second.reason)  # type: ignore[attr-defined]
