"""Frame sources over cv2.VideoCapture: camera index, network stream URL, video file or image sequence (Qt-free).

`FrameSource.read()` is meant to be called in a loop by one worker thread (ui.camera.worker.CaptureWorker,
or any other loop). It never raises for a camera problem: it returns a BGR frame or None, and keeps
`state` up to date (OPENING, LIVE, LOST, ENDED, FAILED). A source that stops giving frames (unplugged
camera, dropped Wi-Fi stream) turns LOST after `lost_after_s` and is reopened every `reconnect_s` until
it answers again. Files are paced at their own frame rate (and may loop), so a video file behaves like
a camera in tests and demos.
"""

from __future__ import annotations

import contextlib
import glob
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import cv2
import numpy as np

from station.scanning.image_io import valid_frame
from station.settings import load_section, save_section, section, setting

RESOLUTIONS: tuple[tuple[int, int], ...] = ((640, 480), (1280, 720), (1920, 1080))
SETTINGS_SECTION = "camera"


class SourceKind(StrEnum):
    DEVICE = "device"
    URL = "url"
    FILE = "file"
    SEQUENCE = "sequence"


class SourceState(StrEnum):
    OPENING = "opening"
    LIVE = "live"
    LOST = "lost"  # was live or never answered; retrying
    ENDED = "ended"  # a file that reached its end (and does not loop)
    FAILED = "failed"  # cannot be opened at all (file missing, not a video)


@section("camera")
@dataclass(frozen=True)
class CameraSettings:
    """The clerk's last camera choice (settings section "camera")."""

    source: str = setting("0", "'0'..'9': device index; rtsp:// http://: stream; else a file path")
    width: int = setting(1280, "requested capture width in pixels")
    height: int = setting(720, "requested capture height in pixels")
    lost_after_s: float = setting(2.0, "seconds without a frame before the camera counts as lost")
    reconnect_s: float = setting(2.0, "seconds between attempts to reopen a lost camera")
    stream_timeout_ms: int = setting(5000, "network camera: milliseconds to wait when opening or reading")


def load_camera_settings(home: Path | None = None) -> CameraSettings:
    return load_section(SETTINGS_SECTION, CameraSettings, home)


def save_camera_settings(settings: CameraSettings, home: Path | None = None) -> None:
    save_section(SETTINGS_SECTION, settings, home)


@dataclass(frozen=True)
class SourceSpec:
    kind: SourceKind
    target: str  # device index as text, URL, or path (a printf pattern for sequences)
    width: int = 0  # requested resolution (devices only); 0 = the camera's default
    height: int = 0
    loop: bool = False  # files and sequences: start again at the end

    @classmethod
    def parse(cls, text: str, width: int = 0, height: int = 0, loop: bool = False) -> SourceSpec:
        t = text.strip()
        if re.fullmatch(r"\d{1,2}", t):
            kind = SourceKind.DEVICE
        elif re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", t):
            kind = SourceKind.URL
        elif "%" in t and re.search(r"%0?\d*d", t):
            kind = SourceKind.SEQUENCE
        else:
            kind = SourceKind.FILE
        return cls(kind, t, width, height, loop)

    @property
    def is_live(self) -> bool:
        return self.kind in (SourceKind.DEVICE, SourceKind.URL)

    def label(self) -> str:
        """A display label safe for logs and titles: no password from a URL, only a file's name."""
        if self.kind is SourceKind.URL:
            parts = urlsplit(self.target)
            host = parts.hostname or ""
            netloc = host + (f":{parts.port}" if parts.port else "")
            return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        if self.kind is SourceKind.DEVICE:
            return f"#{self.target}"
        return Path(self.target).name


CaptureFactory = Callable[[SourceSpec, CameraSettings], Any]


def open_capture(spec: SourceSpec, settings: CameraSettings) -> Any:
    """A cv2.VideoCapture for `spec` with the right backend and options (may be not opened)."""
    if spec.kind is SourceKind.DEVICE:
        api = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
        cap = cv2.VideoCapture(int(spec.target), api)
        if cap.isOpened():
            # MJPG lets USB webcams give 720p at 30 fps; raw YUYV often manages 10 fps.
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))  # type: ignore[attr-defined]
            if spec.width and spec.height:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, spec.width)
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, spec.height)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a backlog
        return cap
    if spec.kind is SourceKind.URL:
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, settings.stream_timeout_ms,
                  cv2.CAP_PROP_READ_TIMEOUT_MSEC, settings.stream_timeout_ms]
        return cv2.VideoCapture(spec.target, cv2.CAP_FFMPEG, params)
    if spec.kind is SourceKind.SEQUENCE:
        return cv2.VideoCapture(spec.target, cv2.CAP_IMAGES)
    return cv2.VideoCapture(spec.target)


