"""Entry point for `station <subcommand>`: the subcommands are the modules listed in COMMANDS."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from types import ModuleType

import station
from station import i18n
from station.cli.commands import (
    accounts,
    audit,
    demo,
    doctor,
    duress,
    erase,
    export,
    import_cmd,
    init,
    photo_check,
    print_cmd,
    report,
    retention,
    scan_id,
    search,
    trace,
)

# Explicit, in the order `station --help` lists them (alphabetical by module). Static imports on purpose:
# a freezer follows them, where it cannot follow a package scan (tests/installer/test_commands.py).
COMMANDS: tuple[ModuleType, ...] = (
    accounts,
    audit,
    demo,
    doctor,
    duress,
    erase,
    export,
    import_cmd,
    init,
    photo_check,
    print_cmd,
    report,
    retention,
    scan_id,
    search,
    trace,
)


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    parser = argparse.ArgumentParser(
        prog="station",
        description="Registration Station: offline registration desk. With no subcommand, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"Registration Station {station.__version__}")
    parser.add_argument("--lang", choices=sorted(i18n.LANGUAGES), help="language of messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    table: dict[str, ModuleType] = {}
    for mod in COMMANDS:
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.register(p)
        table[mod.NAME] = mod
    return parser, table


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser, table = build_parser()
    args = parser.parse_args(argv)
    if args.lang:
        i18n.set_language(args.lang)
    if not args.command:
        parser.print_help()
        return 2
    from station.cli.errors import report_errors

    with report_errors():
        return int(table[args.command].run(args) or 0)
    return 1  # pragma: no cover - report_errors exits


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
