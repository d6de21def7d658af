"""`station search TEXT [--limit N] [--json]`: search the register as the desk does (signed in from the environment)."""

from __future__ import annotations

import argparse
import json
import sys

from station.i18n import tn, tr

NAME = "search"
HELP = ("Search the register by registration number, any name part in either script and any common spelling, "
        "origin or document number (sign in with STATION_USER + STATION_PASSPHRASE).")


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", nargs="+", help="what to look for (several words: all must match)")
    p.add_argument("--limit", type=int, default=200, metavar="N", help="households listed at most (default 200)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    """Exit 0 when something is found, 3 when nothing is."""
    from station.cli.session import open_from_env
    from station.services.search import search_page

    ctx = open_from_env()
    try:
        with ctx.db.reader() as uow:
            page = search_page(uow, ctx.actor, " ".join(args.text), max(1, min(args.limit, 10_000)))
    finally:
        ctx.close()
    if args.json:
        json.dump({"total": page.total, "total_is_lower_bound": page.capped, "more": page.more, "households": [
            {"id": h.id, "registration_number": h.registration_number, "arrived_at": h.arrived_at.isoformat(),
             "head_name_ar": h.head_name_ar, "head_name_lat": h.head_name_lat, "size": h.size, "origin": h.origin,
             "status": h.status.value, "approximate": h.approximate} for h in page.rows]},
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for h in page.rows:
            mark = "≈" if h.approximate else " "
            print(f"{mark} {h.registration_number}  {h.arrived_at:%Y-%m-%d %H:%M}  {h.head_name_lat}  "
                  f"{h.head_name_ar}  {h.size}  {h.origin}")
        print(tr("ui.register.found", n=page.total))
        if page.more:
            print(tn("cli.search.more", page.more))
    return 0 if page.rows else 3
