"""`station doctor`: check database, cameras, printers, fonts and free disk; say what is missing."""

from __future__ import annotations

import argparse
import json
import os

from station.errors import StationError
from station.i18n import tr
from station.paths import station_home
from station.services.doctor import Credentials, run_all

NAME = "doctor"
HELP = "Check the database, cameras, printers, fonts and free disk, and say what is missing."


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _credentials() -> Credentials | None:
    """STATION_USER and its passphrase, if given: then the database itself is opened and checked."""
    from station.cli.session import passphrase_from_env

    user = os.environ.get("STATION_USER")
    if not user:
        return None
    try:
        return user, passphrase_from_env()
    except StationError:
        return None


def run(args: argparse.Namespace) -> int:
    checks = run_all(station_home(), _credentials())
    if args.json:
        print(json.dumps([{"check": c.name, "ok": c.ok, "required": c.required,
                           "message": tr(c.detail, **c.params)} for c in checks], ensure_ascii=False, indent=1))
    else:
        for c in checks:
            mark = "OK  " if c.ok else ("FAIL" if c.required else "WARN")
            print(f"[{mark}] {tr('doctor.name.' + c.name)}: {tr(c.detail, **c.params)}")
    return 0 if all(c.ok or not c.required for c in checks) else 1
