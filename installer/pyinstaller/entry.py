"""Frozen entry point: the same `station` command as the console script (ui.launcher:main)."""

from __future__ import annotations

import sys

from ui.launcher import main

if __name__ == "__main__":
    sys.exit(main())
