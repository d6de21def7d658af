"""Deployment settings, declared once as typed sections with defaults, kept in STATION_HOME/settings.json.

Each area declares its own frozen dataclass (e.g. photo quality thresholds in station.scanning) and reads
it with `load_section("photo", PhotoThresholds)`. Only non-personal configuration lives here.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, TypeVar

from station.fsutil import atomic_write_bytes
from station.paths import station_home

T = TypeVar("T")

SETTINGS_FILE = "settings.json"


@dataclasses.dataclass(frozen=True)
class StationSettings:
    """Who this station is and how it behaves."""

    site_code: str = ""
    station_number: int = 0
    language: str = "en"
    database_url: str = ""  # empty: the embedded SQLCipher file in STATION_HOME
    idle_lock_minutes: int = 5


def _path(home: Path | None) -> Path:
    return (home or station_home()) / SETTINGS_FILE


def read_all(home: Path | None = None) -> dict[str, Any]:
    path = _path(home)
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return data if isinstance(data, dict) else {}


def load_section(name: str, cls: type[T], home: Path | None = None) -> T:
    """The section `name` as a `cls` instance; unknown keys are ignored, missing ones take defaults."""
    raw = read_all(home).get(name, {})
    fields = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in raw.items() if k in fields})


def save_section(name: str, value: Any, home: Path | None = None) -> None:
    data = read_all(home)
    data[name] = dataclasses.asdict(value)
    atomic_write_bytes(_path(home), json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))


def station_settings(home: Path | None = None) -> StationSettings:
    return load_section("station", StationSettings, home)
