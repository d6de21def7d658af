"""`station accounts list|recover`: list accounts (administrators), or recover with the recovery sheet."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from station.cli.session import open_from_env
from station.errors import StationError
from station.i18n import tr
from station.security.recovery import recover
from station.services import accounts

NAME = "accounts"
HELP = "List accounts, or set a new administrator with the recovery sheet's code."


def register(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="list accounts (administrators; STATION_USER + STATION_PASSPHRASE)")
    r = sub.add_parser("recover", help="type the recovery code and a new administrator passphrase "
                                       "(or set STATION_RECOVERY_CODE and STATION_PASSPHRASE for scripts)")
    r.add_argument("--admin", required=True, help="administrator account to create or reset")


def _list() -> int:
    ctx = open_from_env()
    try:
        for a in accounts.list_accounts(ctx):
            state = tr("accounts.status.active" if a.active else "accounts.status.inactive")
            print(f"{a.username:<20} {tr('accounts.role.' + a.role.value):<16} {state}")
    finally:
        ctx.close()
    return 0


def _recover(args: argparse.Namespace) -> int:
    code = os.environ.get("STATION_RECOVERY_CODE") or getpass.getpass("Recovery code: ")
    secret = os.environ.get("STATION_PASSPHRASE")
    if secret is None:
        secret = getpass.getpass(tr("accounts.new_passphrase") + ": ")
        if getpass.getpass(tr("accounts.repeat_passphrase") + ": ") != secret:
            raise StationError("accounts.error.passphrases_differ")
    ctx = recover(code, args.admin, secret)
    ctx.close()
    print(tr("accounts.saved"), file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    return _list() if args.accounts_command == "list" else _recover(args)
