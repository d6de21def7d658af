"""The `station` command line (everything but the window, which ui.launcher starts)."""
