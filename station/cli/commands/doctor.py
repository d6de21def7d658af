"""`station doctor`: check database, cameras, printers, fonts and free disk; say what is missing."""

from __future__ import annotations

import argparse
import json

from station.i18n import tr
from station.paths import station_home
from station.services.doctor import run_all

NAME = "doctor"
HELP = "Check the database, cameras, printers, fonts and free disk, and say what is missing."


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    checks = run_all(station_home())
    if args.json:
        print(json.dumps([{"check": c.name, "ok": c.ok, "required": c.required,
                           "message": tr(c.detail, **c.params)} for c in checks], ensure_ascii=False, indent=1))
    else:
        for c in checks:
            mark = "OK  " if c.ok else ("FAIL" if c.required else "WARN")
            print(f"[{mark}] {tr('doctor.name.' + c.name)}: {tr(c.detail, **c.params)}")
    return 0 if all(c.ok or not c.required for c in checks) else 1
