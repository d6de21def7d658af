"""Deployment settings, declared once as typed sections with defaults, kept in STATION_HOME/settings.json.

Each area declares its own frozen dataclass, named once with `@section("photo_quality")`, one field per
setting (its name, type and default; `setting(default, "description")` adds the description), and reads
it with `load(PhotoThresholds)`. Values are checked against the declared types on load: a wrong value
raises StationError("error.settings_invalid") naming the section and the setting, instead of failing
later somewhere else. Unknown keys are ignored, missing ones take their defaults. Only non-personal
configuration lives here; window geometry and similar trivia stay in QSettings.

Settings that say who or where the station is (`setting(..., sealed=True)`: the site code, the desk number,
the server's address) never reach settings.json (issue 15: a thief with the laptop and no passphrase reads no
site or station code). They live in the file `identity`, sealed under the station's file key (derived from
the database key, station/security/sealed.py): `load` returns them only in a process where someone signed
in, and their defaults before that. A settings.json of an older version that still holds them is read as is
until the next sign-in moves them into `identity` (`seal_plain`). `identity` also keeps one opaque "spare"
slot, random bytes unless a duress passphrase is set (station/services/duress.py keeps its copy there).
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import os
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
IDENTITY_FILE = "identity"
IDENTITY_FORMAT = 1
SPARE_BYTES = 256 + 16  # the spare slot: 256 bytes sealed with AES-GCM (its tag), or as many random ones
_IDENTITY_PURPOSE = "settings identity"
# The sealing module (station/security/sealed.py) registers itself here when it is imported: the settings are
# read by the printing and scanning layers, which must not depend on the security layer. A process that never
# imported it never signed in, so it has nothing to unseal.
_sealer: Any = None


def use_sealer(module: Any) -> None:
    """Called by station.security.sealed: its is_open/seal/unseal keep the sealed settings."""
    global _sealer
    _sealer = module


def _is_open(home: Path) -> bool:
    return _sealer is not None and bool(_sealer.is_open(home))


def _sealer_or_locked() -> Any:
    if _sealer is None:
        raise StationError("security.error.station_locked")
    return _sealer
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


def setting(default: Any, description: str, *, sealed: bool = False) -> Any:
    """One setting's default and what it means (shown by `describe`); `sealed`: kept in the sealed identity
    file, never in settings.json (it says who or where the station is)."""
    return dataclasses.field(default=default, metadata={"description": description, "sealed": sealed})


def sealed_fields(cls: type) -> tuple[str, ...]:
    """The settings of a section that are kept sealed."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("sealed"))


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
    """The section declared by `cls`, its values checked against their declared types.

    Sealed settings come from the identity file when someone signed in in this process; before that, from
    settings.json only if an older version left them there (such a copy wins, until `seal_plain` moves it),
    else they take their defaults."""
    name = section_name(cls)
    base = home or station_home()
    raw = read_all(base).get(name, {})
    if not isinstance(raw, dict):
        raise StationError("error.settings_invalid", section=name, setting="-")
    if sealed_fields(cls) and _is_open(base):  # a plain copy is newer (an older version wrote it): it wins
        raw = {**read_sealed(base).get(name, {}), **raw}
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
    """Store a section (an instance of its declared dataclass), keeping every other section as it was.

    Its sealed settings go to the identity file, which needs someone signed in in this process; without
    that, they must be as `load` sees them (only the plain settings change) or StationError
    'security.error.station_locked' is raised."""
    cls = type(value)
    name = section_name(cls)
    base = home or station_home()
    data = read_all(base)
    values = dataclasses.asdict(value)
    hidden = sealed_fields(cls)
    plain = {k: v for k, v in values.items() if k not in hidden}
    if hidden and _is_open(base):
        sections = read_sealed(base)
        sections[name] = {k: values[k] for k in hidden}
        _write_identity(base, sections=sections)  # first: a crash before the next write loses nothing
    elif hidden:
        if any(getattr(load(cls, base), k) != values[k] for k in hidden):
            raise StationError("security.error.station_locked")
        old = data.get(name, {})
        plain.update({k: old[k] for k in hidden if isinstance(old, dict) and k in old})  # older plain copies
    data[name] = plain
    atomic_write_bytes(_path(base), json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))


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


