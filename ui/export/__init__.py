"""End-of-day export, import and day report dialogs."""
