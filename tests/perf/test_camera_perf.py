"""Camera benchmarks: detection + quality per frame, preview pace and memory over time, Space to portrait.

STATION_PERF_SHORT=1 (CI): small N and a 20 s preview run. Without it the preview runs 10 minutes
(override with STATION_PERF_PREVIEW_S). Figures are printed; run with -s to see them.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import pytest

from station.scanning.faces import FaceDetector
from station.scanning.photo_quality import LiveAssessor, assess
from station.scanning.portrait import make_portrait
from tests.perf.conftest import short_mode
from tests.station.scanning.camera_fixtures import moving_face_frames, portrait_frame, write_video

pytestmark = pytest.mark.perf
SHORT = short_mode()  # STATION_PERF_SHORT=0 for the full figures


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _frames(w: int, h: int, n: int) -> list:  # type: ignore[type-arg]
    # the person moves and changes size a little from frame to frame
    return [portrait_frame(w, h, 0.28 + 0.08 * ((i * 7) % 10) / 10, 0.45 + 0.1 * ((i * 3) % 10) / 10, 0.45)
            for i in range(n)]


@pytest.mark.parametrize(("w", "h", "budget_ms"), [(640, 480, 15.0), (1280, 720, 40.0)])
def test_detection_plus_quality_per_frame(w: int, h: int, budget_ms: float) -> None:
    n = 40 if SHORT else 300
    frames = _frames(w, h, 20)
    det = FaceDetector()
    for f in frames[:3]:
        assess(f, det.detect(f))  # warm-up
    full, tracked = [], []
    live = LiveAssessor()
    cpu0 = time.process_time()
    for i in range(n):
        f = frames[i % len(frames)]
        t = time.perf_counter()
        r = assess(f, det.detect(f))
        full.append((time.perf_counter() - t) * 1000)
        assert r.face_count == 1
        t = time.perf_counter()
        live(f)
        tracked.append((time.perf_counter() - t) * 1000)
    cpu_ms = (time.process_time() - cpu0) * 1000 / n  # both paths, all threads
    med, p95 = statistics.median(full), sorted(full)[int(0.95 * len(full))]
    tmed = statistics.median(tracked)
    print(f"\n[perf] {w}x{h} full-frame detect+quality: median {med:.1f} ms, p95 {p95:.1f} ms; "
          f"live (tracked) median {tmed:.1f} ms; CPU {cpu_ms:.1f} ms/frame for both; n={n}; "
          f"load average {os.getloadavg()[0]:.1f}")
    # The budget is what the live preview spends on each frame (tracked search + quality, with a full
    # search every few frames). A full-frame search alone was 12 ms wall on a quiet machine and 16.8 ms
    # on a loaded CI runner (OpenCV's two threads competing), so it only has a guard against gross
    # regressions here; tests/perf/test_faces_benchmark.py reports it per condition.
    assert tmed < budget_ms
    assert med < 3 * budget_ms


def test_preview_keeps_pace_without_memory_growth(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.camera.dialog import CameraDialog

    duration = float(os.environ.get("STATION_PERF_PREVIEW_S", "20" if SHORT else "600"))
    path = write_video(tmp_path / "live.avi", moving_face_frames(60, 1280, 720), fps=30)
    dlg = CameraDialog(source=str(path), probe_cameras=False)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.preview.painted > 5, timeout=10_000)
    qtbot.wait(3000)  # warm-up: allocations settle
    w = dlg.worker
    assert w is not None
    none0 = sys.getrefcount(None)
    rss0, read0, painted0, t0 = _rss_mb(), w.frames_read, dlg.preview.painted, time.perf_counter()
    samples = []
    while time.perf_counter() - t0 < duration:
        qtbot.wait(1000)
        samples.append(_rss_mb())
    elapsed = time.perf_counter() - t0
    read_fps = (w.frames_read - read0) / elapsed
    paint_fps = (dlg.preview.painted - painted0) / elapsed
    growth = samples[-1] - rss0
    none_drift = sys.getrefcount(None) - none0
    tail_growth = samples[-1] - samples[len(samples) // 2]
    print(f"\n[perf] preview 1280x720@30 for {elapsed:.0f} s: read {read_fps:.1f} fps, painted {paint_fps:.1f} fps, "
          f"dropped {w.dropped}, RSS {rss0:.1f} -> {samples[-1]:.1f} MB (max {max(samples):.1f}; "
          f"second half {tail_growth:+.1f} MB); refcount(None) drift {none_drift:+d}")
    dlg.reject()
    assert read_fps > 27.0
    assert paint_fps > 25.0
    assert growth < 25.0 and tail_growth < 10.0
    # PySide6 6.12.0 on Python 3.11 dropped a reference to None on every void call: the process aborted
    # ("none_dealloc") after a few minutes of preview. The pinned binding must not (tests/ui/test_qt_binding.py).
    assert abs(none_drift) < 500, none_drift


def test_space_to_portrait_ready(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.camera.dialog import CameraDialog

    n = 5 if SHORT else 20
    path = write_video(tmp_path / "good.avi", [portrait_frame(1280, 720, 0.32)] * 30, fps=30)
    dlg = CameraDialog(source=str(path), probe_cameras=False)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.preview._report is not None, timeout=10_000)
    times = []
    for _ in range(n):
        dlg.portrait = None
        dlg.take_photo()
        qtbot.waitUntil(lambda: dlg.portrait is not None, timeout=10_000)
        times.append(dlg.still_latency_s * 1000)
        dlg.retake()
    # and the core step alone, no thread hop: detect + assess + crop + JPEG at 1280x720
    det, f = FaceDetector(), portrait_frame(1280, 720, 0.32)
    core = []
    for _ in range(n):
        t = time.perf_counter()
        res = make_portrait(f, det)
        core.append((time.perf_counter() - t) * 1000)
    dlg.reject()
    print(f"\n[perf] Space -> portrait ready (1280x720, in the dialog): median {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms; make_portrait alone median {statistics.median(core):.0f} ms, "
          f"JPEG {len(res.jpeg) // 1024} KB")
    assert statistics.median(times) < 500


def test_image_loader_fuzz_long() -> None:
    """The image-loader mutation fuzz, long and random (CI's short pass is derandomized, 300 cases)."""
    from tests.station.scanning.test_image_fuzz import fuzz_in_child
    from tests.station.scanning.test_image_io import PEAK_LIMIT_MB

    n = 1000 if SHORT else 20000
    peak_mb, out = fuzz_in_child(n, derandomize=False)
    line = next(ln for ln in out.splitlines() if ln.startswith("OUTCOMES"))
    slowest = float(line.rsplit("SLOWEST_S", 1)[1])
    print(f"\n[perf] image loader fuzz, {n} random cases: peak {peak_mb:.0f} MB, slowest case {slowest:.2f} s; {line}")
    assert peak_mb < PEAK_LIMIT_MB
    assert slowest < 2.0
