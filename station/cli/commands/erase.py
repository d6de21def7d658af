"""`station erase`: emergency erase of this station (keys first, then every file). No way back."""

from __future__ import annotations

import argparse
import os
import sys

from station.errors import StationError
from station.i18n import tn, tr
from station.paths import station_home

NAME = "erase"
HELP = "EMERGENCY: destroy this station's keys and records for good (asks to type ERASE)."


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--confirm", metavar="WORD",
                   help="the word ERASE, for scripts (otherwise it is asked for on the terminal)")


def run(args: argparse.Namespace) -> int:
    from station.services import erase

    home = station_home()
    server = erase.keeps_server_records(home)
    if server:
        print(tr("erase.server_note"), file=sys.stderr)
    word = args.confirm
    if word is None:
        if not sys.stdin.isatty():
            raise StationError("erase.error.not_confirmed", word=erase.CONFIRM_WORD)
        word = input(tr("erase.cli.prompt", word=erase.CONFIRM_WORD) + " ")
    if word.strip() != erase.CONFIRM_WORD:
        raise StationError("erase.error.not_confirmed", word=erase.CONFIRM_WORD)
    report = erase.erase(home)
    print(tr("erase.cli.done", seconds=f"{report.seconds:.2f}",
             files=tn("erase.cli.files_destroyed", report.files + report.key_files)))
    if server:
        print(tr("erase.server_note"))
    os.environ.pop("STATION_PASSPHRASE", None)
    return 0
