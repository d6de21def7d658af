"""`station init`: non-interactive first-run set-up (site, station number, administrator account)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from station.cli.session import passphrase_from_env
from station.fsutil import atomic_write_bytes
from station.i18n import LANGUAGES, tr
from station.services.station import initialize

NAME = "init"
HELP = "Set up a new station (passphrase from STATION_PASSPHRASE or STATION_PASSPHRASE_FILE)."


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--site", required=True, help="site code, 2-5 capital letters (e.g. MKH)")
    p.add_argument("--station", type=int, required=True, help="station number at the site (1-99)")
    p.add_argument("--admin", required=True, help="administrator account name")
    p.add_argument("--language", choices=sorted(LANGUAGES), default="en")
    p.add_argument("--database-url", default="", help="PostgreSQL URL for a multi-desk site (default: embedded)")
    p.add_argument("--recovery-out", type=Path, help="write the recovery code to this file (mode 0600)")
    p.add_argument("--demo", action="store_true",
                   help="a demo/training station: synthetic data allowed, its packs refused by the office")


def run(args: argparse.Namespace) -> int:
    out: Path | None = args.recovery_out

    def save_code(code: str) -> None:  # before set-up commits: no station without its recovery code
        if out is not None:
            atomic_write_bytes(out, (code + "\n").encode())

    ctx, code = initialize(
        site_code=args.site, station_number=args.station, admin_username=args.admin,
        admin_passphrase=passphrase_from_env(), language=args.language, database_url=args.database_url,
        demo=args.demo, on_recovery_code=save_code,
    )
    ctx.close()
    if out is not None:
        print(tr("cli.init_done_file", station=ctx.station_code, path=str(out)))
    else:
        print(tr("cli.init_done", station=ctx.station_code))
        print(code)
    print(tr("cli.recovery_warning"))
    os.sync() if hasattr(os, "sync") else None
    return 0
