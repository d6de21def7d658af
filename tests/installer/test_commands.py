"""Frozen and unfrozen programs have the same subcommands.

Subcommands are registered explicitly (station.cli.main.COMMANDS, static imports a freezer follows) rather than
found by scanning station/cli/commands at run time, which a PyInstaller bundle cannot do. Here: the registry
names every module on disk and nothing else; the parser offers exactly those; and, when a bundle has been built
(installer/build-linux.sh; STATION_TEST_BUNDLE or build/installer/dist/registration-station), the frozen
program's `--help` lists the same commands.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from station.cli import commands
from station.cli.main import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = Path(os.environ.get("STATION_TEST_BUNDLE", ROOT / "build" / "installer" / "dist" / "registration-station"))


def _modules_on_disk() -> set[str]:
    folder = Path(commands.__file__).parent
    return {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")}


def test_registry_names_every_command_module_on_disk() -> None:
    registered = {m.__name__.rsplit(".", 1)[1] for m in COMMANDS}
    assert registered == _modules_on_disk()
    assert len(COMMANDS) == len(registered)


def test_every_command_has_the_interface_and_a_unique_name() -> None:
    names = [m.NAME for m in COMMANDS]
    assert len(set(names)) == len(names)
    for mod in COMMANDS:
        assert callable(mod.register) and callable(mod.run) and mod.HELP, mod.__name__


def test_parser_offers_exactly_the_registry() -> None:
    parser, table = build_parser()
    assert set(table) == {m.NAME for m in COMMANDS}
    help_text = parser.format_help()
    assert set(_listed(help_text)) == set(table)


def _listed(help_text: str) -> list[str]:
    return re.findall(r"^    ([a-z][a-z-]*)\s", help_text, re.M)


def test_registry_needs_no_package_scan() -> None:
    source = (ROOT / "station" / "cli" / "main.py").read_text(encoding="utf-8")
    assert "pkgutil" not in source and "iter_modules" not in source and "import_module" not in source


@pytest.mark.skipif(not (BUNDLE / "station").exists(), reason="no bundle built (installer/build-linux.sh)")
def test_frozen_program_lists_the_same_commands() -> None:
    out = subprocess.run([str(BUNDLE / "station"), "--help"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "COLUMNS": "100"})
    assert out.returncode == 0, out.stderr
    assert set(_listed(out.stdout)) == {m.NAME for m in COMMANDS}
