"""Drive the real `station` program through a real X server, as a clerk does: Xvfb, a window manager,
key and mouse events sent with xdotool, screenshots of the screen.

Nothing here talks to Qt: the program runs in its own process, started through its console script,
and only sees what the X server sends it (keys with their own timestamps, Shift before capitals).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = ("Xvfb", "xdotool", "openbox", "import", "xwininfo", "xmodmap")
_TREE_LINE = re.compile(r'^\s*(0x[0-9a-f]+) "((?:[^"\\]|\\.)*)":.*?\s(\d+)x\d+[+-]', re.MULTILINE)
SCREEN = (1366, 768)


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


@dataclass
class Waits:
    """Every wait the clerk feels, in seconds, in the order they happened."""

    items: list[tuple[str, float]] = field(default_factory=list)

    def add(self, what: str, seconds: float) -> None:
        self.items.append((what, seconds))

    def report(self) -> str:
        width = max((len(w) for w, _ in self.items), default=10)
        return "\n".join(f"  {w.ljust(width)}  {s * 1000:8.0f} ms" for w, s in self.items)


class XDesk:
    """One X display with a window manager; runs `station` processes on it."""

    def __init__(self, shots: Path) -> None:
        self.shots = shots
        self.shots.mkdir(parents=True, exist_ok=True)
        self.xvfb: subprocess.Popen[bytes] | None = None
        self.wm: subprocess.Popen[bytes] | None = None
        self.station: subprocess.Popen[bytes] | None = None
        self.display = ""
        self.waits = Waits()
        self._mapped: dict[str, int] = {}
        self.sent_at = 0.0
        self._free_keycodes: list[int] = []

    # -- the X server ---------------------------------------------------------------------------
    def start(self) -> None:
        read, write = os.pipe()
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24", "-nolisten", "tcp"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as fh:
            self.display = ":" + fh.readline().strip()
        self.wm = subprocess.Popen(["openbox"], env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def stop(self) -> None:
        self.stop_station()
        for proc in (self.wm, self.xvfb):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(10)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QT_QPA")}
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb", **extra)
        return env

    # -- the program ----------------------------------------------------------------------------
    def start_station(self, home: Path, *args: str, window: str = "Registration Station|Set up", **env: str) -> float:
        """Start `station` as the menu entry does; returns the time until its first window is on screen."""
        exe = Path(sys.executable).with_name("station")
        t0 = time.perf_counter()
        self._log_file = open(self.shots / "station.log", "ab")
        self.station = subprocess.Popen([str(exe), *args], env=self.env(STATION_HOME=str(home), **env),
                                        stdout=self._log_file, stderr=subprocess.STDOUT)
        self.wait_window(window, timeout=90)
        return time.perf_counter() - t0

    def stop_station(self, timeout: float = 15) -> int | None:
        proc, self.station = self.station, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        self._log_file.close()
        return proc.returncode

    def station_log(self, tail: int = 3000) -> str:
        path = self.shots / "station.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def station_alive(self) -> bool:
        return self.station is not None and self.station.poll() is None

    @contextmanager
    def stalled(self, seconds: float) -> Iterator[None]:
        """The program freezes (SIGSTOP) while the body runs; it resumes after `seconds` at the least."""
        assert self.station is not None
        self.station.send_signal(signal.SIGSTOP)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            time.sleep(max(0.0, seconds - (time.perf_counter() - t0)))
            self.station.send_signal(signal.SIGCONT)

    # -- X input --------------------------------------------------------------------------------
    def xdotool(self, *args: str, timeout: float = 30) -> str:
        res = subprocess.run(["xdotool", *args], env=self.env(), capture_output=True, text=True, timeout=timeout)
        return res.stdout.strip()

    def windows(self, name: str) -> list[str]:
        """Mapped windows whose title matches the regular expression `name`, newest last.

        Read from `xwininfo -tree`: under this window manager `xdotool search` misses Qt's reparented top-levels.
        """
        tree = subprocess.run(["xwininfo", "-root", "-tree"], env=self.env(), capture_output=True, text=True).stdout
        found = []
        for m in _TREE_LINE.finditer(tree):
            wid, title, width = m.group(1), m.group(2), int(m.group(3))
            if width > 1 and re.search(name, title):
                info = subprocess.run(["xwininfo", "-id", wid], env=self.env(), capture_output=True, text=True).stdout
                if "IsViewable" in info:
                    found.append(str(int(wid, 16)))
        return found

    def wait_window(self, name: str, timeout: float = 20, gone: bool = False) -> float:
        """Seconds until a visible window whose title matches `name` (a regular expression) appears (or goes)."""
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            if bool(self.windows(name)) != gone:
                return time.perf_counter() - t0
            if self.station is not None and self.station.poll() is not None:
                raise AssertionError(f"station exited with {self.station.returncode} waiting for {name!r}: "
                                     + self.station_log())
            time.sleep(0.05)
        self.shot(f"timeout-{name.replace(' ', '_')[:30]}")
        raise AssertionError(f"no window {name!r} {'closed' if gone else 'shown'} within {timeout} s; the program "
                             f"said:\n{self.station_log()}")

    def active_title(self) -> str:
        wid = self.xdotool("getactivewindow")
        return self.xdotool("getwindowname", wid) if wid else ""

    def key(self, *keys: str, delay_ms: int = 60) -> None:
        self.sent_at = time.perf_counter()  # waits are measured from here (xdotool's own start-up included)
        self.xdotool("key", "--delay", str(delay_ms), *keys)

    def type(self, text: str, delay_ms: int = 75) -> None:
        """Type as a person (75 ms a key by default); `xdotool type --delay D` spaces keys about D/2 apart.

        Letters the keyboard map lacks (Arabic, Sorani) get keys of their own first, as an Arabic or Kurdish
        layout has them: xdotool's own per-letter remapping races the program and drops or doubles letters.
        """
        if not text.isascii():
            self._map_letters(text)
        self.xdotool("type", "--delay", str(delay_ms * 2), text, timeout=60 + len(text) * delay_ms / 250)

    def _map_letters(self, text: str) -> None:
        """Give every letter of `text` that the keyboard map lacks a spare keycode (xmodmap)."""
        missing = sorted({ch for ch in text if not ch.isascii() and ch not in self._mapped})
        if not missing:
            return
        if not self._free_keycodes:
            table = subprocess.run(["xmodmap", "-pke"], env=self.env(), capture_output=True, text=True).stdout
            # spare keys: unmapped ones and multimedia keys (XF86...) that no step of a test presses
            self._free_keycodes = [int(m.group(1)) for m in re.finditer(r"^keycode\s+(\d+) =\s*(XF86\S*.*)?$",
                                                                        table, re.M)]
        exprs = []
        for ch in missing:
            code = self._free_keycodes.pop()
            self._mapped[ch] = code
            exprs += ["-e", f"keycode {code} = U{ord(ch):04X}"]
        subprocess.run(["xmodmap", *exprs], env=self.env(), check=True, capture_output=True, timeout=30)
        time.sleep(0.3)  # the program reads the new map (MappingNotify) before the first such key

    def scanner(self, text: str) -> None:
        """A hand-held USB scanner: about 5 ms a key, Shift pressed for every capital, then Enter."""
        self.xdotool("type", "--delay", "10", text)
        self.key("Return")

    def click(self, x: int, y: int) -> None:
        self.xdotool("mousemove", "--sync", str(x), str(y), "click", "1")

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        subprocess.run(["import", "-window", "root", str(path)], env=self.env(), check=False, timeout=30,
                       capture_output=True)
        return path

    def geometry(self, name: str) -> tuple[int, int, int, int]:
        wid = self.windows(name)[0]
        out = self.xdotool("getwindowgeometry", "--shell", wid)
        vals = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        return int(vals["X"]), int(vals["Y"]), int(vals["WIDTH"]), int(vals["HEIGHT"])