class FrameSource:
    """One frame source with reconnect and pacing; confined to the thread that calls `read()`."""

    def __init__(
        self,
        spec: SourceSpec,
        settings: CameraSettings | None = None,
        factory: CaptureFactory = open_capture,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.spec = spec
        self.settings = settings or CameraSettings()
        self._factory = factory
        self._clock = clock
        self._sleep = sleep
        self._cap: Any = None
        self.state = SourceState.OPENING
        self.fps = 0.0
        self.frame_size: tuple[int, int] = (0, 0)
        self._last_good = 0.0
        self._next_retry = 0.0
        self._next_due = 0.0
        self.frames_read = 0
        self.reconnects = 0

    # -- opening and closing -------------------------------------------------------------------
    def open(self) -> bool:
        self._release()
        try:
            cap = self._factory(self.spec, self.settings)
        except (cv2.error, OSError, ValueError):
            cap = None
        now = self._clock()
        if cap is None or not cap.isOpened():
            if cap is not None:
                cap.release()
            if not self.spec.is_live and self.frames_read == 0:
                self.state = SourceState.FAILED
            else:
                self.state = SourceState.LOST
            self._next_retry = now + self.settings.reconnect_s
            return False
        self._cap = cap
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        # Image sequences report 1 fps (and some drivers 0): play them, and such devices, at 30 fps.
        self.fps = fps if 2.0 <= fps <= 240.0 else 30.0
        self._last_good = now
        self._next_due = now
        if self.state is SourceState.LOST:
            self.reconnects += 1
        self.state = SourceState.OPENING
        return True

    def _release(self) -> None:
        if self._cap is not None:
            with contextlib.suppress(cv2.error):
                self._cap.release()
            self._cap = None

    def close(self) -> None:
        self._release()

    # -- reading ---------------------------------------------------------------------------------
    def read(self) -> np.ndarray | None:
        """The next frame, or None (check `state`). Never raises for a camera problem."""
        now = self._clock()
        if self.state in (SourceState.ENDED, SourceState.FAILED):
            return None
        if self._cap is None:
            if self.state is SourceState.OPENING or now >= self._next_retry:
                self.open()
            return None
        if not self.spec.is_live:  # pace files like a camera
            wait = self._next_due - now
            if wait > 0:
                self._sleep(min(wait, 0.1))
                if wait > 0.1:
                    return None
            self._next_due = max(self._next_due + 1.0 / self.fps, self._clock() - 0.5)
        try:
            ok, frame = self._cap.read()
        except cv2.error:
            ok, frame = False, None
        if ok and valid_frame(frame):
            self._last_good = self._clock()
            self.frames_read += 1
            self.frame_size = (int(frame.shape[1]), int(frame.shape[0]))
            self.state = SourceState.LIVE
            good: np.ndarray = frame
            return good
        self._on_failed_read()
        return None

    def _on_failed_read(self) -> None:
        now = self._clock()
        if not self.spec.is_live:
            if self.frames_read and self.spec.loop:
                self.open()  # rewinds files and image sequences alike
                return
            if self.frames_read:
                self.state = SourceState.ENDED
                self._release()
                return
        if now - self._last_good >= self.settings.lost_after_s:
            self.state = SourceState.LOST if self.spec.is_live else SourceState.FAILED
            self._release()
            self._next_retry = now + self.settings.reconnect_s
        else:
            self._sleep(0.01)  # do not spin on a camera that returns nothing


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str
    width: int
    height: int


def _device_name(index: int) -> str:
    try:
        return Path(f"/sys/class/video4linux/video{index}/name").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def candidate_indices(max_index: int = 10) -> list[int]:
    """Device indices worth probing: /dev/videoN on Linux, else 0..max_index-1."""
    if sys.platform.startswith("linux"):
        found = sorted({int(m.group(1)) for p in glob.glob("/dev/video*") if (m := re.search(r"(\d+)$", p))})
        return [i for i in found if i < 64]
    return list(range(max_index))


def list_cameras(
    indices: list[int] | None = None, factory: CaptureFactory = open_capture
) -> list[CameraInfo]:
    """The cameras that answer with a frame (slow: up to a second per device; call it off the GUI thread)."""
    out: list[CameraInfo] = []
    settings = CameraSettings()
    for i in candidate_indices() if indices is None else indices:
        try:
            cap = factory(SourceSpec(SourceKind.DEVICE, str(i)), settings)
        except (cv2.error, OSError, ValueError):
            continue
        try:
            if not cap.isOpened():
                continue
            ok, frame = cap.read()
            if ok and valid_frame(frame):
                out.append(CameraInfo(i, _device_name(i) or f"Camera {i}", frame.shape[1], frame.shape[0]))
        finally:
            cap.release()
    return out
