"""Where the station keeps its data (STATION_HOME) and finds its shipped resources."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "RegistrationStation"
_PACKAGE = Path(__file__).resolve().parent


def home_path() -> Path:
    """Where the data folder is ($STATION_HOME, else the platform's per-user data directory), without making
    it: for reads that only look (the time zone of every time shown)."""
    env = os.environ.get("STATION_HOME")
    return Path(env) if env else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def station_home() -> Path:
    """The data folder, made (owner only) if missing."""
    home = home_path()
    home.mkdir(parents=True, exist_ok=True)
    try:  # the folder only: sign-in closes everything inside (owner_only)
        home.chmod(0o700)
    except OSError:  # pragma: no cover - e.g. a folder we do not own
        pass
    return home


def owner_only(home: Path) -> None:
    """Close the station folder and every folder and file in it to everyone but their owner (0700 / 0600):
    a folder made by hand, copied, or left by an older version may be open (issue 15)."""
    for path in (home, *home.rglob("*")):
        try:
            if path.is_symlink():
                continue
            mode = path.stat().st_mode
            if mode & 0o077:
                path.chmod(0o700 if path.is_dir() else mode & 0o700 | 0o600)
        except OSError:  # pragma: no cover - e.g. a file we do not own, or one just removed
            pass


def resource_candidates() -> tuple[Path, ...]:
    """Where shipped resources may live, first match wins.

    `station/resources/` inside the package is what a wheel, a PyInstaller bundle (which keeps the package
    layout under its `_internal/` folder) and a source checkout after the move hold; `resources/` beside the
    packages is the older source-tree layout.
    """
    return (_PACKAGE / "resources", _PACKAGE.parent / "resources")


def resources_dir() -> Path:
    """The shipped resources (fonts, translations, models, icons); $STATION_RESOURCES overrides for installers."""
    env = os.environ.get("STATION_RESOURCES")
    if env:
        return Path(env)
    candidates = resource_candidates()
    for candidate in candidates:
        if (candidate / "translations").is_dir():
            return candidate
    return candidates[0]


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def translations_dir() -> Path:
    return resources_dir() / "translations"


def models_dir() -> Path:
    return resources_dir() / "models"


def icons_dir() -> Path:
    return resources_dir() / "icons"
