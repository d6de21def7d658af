"""`station report --day DATE --out FILE.pdf`: the end-of-day report with charts."""

from __future__ import annotations

import argparse
from pathlib import Path

from station import clock
from station.i18n import LANGUAGES, tr

NAME = "report"
HELP = "Write the end-of-day report (arrivals by hour, age and sex, needs, prints, exports) as a PDF."


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--day", default=None, metavar="DATE", help="YYYY-MM-DD (default: today)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--lang", choices=sorted(LANGUAGES), default=None,
                   help="language of the report (default: the language the command runs in)")


def run(args: argparse.Namespace) -> int:
    from station.cli.commands.export import parse_day
    from station.cli.session import open_from_env
    from station.services.export import day_report

    day = parse_day(args.day) if args.day else clock.local_today()
    ctx = open_from_env()
    try:
        day_report(ctx.db, ctx.actor, day, args.out, lang=args.lang)
    finally:
        ctx.close()
    print(tr("export.cli.report_written", file=str(args.out)))
    return 0
