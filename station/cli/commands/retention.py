"""`station retention show|set|acks|purge`: how long acknowledged households stay on this laptop (administrators)."""

from __future__ import annotations

import argparse
from pathlib import Path

from station.cli.session import open_from_env
from station.errors import StationError
from station.i18n import tn, tr

NAME = "retention"
HELP = "Retention (administrators): show or set the days kept, check the office's acknowledgements, purge."
CONFIRM_WORD = "PURGE"


def register(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    sub.add_parser("show", help="the days kept, the packs still waiting for the office, the households on file")
    s = sub.add_parser("set", help="keep households this many days after arrival (purged only once acknowledged)")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--days", type=int, metavar="N", help="days after arrival (0 to 3650)")
    g.add_argument("--never", action="store_true", help="never purge (the default)")
    a = sub.add_parser("acks", help="check the office's acknowledgement files (<pack>.ack) in a folder")
    a.add_argument("folder", type=Path, help="the stick (or folder) back from the office")
    pu = sub.add_parser("purge", help="delete acknowledged households older than the days set; counts are kept")
    pu.add_argument("--confirm", metavar="WORD", help=f"the word {CONFIRM_WORD} (required: nothing is asked)")


def run(args: argparse.Namespace) -> int:
    from station.services import retention

    if args.retention_command == "purge" and (args.confirm or "").strip() != CONFIRM_WORD:
        raise StationError("retention.error.not_confirmed", word=CONFIRM_WORD)
    ctx = open_from_env()
    try:
        if args.retention_command == "show":
            st = retention.status(ctx)
            print(tr("retention.cli.never") if st.keep_days is None
                  else tn("retention.cli.keep_days", st.keep_days))
            print(tn("retention.cli.packs_waiting", st.packs_waiting))
            print(tn("retention.cli.households", st.households))
        elif args.retention_command == "set":
            retention.set_keep_days(ctx, None if args.never else args.days)
            print(tr("retention.cli.never") if args.never else tn("retention.cli.keep_days", args.days))
        elif args.retention_command == "acks":
            if not args.folder.is_dir():
                raise StationError("retention.error.no_folder")
            print(tn("retention.cli.acks_accepted", retention.accept_acks(ctx, args.folder)))
        else:
            result = retention.purge_by_setting(ctx)
            if result.acknowledged_upto is None:
                print(tr("retention.cli.nothing_acknowledged"))
            else:
                print(tn("retention.cli.purged", result.households, people=tn("count.people", result.people)))
    finally:
        ctx.close()
    return 0
