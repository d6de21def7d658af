"""Entry point for `station <subcommand>`: discovers the modules in station.cli.commands."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

import station
from station import i18n
from station.cli import commands


def _command_modules() -> list[ModuleType]:
    mods = []
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mods.append(importlib.import_module(f"{commands.__name__}.{info.name}"))
    return mods


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    parser = argparse.ArgumentParser(
        prog="station",
        description="Registration Station: offline registration desk. With no subcommand, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"Registration Station {station.__version__}")
    parser.add_argument("--lang", choices=sorted(i18n.LANGUAGES), help="language of messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    table: dict[str, ModuleType] = {}
    for mod in _command_modules():
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
