"""`station demo --households N`: fill the database with realistic synthetic households."""

from __future__ import annotations

import argparse
import sys

from station.cli.session import open_from_env
from station.i18n import tr
from station.services.demo import fill

NAME = "demo"
HELP = ("Add N synthetic households (Arabic and Kurdish names) so every screen can be tried "
        "(only on a station set up with `station init --demo`).")


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--households", type=int, default=50, help="how many households (default 50)")
    p.add_argument("--days", type=int, default=7, help="spread arrivals over this many past days (default 7)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--confirm-training-station", action="store_true",
                   help="(administrator, station not set up with --demo) add synthetic data anyway: this station "
                        "then becomes a training station and the office refuses every pack it writes")


def run(args: argparse.Namespace) -> int:
    ctx = open_from_env()
    try:
        def progress(done: int, total: int) -> None:
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

        people = fill(ctx.db, ctx.actor, args.households, seed=args.seed, days=args.days, progress=progress,
                      confirmed=args.confirm_training_station)
        print(file=sys.stderr)
        print(tr("cli.demo_done", households=tr("count.households", n=args.households),
                 people=tr("count.people", n=people)))
    finally:
        ctx.close()
    return 0
