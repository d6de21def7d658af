"""Registration Station core: domain, storage, services, scanning, printing, export (never imports Qt)."""

from __future__ import annotations

# The one place the version lives: pyproject.toml reads it (dynamic version), `station --version` prints it,
# installer/build-linux.sh stamps it on the bundle, the .deb and the Windows installer.
__version__ = "0.1.0"
APP_DISPLAY_NAME = "Registration Station"
APP_ID = "registration-station"  # package, desktop entry and icon name
