"""`station doctor` checks: database, cameras, printers, fonts, free disk. Each says what is missing."""

from __future__ import annotations

import glob
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from station.paths import fonts_dir, translations_dir

REQUIRED_FONTS = ("NotoNaskhArabic-Regular.ttf", "NotoSans-Regular.ttf")
MIN_FREE_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # catalogue key
    params: dict[str, object]
    required: bool = True


def check_fonts() -> Check:
    missing = [f for f in REQUIRED_FONTS if not (fonts_dir() / f).exists()]
    return Check("fonts", not missing, "doctor.fonts_missing" if missing else "doctor.fonts_ok",
                 {"files": ", ".join(missing)})


def check_translations() -> Check:
    langs = sorted({p.name.split(".")[-2] for p in translations_dir().glob("*.json")})
    ok = {"en", "ar", "ckb"} <= set(langs)
    return Check("translations", ok, "doctor.translations", {"languages": ", ".join(langs)})


def check_disk(home: Path) -> Check:
    free = shutil.disk_usage(home).free
    return Check("disk", free >= MIN_FREE_BYTES, "doctor.disk", {"free_mb": free // (1024 * 1024)})


def check_cameras() -> Check:
    if sys.platform.startswith("linux"):
        devices = sorted(glob.glob("/dev/video*"))
    else:  # pragma: no cover - Windows/macOS: probe the first indexes
        import cv2

        devices = []
        for i in range(3):
            cap = cv2.VideoCapture(i)
            if cap.isOpened():
                devices.append(str(i))
            cap.release()
    return Check("cameras", bool(devices), "doctor.cameras" if devices else "doctor.no_camera",
                 {"devices": ", ".join(devices)}, required=False)


def check_printers() -> Check:
    lpstat = shutil.which("lpstat")
    if not lpstat:
        return Check("printers", False, "doctor.no_print_system", {}, required=False)
    try:
        out = subprocess.run([lpstat, "-e"], capture_output=True, text=True, timeout=5).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        out = []
    return Check("printers", bool(out), "doctor.printers" if out else "doctor.no_printer",
                 {"printers": ", ".join(out)}, required=False)


def check_database(home: Path) -> Check:
    from station.services.station import is_set_up

    if not is_set_up(home):
        return Check("database", False, "doctor.not_set_up", {})
    try:
        from station.cli.session import open_from_env
        from station.db.engine import integrity_ok

        ctx = open_from_env()
    except Exception as exc:
        code = getattr(exc, "code", "doctor.db_locked")
        return Check("database", True, "doctor.db_present_locked", {"reason": code}, required=False)
    try:
        ok = integrity_ok(ctx.db.engine)
    finally:
        ctx.close()
    return Check("database", ok, "doctor.db_ok" if ok else "doctor.db_corrupt", {})


def run_all(home: Path) -> list[Check]:
    return [check_database(home), check_fonts(), check_translations(), check_disk(home), check_cameras(),
            check_printers()]
