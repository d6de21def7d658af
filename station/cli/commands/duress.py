"""`station duress status|set|clear`: the optional duress passphrase (administrators).

Typed at sign-in under coercion, it erases this station and opens an empty-looking one (services.duress).
The new passphrase comes from STATION_DURESS_PASSPHRASE (scripts) or is asked twice on the terminal, never
from a command-line argument.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from station.cli.session import open_from_env
from station.errors import StationError
from station.i18n import tr

NAME = "duress"
HELP = "Duress passphrase (administrators): opens an empty-looking station and erases this one."


def register(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="duress_command", metavar="ACTION", required=True)
    sub.add_parser("status", help="whether a duress passphrase is set")
    sub.add_parser("set", help="set (or replace) it: STATION_DURESS_PASSPHRASE, or asked twice on the terminal")
    sub.add_parser("clear", help="remove it")


def _new_passphrase() -> str:
    secret = os.environ.get("STATION_DURESS_PASSPHRASE")
    if secret is not None:
        return secret
    if not sys.stdin.isatty():
        raise StationError("duress.error.passphrase_missing")
    secret = getpass.getpass(tr("duress.cli.new") + " ")
    if getpass.getpass(tr("duress.cli.repeat") + " ") != secret:
        raise StationError("accounts.error.passphrases_differ")
    return secret


def is_set(home: Path) -> bool:
    from station.security.keyring import DURESS_ENTRY, Keyring

    return Keyring.load(home).has(DURESS_ENTRY)


def run(args: argparse.Namespace) -> int:
    from station.domain.roles import Permission
    from station.services import duress
    from station.services.authz import require

    secret = _new_passphrase() if args.duress_command == "set" else None
    ctx = open_from_env()
    try:
        if args.duress_command == "status":
            require(ctx.actor, Permission.MANAGE_SETTINGS)
            print(tr("duress.cli.is_set" if is_set(ctx.home) else "duress.cli.not_set"))
        elif secret is not None:
            duress.set_duress_passphrase(ctx, secret)
            print(tr("duress.cli.saved"))
        else:
            duress.clear_duress_passphrase(ctx)
            print(tr("duress.cli.cleared"))
    finally:
        ctx.close()
    return 0
