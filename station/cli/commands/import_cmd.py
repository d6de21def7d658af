"""`station import PACK... --key office.key`: verify, decrypt and merge end-of-day packs (office)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from station.i18n import tr

NAME = "import"
HELP = "Import end-of-day packs from stations: verify, decrypt, merge (each pack all or nothing)."


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("packs", nargs="+", type=Path, metavar="PACK")
    p.add_argument("--key", type=Path, required=True,
                   help="office private key file (passphrase from STATION_OFFICE_KEY_PASSPHRASE)")
    p.add_argument("--allow-synthetic", action="store_true",
                   help="(training office only) accept packs from demo stations")


def run(args: argparse.Namespace) -> int:
    from station.cli.commands.export import key_passphrase
    from station.cli.session import open_from_env
    from station.export.crypto import load_private_key
    from station.services.pack_import import import_pack

    private = load_private_key(args.key, key_passphrase())
    ctx = open_from_env()
    try:
        for path in args.packs:
            res = import_pack(ctx.db, ctx.actor, path, private, allow_synthetic=args.allow_synthetic)
            if res.already_imported:
                print(tr("export.cli.already", file=res.file))
                continue
            st = res.stats
            print(tr("export.cli.imported", file=res.file, added=tr("count.households", n=st.households_added),
                     updated=tr("count.households", n=st.households_updated),
                     kept=tr("count.households", n=st.households_kept_local),
                     portraits=tr("count.portraits", n=st.portraits),
                     events=tr("count.audit_events", n=st.audit_added)))
            for station, state in res.chains.items():
                if state != "complete":
                    print(tr("export.cli.chain_incomplete", station=station), file=sys.stderr)
    finally:
        ctx.close()
    return 0
