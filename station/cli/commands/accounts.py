"""`station accounts list|recover|rotate-recovery`: list accounts, recover with the recovery sheet, issue a new one."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from station.cli.session import open_from_env
from station.errors import StationError
from station.fsutil import atomic_write_bytes
from station.i18n import tr
from station.printing.recovery_sheet import render_recovery_sheet
from station.services import accounts
from station.services.recovery import recover, rotate_recovery_code

NAME = "accounts"
HELP = "List accounts, set a new administrator with the recovery sheet's code, or issue a new recovery code."


def register(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="list accounts (administrators; STATION_USER + STATION_PASSPHRASE)")
    r = sub.add_parser("recover", help="type the recovery code and a new administrator passphrase "
                                       "(or set STATION_RECOVERY_CODE and STATION_PASSPHRASE for scripts)")
    r.add_argument("--admin", required=True, help="administrator account to create or reset")
    rot = sub.add_parser("rotate-recovery", help="issue a new recovery code (administrators): the old recovery "
                                                 "sheet stops working; print the new sheet and lock it away")
    rot.add_argument("--sheet", type=Path, help="write the new recovery sheet here (PDF, mode 0600)")
    rot.add_argument("--out", type=Path, help="write the new code to this file (mode 0600) instead of showing it")


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


def _rotate(args: argparse.Namespace) -> int:
    sheet: Path | None = args.sheet
    out: Path | None = args.out
    ctx = open_from_env()
    try:
        def keep(code: str) -> None:  # on paper (or in a file) before the old code stops working
            if sheet is not None:
                render_recovery_sheet(code, ctx.station_code, sheet, lang=ctx.settings.language)
            if out is not None:
                atomic_write_bytes(out, (code + "\n").encode())

        code = rotate_recovery_code(ctx, keep)
    finally:
        ctx.close()
    if out is not None or sheet is not None:
        print(tr("accounts.recovery_rotated_file", path=str(sheet or out)))
    else:
        print(tr("accounts.recovery_rotated"))
        print(code)
    print(tr("cli.recovery_warning"))
    return 0


def run(args: argparse.Namespace) -> int:
    if args.accounts_command == "rotate-recovery":
        return _rotate(args)
    return _list() if args.accounts_command == "list" else _recover(args)
