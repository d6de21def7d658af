"""Subcommands: each module here defines NAME, HELP, register(parser) and run(args) -> exit code.

A new module is listed in `station.cli.main.COMMANDS` too: subcommands are registered explicitly, not found
by scanning this package, so that a freezer (PyInstaller follows imports) collects every one of them and the
frozen program has the same commands (tests/installer/test_commands.py compares the list with this folder).
This package itself stays empty so that importing one command (the audit dialog does) loads no other.
"""
