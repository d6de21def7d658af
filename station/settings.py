"""Deployment settings, declared once as typed sections with defaults, kept in STATION_HOME/settings.json.

Each area declares its own frozen dataclass, named once with `@section("photo_quality")`, one field per
setting (its name, type and default; `setting(default, "description")` adds the description), and reads
it with `load(PhotoThresholds)`. Values are checked against the declared types on load: a wrong value
raises StationError("error.settings_invalid") naming the section and the setting, instead of failing
later somewhere else. Unknown keys are ignored, missing ones take their defaults. Only non-personal
configuration lives here; window geometry and similar trivia stay in QSettings.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from station.errors import StationError
from station.fsutil import atomic_write_bytes
from station.paths import station_home

T = TypeVar("T")

SETTINGS_FILE = "settings.json"
SECTIONS: dict[str, type] = {}  # section name -> its dataclass


def section(name: str) -> Callable[[type[T]], type[T]]:
    """Class decorator: the settings section `name` is declared by this dataclass (one name, one class)."""

    def register(cls: type[T]) -> type[T]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass")
        known = SECTIONS.get(name)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"settings section {name!r} is declared twice ({known.__name__}, {cls.__name__})")
        SECTIONS[name] = cls
        cls.__settings_section__ = name  # type: ignore[attr-defined]
        return cls

    return register


def setting(default: Any, description: str) -> Any:
    """One setting's default and what it means (shown by `describe`)."""
    return dataclasses.field(default=default, metadata={"description": description})


def section_name(cls: type) -> str:
    name = getattr(cls, "__settings_section__", None)
    if not isinstance(name, str):
        raise TypeError(f"{cls.__name__} is not a declared settings section (use @section)")
    return name


def describe(cls: type) -> list[tuple[str, str, Any, str]]:
    """(name, type, default, description) of every setting of a section."""
    hints = typing.get_type_hints(cls)
    return [(f.name, _type_name(hints[f.name]), f.default, str(f.metadata.get("description", "")))
            for f in dataclasses.fields(cls)]


def _type_name(tp: Any) -> str:
    return tp.__name__ if isinstance(tp, type) else str(tp).replace("typing.", "")


def _check(value: Any, tp: Any) -> Any:
    """`value` as the declared type `tp` (ints accepted as floats, lists as tuples), or ValueError."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        for option in args:
            try:
                return _check(value, option)
            except ValueError:
                continue
        raise ValueError
    if tp is type(None):
        if value is None:
            return None
        raise ValueError
    if tp is Any:
        return value
    if origin is typing.Literal:
        if value in args:
            return value
        raise ValueError
    if origin in (tuple, list):
        if not isinstance(value, list | tuple):
            raise ValueError
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return tuple(_check(v, args[0]) for v in value)
        if origin is tuple and args:
            if len(args) != len(value):
                raise ValueError
            return tuple(_check(v, a) for v, a in zip(value, args, strict=True))
        items = [_check(v, args[0]) if args else v for v in value]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError
        return {_check(k, args[0]) if args else k: _check(v, args[1]) if args else v for k, v in value.items()}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ValueError
    if tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise ValueError
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ValueError
    if tp is str:
        if isinstance(value, str):
            return value
        raise ValueError
    raise ValueError


def _path(home: Path | None) -> Path:
    return (home or station_home()) / SETTINGS_FILE


def read_all(home: Path | None = None) -> dict[str, Any]:
    path = _path(home)
    if not path.exists():
        return {}
    try:
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
    except ValueError:
        raise StationError("error.settings_invalid", section="-", setting=SETTINGS_FILE) from None
    return data if isinstance(data, dict) else {}


def load(cls: type[T], home: Path | None = None) -> T:
    """The section declared by `cls`, its values checked against their declared types."""
    name = section_name(cls)
    raw = read_all(home).get(name, {})
    if not isinstance(raw, dict):
        raise StationError("error.settings_invalid", section=name, setting="-")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in raw:
            try:
                values[f.name] = _check(raw[f.name], hints[f.name])
            except (ValueError, TypeError):
                raise StationError("error.settings_invalid", section=name, setting=f.name) from None
    return cls(**values)


def save(value: Any, home: Path | None = None) -> None:
    """Store a section (an instance of its declared dataclass), keeping every other section as it was."""
    name = section_name(type(value))
    data = read_all(home)
    data[name] = dataclasses.asdict(value)
    atomic_write_bytes(_path(home), json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))


def update(cls: type[T], home: Path | None = None, **changes: Any) -> T:
    """Change some settings of a section and store it; returns the new section."""
    new = dataclasses.replace(load(cls, home), **changes)  # type: ignore[type-var]
    save(new, home)
    return new


def load_section(name: str, cls: type[T], home: Path | None = None) -> T:
    """`load(cls)`, for callers that still name the section: the name must be the declared one."""
    if section_name(cls) != name:
        raise ValueError(f"{cls.__name__} is section {section_name(cls)!r}, not {name!r}")
    return load(cls, home)


def save_section(name: str, value: Any, home: Path | None = None) -> None:
    if section_name(type(value)) != name:
        raise ValueError(f"{type(value).__name__} is section {section_name(type(value))!r}, not {name!r}")
    save(value, home)


@section("station")
@dataclasses.dataclass(frozen=True)
class StationSettings:
    """Who this station is and how it behaves."""

    site_code: str = setting("", "Site code, 2 to 5 Latin capitals (MKH); the first part of every registration number")
    station_number: int = setting(0, "This desk's number at the site, 1 to 99")
    language: str = setting("en", "The station's language (en, ar, ckb): the window's, and the second one on paper")
    database_url: str = setting("", "A PostgreSQL URL for a shared register; empty: the encrypted file in STATION_HOME")
    idle_lock_minutes: int = setting(5, "Minutes without input before the screen locks")
    time_zone: str = setting("", "IANA time zone shown and reported in (Asia/Baghdad); empty: the computer's zone")


def station_settings(home: Path | None = None) -> StationSettings:
    return load(StationSettings, home)
