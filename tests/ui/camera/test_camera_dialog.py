"""Camera dialog and capture worker, driven through cv2.VideoCapture over generated video files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from station.scanning.frames import SourceSpec
from station.scanning.photo_quality import LiveAssessor, QualityReport
from tests.station.scanning.camera_fixtures import (
    blurred,
    moving_face_frames,
    portrait_frame,
    two_faces_frame,
    write_sequence,
    write_video,
)
from tests.ui.shots import save_shot
from ui.camera.dialog import CameraDialog
from ui.camera.worker import CaptureWorker

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture
def good_video(tmp_path: Path) -> Path:
    return write_video(tmp_path / "good.avi", [portrait_frame(640, 480, 0.32)] * 20, fps=30)


def _wait_preview(qtbot, dlg: CameraDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dlg.preview._report is not None, timeout=10_000)


def test_worker_emits_newest_frames_and_stops_cleanly(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_video(tmp_path / "move.avi", moving_face_frames(30), fps=30)
    worker = CaptureWorker(SourceSpec.parse(str(path), loop=True), processor=LiveAssessor())
    seen: list[QualityReport] = []
    worker.frame_available.connect(lambda: seen.append(worker.take_latest().analysis))  # type: ignore[union-attr]
    worker.start()
    qtbot.waitUntil(lambda: len(seen) >= 20, timeout=10_000)
    assert worker.stop(5000) and worker.isFinished()
    assert all(r is not None and r.face_count == 1 for r in seen[2:])


def test_worker_drops_frames_when_gui_is_busy(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_video(tmp_path / "move.avi", moving_face_frames(10), fps=100)
    worker = CaptureWorker(SourceSpec.parse(str(path), loop=True))
    worker.start()
    qtbot.waitUntil(lambda: worker.frames_read >= 60, timeout=10_000)
    # the GUI thread never took a frame: one signal was sent, the rest replaced the newest frame
    assert worker.published == 1 and worker.dropped >= 50
    latest = worker.take_latest()
    assert latest is not None and latest.seq >= 60 and latest.image.width() == 640
    assert worker.stop(5000)


def test_space_takes_a_good_photo_and_keep_emits_it(qtbot, good_video: Path) -> None:  # type: ignore[no-untyped-def]
    dlg = CameraDialog(source=str(good_video), probe_cameras=False)
    qtbot.addWidget(dlg)
    dlg.show()
    _wait_preview(qtbot, dlg)
    assert dlg.preview._report.passed  # type: ignore[union-attr]
    qtbot.keyClick(dlg, " ")
    qtbot.waitUntil(lambda: dlg.portrait is not None, timeout=10_000)
    assert dlg.portrait.passed and dlg.keep_btn.isVisible() and not dlg.keep_anyway_btn.isVisible()  # type: ignore[union-attr]
    with qtbot.waitSignal(dlg.portrait_accepted, timeout=5000) as blocker:
        dlg.keep_btn.click()
    jpeg, quality, reason = blocker.args
    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape[:2] == (800, 622) and quality["passed"] is True and reason == ""
    assert dlg.worker is None  # stopped on close


def test_poor_photo_needs_a_reason(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = write_video(tmp_path / "two.avi", [two_faces_frame()] * 10, fps=30)
    dlg = CameraDialog(source=str(path), probe_cameras=False)
    qtbot.addWidget(dlg)
    dlg.show()
    _wait_preview(qtbot, dlg)
    dlg.take_photo()
    qtbot.waitUntil(lambda: dlg.portrait is not None, timeout=10_000)
    assert "camera.reason.many_faces" in dlg.portrait.report.reasons  # type: ignore[union-attr]
    assert dlg.keep_anyway_btn.isVisible() and not dlg.keep_btn.isVisible()
    dlg.keep("")  # no reason: nothing happens
    assert dlg.isVisible()
    dlg.retake()
    assert dlg.stack.currentIndex() == 0
    dlg.take_photo()
    qtbot.waitUntil(lambda: dlg.portrait is not None, timeout=10_000)
    with qtbot.waitSignal(dlg.portrait_accepted, timeout=5000) as blocker:
        dlg.keep("baby: held by her mother")
    assert blocker.args[2] == "baby: held by her mother" and blocker.args[1]["override"] is True


def test_import_from_file_and_corrupt_file(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dlg = CameraDialog(source=str(tmp_path / "missing.avi"), probe_cameras=False)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.worker is not None and dlg.worker.state == "failed", timeout=5000)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0garbage")
    dlg.import_file(bad)
    qtbot.waitUntil(lambda: "damaged" in dlg.status.text(), timeout=5000)
    good = tmp_path / "p.jpg"
    cv2.imwrite(str(good), portrait_frame(1280, 720))
    dlg.import_file(good)
    qtbot.waitUntil(lambda: dlg.portrait is not None, timeout=10_000)
    assert dlg.portrait.passed  # type: ignore[union-attr]


def test_zero_size_and_dead_sources_keep_window_responsive(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty.avi"
    empty.write_bytes(b"")
    dlg = CameraDialog(source=str(empty), probe_cameras=False)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.worker is not None and dlg.worker.state == "failed", timeout=8000)
    dlg.take_photo()
    qtbot.waitUntil(lambda: dlg.take_btn.isEnabled(), timeout=5000)  # still_failed came back
    dlg._start_source("http://127.0.0.1:9/none")  # nothing listens on port 9
    qtbot.wait(300)
    worker = dlg.worker
    dlg.reject()  # how long closing takes is measured in tests/perf/test_camera_dialog_perf.py
    assert not dlg.isVisible()
    assert worker is not None and worker.wait(10_000)  # the capture thread ends by itself


def test_screenshot_overlay_with_rejection(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frames = [blurred(portrait_frame(640, 480, 0.32, cx=0.68), 3.5)] * 15
    path = write_sequence(tmp_path / "seq", frames)
    dlg = CameraDialog(source=path, probe_cameras=False)
    qtbot.addWidget(dlg)
    dlg.resize(820, 640)
    dlg.show()
    _wait_preview(qtbot, dlg)
    qtbot.wait(200)
    report = dlg.preview._report
    assert report is not None and report.face_count == 1
    assert {"camera.reason.off_centre", "camera.reason.blurred"} <= set(report.reasons)
    shot = dlg.grab()
    out = tmp_path / "camera-dialog.png"
    assert shot.save(str(out)) and out.stat().st_size > 10_000
    dlg.take_photo()
    qtbot.waitUntil(lambda: dlg.portrait is not None, timeout=10_000)
    assert dlg.keep_anyway_btn.isVisible() and "camera.reason.blurred" in dlg.portrait.report.reasons
    review = dlg.grab()
    if os.environ.get("STATION_SAVE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot.save(str(SCREENSHOTS / "camera-dialog.png"))
        review.save(str(SCREENSHOTS / "camera-review.png"))
        _arabic_screenshot(qtbot, path, tmp_path)


def _arabic_screenshot(qtbot, source: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The same dialog in Arabic, right to left (kept in docs/screenshots/camera-dialog-ar.png)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication

    from station import i18n
    from station.paths import fonts_dir

    for name in ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "NotoSans-Regular.ttf"):
        QFontDatabase.addApplicationFont(str(fonts_dir() / name))
    app = QApplication.instance()
    i18n.set_language("ar")
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)  # type: ignore[union-attr]
    try:
        dlg = CameraDialog(source=source, probe_cameras=False)
        qtbot.addWidget(dlg)
        dlg.resize(820, 640)
        dlg.show()
        _wait_preview(qtbot, dlg)
        qtbot.wait(200)
        save_shot(dlg, "camera-dialog-ar.png", tmp_path)
        dlg.reject()
    finally:
        i18n.set_language("en")
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # type: ignore[union-attr]


class _Replug:
    """A fake capture for a camera that is unplugged after a few frames and plugged back in later."""

    opened = 0

    def __init__(self) -> None:
        _Replug.opened += 1
        self.n = 0
        self.first = _Replug.opened == 1

    def isOpened(self) -> bool:
        return self.first or _Replug.opened >= 4  # reopen attempts 2 and 3 find nothing

    def get(self, prop: int) -> float:
        return 30.0

    def read(self):  # type: ignore[no-untyped-def]
        self.n += 1
        time.sleep(0.005)
        if self.first and self.n > 5:
            return False, None
        return True, portrait_frame()

    def release(self) -> None:
        pass


def test_unplugged_camera_is_reported_and_comes_back(qtbot) -> None:  # type: ignore[no-untyped-def]
    from station.scanning.frames import CameraSettings, FrameSource

    _Replug.opened = 0
    settings = CameraSettings(lost_after_s=0.2, reconnect_s=0.1)
    worker = CaptureWorker(
        SourceSpec.parse("0"), settings,
        source_factory=lambda sp, st: FrameSource(sp, st, factory=lambda s, c: _Replug()),
    )
    states: list[str] = []
    worker.state_changed.connect(states.append)
    worker.frame_available.connect(worker.take_latest)
    worker.start()
    qtbot.waitUntil(lambda: states.count("live") >= 2, timeout=10_000)
    assert worker.stop(3000)
    assert "lost" in states and states.index("lost") < len(states) - 1 - states[::-1].index("live")


def test_resolution_and_source_are_remembered(qtbot, good_video: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    home.mkdir()
    dlg = CameraDialog(home=home, source=str(good_video), probe_cameras=False)
    qtbot.addWidget(dlg)
    dlg.res_combo.setCurrentIndex(dlg.res_combo.findData((640, 480)))
    dlg._start_source(str(good_video))
    dlg.reject()
    again = CameraDialog(home=home, probe_cameras=False)
    qtbot.addWidget(again)
    assert again.settings.source == str(good_video)
    assert again.res_combo.currentData() == (640, 480)
    assert again.source_combo.currentData() == str(good_video)
    again.reject()


def test_worker_stuck_in_a_read_is_kept_until_it_finishes(qtbot, good_video: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.camera import dialog as dialog_mod

    dlg = CameraDialog(source=str(good_video), probe_cameras=False)
    qtbot.addWidget(dlg)
    worker = dlg.worker
    assert worker is not None

    def slow_stop(timeout_ms: int = 3000) -> bool:  # as if OpenCV were still blocked in read()
        worker.requestInterruption()
        return False

    worker.stop = slow_stop  # type: ignore[method-assign]
    dlg.reject()
    assert worker in dialog_mod._FINISHING  # still referenced: never destroyed while running
    # the worker finishes its blocked read in its own time; slow under load
    qtbot.waitUntil(lambda: worker not in dialog_mod._FINISHING, timeout=30_000)


def test_enter_keeps_a_good_photo_and_retakes_a_poor_one(qtbot, good_video: Path) -> None:  # type: ignore[no-untyped-def]
    """The review is answered from the keyboard: Enter keeps a good photo (it used to press Cancel)."""
    from PySide6.QtCore import Qt

    dlg = CameraDialog(source=str(good_video), probe_cameras=False)
    qtbot.addWidget(dlg)
    dlg.show()
    _wait_preview(qtbot, dlg)
    qtbot.keyClick(dlg, " ")
    qtbot.waitUntil(lambda: dlg.portrait is not None, timeout=10_000)
    assert dlg.portrait.passed  # type: ignore[union-attr]
    with qtbot.waitSignal(dlg.portrait_accepted, timeout=5000):
        qtbot.keyClick(dlg.focusWidget() or dlg, Qt.Key.Key_Return)
    assert dlg.result() == dlg.DialogCode.Accepted


def test_no_camera_says_so_instead_of_reconnecting_forever(qtbot) -> None:  # type: ignore[no-untyped-def]
    from station.i18n import tr

    dlg = CameraDialog(source="7", probe_cameras=False)  # a device index with nothing behind it
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.status.text() == tr("camera.state.absent"), timeout=15_000)
