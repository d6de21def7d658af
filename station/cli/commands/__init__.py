"""Subcommands: each module here defines NAME, HELP, register(parser) and run(args) -> exit code."""
