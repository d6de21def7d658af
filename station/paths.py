"""Where the station keeps its data (STATION_HOME) and finds its shipped resources."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "RegistrationStation"


def station_home() -> Path:
    """The data folder: $STATION_HOME, else the platform's per-user data directory."""
    env = os.environ.get("STATION_HOME")
    home = Path(env) if env else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    home.mkdir(parents=True, exist_ok=True)
    try:
        home.chmod(0o700)
    except OSError:  # pragma: no cover - e.g. a folder we do not own
        pass
    return home


def resources_dir() -> Path:
    """The shipped resources (fonts, translations, icons); $STATION_RESOURCES overrides for installers."""
    env = os.environ.get("STATION_RESOURCES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "resources"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def translations_dir() -> Path:
    return resources_dir() / "translations"
