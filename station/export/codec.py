"""Rows to pack metadata and back, checked column by column against the table (types, lengths, nulls).

Every value read from a pack goes through `from_meta`, so a hostile pack cannot smuggle an oversized
string, a wrong type or an unknown column into the database.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
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


def to_meta(row: Any, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A row's columns as JSON-ready values (binary columns are skipped: they travel as blobs)."""
    out: dict[str, Any] = {}
    for col in _columns(type(row), skip):
        if isinstance(col.type, LargeBinary):
            continue
        out[col.name] = _plain(getattr(row, col.key))
    return out


def _bad() -> StationError:
    return StationError("export.error.hostile")


def _value(col: Any, raw: Any) -> Any:
    if raw is None:
        if not col.nullable:
            raise _bad()
        return None
    t = col.type
    if isinstance(t, Boolean):
        if not isinstance(raw, bool):
            raise _bad()
        return raw
    if isinstance(t, Integer):
        if not isinstance(raw, int) or isinstance(raw, bool) or abs(raw) > 2**31 - 1:
            raise _bad()
        return raw
    if isinstance(t, DateTime):
        try:
            value = datetime.fromisoformat(raw) if isinstance(raw, str) and len(raw) <= 40 else None
        except ValueError:
            value = None
        if value is None or value.tzinfo is not None:
            raise _bad()
        return value
    if isinstance(t, Date):
        if not isinstance(raw, str) or len(raw) > 10:
            raise _bad()
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise _bad() from None
    if isinstance(t, JSON):
        if not isinstance(raw, dict | list) or len(json.dumps(raw, default=str)) > MAX_JSON:
            raise _bad()
        return raw
    if isinstance(t, String | Text):
        limit = t.length if isinstance(t, String) and t.length else MAX_TEXT
        if not isinstance(raw, str) or len(raw) > limit:
            raise _bad()
        return raw
    raise _bad()


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_STATION = re.compile(r"^[A-Z]{2,5}-\d{2}$")


def _format_ok(col: Any, value: Any) -> bool:
    """Identifiers keep their formats, so nothing a pack names can become a path or a query: every 36-long
    id is a UUID, registration numbers parse (check character included), station and site codes match."""
    if not isinstance(value, str) or value == "":
        return True  # empty optional references; type and null checks are _value's
    name = col.name
    if isinstance(col.type, String) and col.type.length == 36 and (name == "id" or name.endswith("_id")):
        return bool(_UUID.match(value))
    if name.endswith("registration_number"):
        try:
            return str(RegNo.parse(value)) == value
        except (StationError, ValueError):
            return False
    if name == "station":
        return bool(_STATION.match(value))
    if name == "site_code":
        return bool(SITE_PATTERN.match(value))
    return True


def from_meta(model: type[DeclarativeBase], meta: Any, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Checked keyword arguments for `model(...)`; refuses missing columns, wrong types and ids, registration
    numbers or station codes that do not match their formats (issue 15: `../../../tmp/x` as an id)."""
    if not isinstance(meta, dict):
        raise _bad()
    out: dict[str, Any] = {}
    for col in _columns(model, skip):
        if isinstance(col.type, LargeBinary):
            continue
        if col.name not in meta:
            if col.nullable:
                out[col.key] = None
                continue
            raise _bad()
        out[col.key] = _value(col, meta[col.name])
        if not _format_ok(col, out[col.key]):
            raise _bad()
    return out


def digest(*parts: Any) -> str:
    """A stable SHA-256 over JSON-ready values (used to order two different versions deterministically)."""
    body = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
