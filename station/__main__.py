"""`python -m station ...` runs the command line (the window needs `station` with no subcommand)."""

import sys

from station.cli.main import main

sys.exit(main())
