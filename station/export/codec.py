"""Rows to pack metadata and back, checked column by column against the table (types, lengths, nulls).

Every value read from a pack goes through `from_meta`, so a hostile pack cannot smuggle an oversized
string, a wrong type or an unknown column into the database.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase

from station.domain.regno import SITE_PATTERN, RegNo
from station.errors import StationError

MAX_TEXT = 64 * 1024
MAX_JSON = 256 * 1024


def _columns(model: type[DeclarativeBase], skip: frozenset[str]) -> list[Any]:
    return [c for c in model.__table__.columns if c.name not in skip]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _binary(col: Any) -> bool:
    return isinstance(getattr(col.type, "impl", col.type), LargeBinary)


@lru_cache(maxsize=64)
def _out_plan(model: Any, skip: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(name, key) of the columns a row travels with, built once per table."""
    return tuple((c.name, c.key) for c in _columns(model, skip) if not _binary(c))


def to_meta(row: Any, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A row's columns as JSON-ready values (binary columns are skipped: they travel as blobs)."""
    values = row.__dict__  # loaded columns, read without the ORM's per-attribute descriptor
    return {name: _plain(values[key] if key in values else getattr(row, key))
            for name, key in _out_plan(row.__class__, skip)}


def values_meta(model: Any, values: dict[str, Any], skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """`to_meta` of a row read as {column name: value} (a Core SELECT of the table's columns)."""
    return {name: _plain(values[name]) for name, _ in _out_plan(model, skip)}


def _bad() -> StationError:
    return StationError("export.error.hostile")


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_STATION = re.compile(r"^[A-Z]{2,5}-\d{2}$")
Check = Callable[[Any], Any]


def _regno_ok(value: str) -> bool:
    try:
        return str(RegNo.parse(value)) == value
    except (StationError, ValueError):
        return False


def _format_test(col: Any) -> Callable[[str], bool] | None:
    """Identifiers keep their formats, so nothing a pack names can become a path or a query: every 36-long
    id is a UUID, registration numbers parse (check character included), station and site codes match."""
    name = col.name
    if isinstance(col.type, String) and col.type.length == 36 and (name == "id" or name.endswith("_id")):
        return _UUID.match  # type: ignore[return-value]  # a match object or None: truthy exactly when it fits
    if name.endswith("registration_number"):
        return _regno_ok
    if name == "station":
        return lambda v: _STATION.match(v) is not None
    if name == "site_code":
        return lambda v: SITE_PATTERN.match(v) is not None
    return None


def _type_check(col: Any) -> Check:
    """The check of one column's values (type, length, range), without the null rule."""
    t = col.type
    if isinstance(t, Boolean):
        def check(raw: Any) -> Any:
            if not isinstance(raw, bool):
                raise _bad()
            return raw
    elif isinstance(t, Integer):
        def check(raw: Any) -> Any:
            if not isinstance(raw, int) or isinstance(raw, bool) or abs(raw) > 2**31 - 1:
                raise _bad()
            return raw
    elif isinstance(t, DateTime):
        def check(raw: Any) -> Any:
            try:
                value = datetime.fromisoformat(raw) if isinstance(raw, str) and len(raw) <= 40 else None
            except ValueError:
                value = None
            if value is None or value.tzinfo is not None:
                raise _bad()
            return value
    elif isinstance(t, Date):
        def check(raw: Any) -> Any:
            if not isinstance(raw, str) or len(raw) > 10:
                raise _bad()
            try:
                return date.fromisoformat(raw)
            except ValueError:
                raise _bad() from None
    elif isinstance(t, JSON):
        def check(raw: Any) -> Any:
            if not isinstance(raw, dict | list) or (raw and _json_len(raw) > MAX_JSON):
                raise _bad()
            return raw
    elif isinstance(t, String | Text):
        limit = t.length if isinstance(t, String) and t.length else MAX_TEXT

        def check(raw: Any) -> Any:
            if not isinstance(raw, str) or len(raw) > limit:
                raise _bad()
            return raw
    else:
        def check(raw: Any) -> Any:
            raise _bad()
    return check


def _json_len(raw: Any) -> int:
    try:  # the module's shared encoder: values read from a pack are plain JSON
        return len(json.dumps(raw))
    except TypeError:  # values from a row (datetimes...) as they would be written
        return len(json.dumps(raw, default=str))


def _column_check(col: Any) -> Check:
    """Null rule, type check and identifier format of one column, folded into one call."""
    typed, fmt, nullable = _type_check(col), _format_test(col), bool(col.nullable)
    t = col.type
    if isinstance(t, String | Text) and not isinstance(t, JSON | Boolean | Integer | DateTime | Date):
        return _text_check(t.length if isinstance(t, String) and t.length else MAX_TEXT, fmt, nullable)

    def check(raw: Any) -> Any:
        if raw is None:
            if not nullable:
                raise _bad()
            return None
        value = typed(raw)
        if fmt is not None and isinstance(value, str) and value != "" and not fmt(value):
            raise _bad()
        return value
    return check


def _text_check(limit: int, fmt: Callable[[str], bool] | None, nullable: bool) -> Check:
    """`_column_check` of a text column in one call (most of a pack's values: names, ids, codes): the same
    rules as the general path, without its two nested calls per value."""
    if fmt is None:
        def check(raw: Any) -> Any:
            if isinstance(raw, str):
                if len(raw) > limit:
                    raise _bad()
                return raw
            if raw is None and nullable:
                return None
            raise _bad()
        return check

    def check_format(raw: Any) -> Any:
        if isinstance(raw, str):
            if len(raw) > limit or (raw != "" and not fmt(raw)):
                raise _bad()
            return raw
        if raw is None and nullable:
            return None
        raise _bad()
    return check_format


def _value(col: Any, raw: Any) -> Any:
    """One value checked against its column (type, length, nulls, identifier format)."""
    return _column_check(col)(raw)


@lru_cache(maxsize=64)
def _plan(model: type[DeclarativeBase], skip: frozenset[str]) -> tuple[tuple[str, str, bool, Check], ...]:
    """Per table, built once: (name, key, nullable, check) of every non-binary column (binary ones travel
    as blobs). A pack of 200,000 households runs from_meta a million times: no per-call type dispatch."""
    return tuple((c.name, c.key, bool(c.nullable), _column_check(c)) for c in _columns(model, skip)
                 if not _binary(c))


def from_meta(model: type[DeclarativeBase], meta: Any, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Checked keyword arguments for `model(...)`; refuses missing columns, wrong types and ids, registration
    numbers or station codes that do not match their formats (issue 15: `../../../tmp/x` as an id)."""
    if not isinstance(meta, dict):
        raise _bad()
    out: dict[str, Any] = {}
    for name, key, nullable, check in _plan(model, skip):
        if name not in meta:
            if nullable:
                out[key] = None
                continue
            raise _bad()
        out[key] = check(meta[name])
    return out


def digest(*parts: Any) -> str:
    """A stable SHA-256 over JSON-ready values (used to order two different versions deterministically)."""
    body = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