# -- the sealed identity file -------------------------------------------------------------------------------
def _identity_doc(home: Path) -> dict[str, Any]:
    path = home / IDENTITY_FILE
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_bytes())
    except ValueError:
        raise StationError("error.keyring_damaged") from None
    return doc if isinstance(doc, dict) else {}


def read_sealed(home: Path) -> dict[str, dict[str, Any]]:
    """The sealed settings, section by section ({} when there are none); StationError
    'security.error.station_locked' when nobody signed in in this process."""
    doc = _identity_doc(home)
    if "sections" not in doc:
        return {}
    sections = _sealer_or_locked().unseal(home, _IDENTITY_PURPOSE, doc["sections"])
    return {k: v for k, v in sections.items() if isinstance(v, dict)} if isinstance(sections, dict) else {}


def _noise() -> dict[str, Any]:
    """A spare slot holding nothing, the same size as one holding something."""
    return {"sealed": 1, "nonce": base64.b64encode(os.urandom(12)).decode(),
            "data": base64.b64encode(os.urandom(SPARE_BYTES)).decode()}


_KEEP: Any = object()


def _write_identity(home: Path, *, sections: dict[str, Any] | None = None, spare: Any = _KEEP) -> None:
    doc = _identity_doc(home)
    new: dict[str, Any] = {"format": IDENTITY_FORMAT}
    if sections is not None:
        new["sections"] = _sealer_or_locked().seal(home, _IDENTITY_PURPOSE, sections)
    elif "sections" in doc:
        new["sections"] = doc["sections"]
    if spare is _KEEP:
        spare = doc.get("spare")
    new["spare"] = spare if spare is not None else _noise()
    atomic_write_bytes(home / IDENTITY_FILE, json.dumps(new).encode("utf-8"))


def identity_spare(home: Path) -> Any:
    """The spare slot of the identity file (None when there is no identity file)."""
    return _identity_doc(home).get("spare")


def keep_identity_spare(home: Path, doc: dict[str, Any] | None) -> None:
    """Put `doc` (a sealed document of at most SPARE_BYTES, see `sealed.seal_bytes`) in the spare slot;
    None fills it with random bytes again."""
    _write_identity(home, spare=doc)


def seal_plain(home: Path | None = None) -> bool:
    """Move sealed settings that an older version left in settings.json into the identity file (someone
    must have signed in in this process); True when settings.json was rewritten."""
    base = home or station_home()
    data = read_all(base)
    moved = False
    for name, cls in SECTIONS.items():
        old = data.get(name)
        if isinstance(old, dict) and any(k in old for k in sealed_fields(cls)):
            save(load(cls, base), base)
            moved = True
    return moved


@section("station")
@dataclasses.dataclass(frozen=True)
class StationSettings:
    """Who this station is and how it behaves."""

    site_code: str = setting("", "Site code, 2 to 5 Latin capitals (MKH); the first part of every registration number",
                             sealed=True)
    station_number: int = setting(0, "This desk's number at the site, 1 to 99", sealed=True)
    language: str = setting("en", "The station's language (en, ar, ckb): the window's, and the second one on paper")
    database_url: str = setting("", "A PostgreSQL URL for a shared register (without its password, sealed apart); "
                                "empty: the encrypted file in STATION_HOME", sealed=True)
    idle_lock_minutes: int = setting(5, "Minutes without input before the screen locks")
    time_zone: str = setting("", "IANA time zone shown and reported in (Asia/Baghdad); empty: the computer's zone")
    server_site: bool = setting(False, "The register is on a site server (set with database_url); readable "
                                "before sign-in, unlike the server's address")

    @property
    def on_server(self) -> bool:
        """A PostgreSQL site: known before sign-in too (the plain flag; or an older version's plain URL)."""
        return self.server_site or bool(self.database_url)


def station_settings(home: Path | None = None) -> StationSettings:
    return load(StationSettings, home)
