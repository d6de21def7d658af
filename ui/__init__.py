"""Qt widgets and windows: thin, calling the `station` core."""

from ui.qt_compat import guard_none_refcount

guard_none_refcount()  # before any widget runs: see ui/qt_compat.py
