"""Screenshots of the real program at 1366x768 in English, Arabic and Sorani, taken from an X server.

A throw-away station with demo households is started as the menu entry starts it (maximised, under a window
manager), signed in with key events, one household of several members opened; the screen is saved to
docs/screenshots/laptop-<lang>.png. Needs Xvfb, openbox, xdotool and imagemagick (./test.sh installs them).

    .venv/bin/python -m scripts.screenshot_laptop [OUT_DIR]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from station import settings
from station.settings import StationSettings
from tests.acceptance.xdesk import XDesk

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
USER, PASS = "amina", "demo passphrase 2026"


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="station-laptop-"))
    env = {**os.environ, "STATION_HOME": str(home), "STATION_USER": USER, "STATION_PASSPHRASE": PASS}
    station = [str(Path(sys.executable).with_name("station"))]
    subprocess.run([*station, "init", "--demo", "--site", "MKH", "--station", "2", "--admin", USER], env=env,
                   check=True, capture_output=True)
    subprocess.run([*station, "demo", "--households", "40"], env=env, check=True, capture_output=True)
    desk = XDesk(OUT / ".shots")
    desk.start()
    try:
        for lang in ("en", "ar", "ckb"):
            settings.update(StationSettings, home, language=lang)
            desk.start_station(home, window="Registration Station|محطة التسجيل|وێستگەی تۆمارکردن")
            desk.type(USER, 30)
            desk.key("Tab")
            desk.type(PASS, 20)
            desk.key("Return")
            desk.wait_window("MKH-02", 90)
            time.sleep(2)
            desk.key("ctrl+f")
            desk.type("MKH-02-000001", 30)
            desk.key("Return")
            time.sleep(2)
            shot = desk.shot(f"laptop-{lang}")
            shot.replace(OUT / f"laptop-{lang}.png")
            desk.stop_station()
    finally:
        desk.stop()


if __name__ == "__main__":
    main()
