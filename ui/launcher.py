"""The `station` console command: no subcommand opens the window; anything else is the core's CLI."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("gui", "window"):
        from ui.app import run

        return run(args[1:])
    from station.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
