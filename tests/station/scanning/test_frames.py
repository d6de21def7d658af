"""Frame sources through cv2.VideoCapture: video files, image sequences, and a camera that vanishes and returns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from station.scanning.faces import FaceDetector
from station.scanning.frames import (
    CameraSettings,
    FrameSource,
    SourceKind,
    SourceSpec,
    SourceState,
    list_cameras,
    load_camera_settings,
    save_camera_settings,
)
from tests.station.scanning.camera_fixtures import moving_face_frames, write_sequence, write_video


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += s


def _drain(src: FrameSource, limit: int = 500) -> list[np.ndarray]:
    out = []
    for _ in range(limit):
        f = src.read()
        if f is not None:
            out.append(f)
        if src.state in (SourceState.ENDED, SourceState.FAILED):
            break
    return out


def test_parse_and_label() -> None:
    assert SourceSpec.parse("0").kind is SourceKind.DEVICE
    assert SourceSpec.parse("rtsp://u:secret@10.0.0.2:554/live").kind is SourceKind.URL
    assert SourceSpec.parse("/x/frame_%03d.png").kind is SourceKind.SEQUENCE
    assert SourceSpec.parse("/x/video.avi").kind is SourceKind.FILE
    label = SourceSpec.parse("http://user:secret@192.168.1.5:8080/video?x=1").label()
    assert "secret" not in label and "user" not in label and "192.168.1.5:8080/video" in label


def test_video_file_through_videocapture_finds_faces(tmp_path: Path) -> None:
    frames = moving_face_frames(15)
    path = write_video(tmp_path / "clip.avi", frames, fps=30)
    clock = FakeClock()
    src = FrameSource(SourceSpec.parse(str(path)), clock=clock, sleep=clock.sleep)
    got = _drain(src)
    assert len(got) == 15 and src.state is SourceState.ENDED
    assert got[0].shape == (480, 640, 3) and src.fps == pytest.approx(30, abs=0.5)
    det = FaceDetector()
    assert all(len(det.detect(f)) == 1 for f in got[::3])


def test_image_sequence_and_loop(tmp_path: Path) -> None:
    pattern = write_sequence(tmp_path / "seq", moving_face_frames(5))
    clock = FakeClock()
    src = FrameSource(SourceSpec.parse(pattern, loop=True), clock=clock, sleep=clock.sleep)
    assert src.spec.kind is SourceKind.SEQUENCE
    got = []
    for _ in range(400):
        f = src.read()
        if f is not None:
            got.append(f)
        if len(got) >= 12:
            break
    assert len(got) == 12 and src.state is SourceState.LIVE  # looped past the 5 files
    assert np.array_equal(got[0], got[5])


def test_file_is_paced_at_its_frame_rate(tmp_path: Path) -> None:
    path = write_video(tmp_path / "clip.avi", moving_face_frames(10), fps=10)
    clock = FakeClock()
    src = FrameSource(SourceSpec.parse(str(path)), clock=clock, sleep=clock.sleep)
    _drain(src)
    assert 0.8 <= clock.t <= 1.3  # 10 frames at 10 fps take about a second of (fake) time


def test_missing_and_corrupt_files_fail_without_raising(tmp_path: Path) -> None:
    src = FrameSource(SourceSpec.parse(str(tmp_path / "nope.avi")))
    assert src.read() is None and src.state is SourceState.FAILED
    bad = tmp_path / "bad.avi"
    bad.write_bytes(b"RIFF" + b"\x00" * 1000)
    clock = FakeClock()
    src2 = FrameSource(SourceSpec.parse(str(bad)), clock=clock, sleep=clock.sleep)
    _drain(src2, 1000)
    assert src2.state is SourceState.FAILED


class FlakyCamera:
    """A fake capture: frames, then nothing (unplugged), then frames again after it is reopened."""

    def __init__(self, script: list[str]) -> None:
        self.script = script  # one entry per read: "ok", "none", "empty"
        self.released = False

    def isOpened(self) -> bool:
        return True

    def get(self, prop: int) -> float:
        return 30.0

    def read(self) -> tuple[bool, np.ndarray | None]:
        step = self.script.pop(0) if self.script else "none"
        if step == "ok":
            return True, np.full((48, 64, 3), 100, np.uint8)
        if step == "empty":
            return True, np.zeros((0, 0, 3), np.uint8)
        return False, None

    def release(self) -> None:
        self.released = True


def test_unplugged_camera_goes_lost_and_reconnects() -> None:
    clock = FakeClock()
    opened: list[FlakyCamera] = []
    plugged = {"yes": True}

    class Unplugged(FlakyCamera):
        def isOpened(self) -> bool:
            return False

    def factory(spec: SourceSpec, settings: CameraSettings) -> FlakyCamera:
        cam = FlakyCamera(["ok", "ok", "ok"] + ["none"] * 1000) if not opened else FlakyCamera(["ok"] * 5)
        if not plugged["yes"]:
            return Unplugged([])
        opened.append(cam)
        return cam

    settings = CameraSettings(lost_after_s=1.0, reconnect_s=0.5)
    src = FrameSource(SourceSpec.parse("0"), settings, factory, clock=clock, sleep=clock.sleep)
    frames = [src.read() for _ in range(4)]
    assert sum(f is not None for f in frames) == 3 and src.state is SourceState.LIVE
    plugged["yes"] = False
    for _ in range(300):
        src.read()
        clock.t += 0.01
    assert src.state is SourceState.LOST and opened[0].released
    plugged["yes"] = True
    got = None
    for _ in range(200):
        got = src.read()
        clock.t += 0.01
        if got is not None:
            break
    assert got is not None and src.state is SourceState.LIVE and src.reconnects == 1


def test_camera_returning_empty_frames_never_yields_them() -> None:
    clock = FakeClock()
    src = FrameSource(SourceSpec.parse("0"), CameraSettings(lost_after_s=0.5),
                      lambda s, c: FlakyCamera(["empty"] * 1000), clock=clock, sleep=clock.sleep)
    results = [src.read() for _ in range(200)]
    assert all(r is None for r in results)
    assert src.state is SourceState.LOST


def test_list_cameras_keeps_only_those_that_answer() -> None:
    cams = {0: ["ok"], 1: ["none"], 2: ["ok"]}
    infos = list_cameras([0, 1, 2], factory=lambda spec, s: FlakyCamera(list(cams[int(spec.target)])))
    assert [(c.index, c.width, c.height) for c in infos] == [(0, 64, 48), (2, 64, 48)]


def test_list_cameras_on_this_machine_does_not_raise() -> None:
    assert isinstance(list_cameras(), list)


def test_camera_choice_is_remembered(tmp_path: Path) -> None:
    save_camera_settings(CameraSettings(source="http://10.0.0.2:8080/video", width=640, height=480), tmp_path)
    s = load_camera_settings(tmp_path)
    assert (s.source, s.width, s.height) == ("http://10.0.0.2:8080/video", 640, 480)
