"""Time at the station: instants in UTC, days and times shown in the station's time zone.

The database stores instants as naive UTC (`to_db`), which SQLite and PostgreSQL keep unchanged;
everything else works with aware datetimes. A person sees local time, labelled with its zone
(`zone_label`), and a "day" (a filter, a report, a card's date of issue) is a day of the station's
calendar: `local_day_bounds` turns it into the UTC instants to query. The zone is the setting
`station.time_zone` (an IANA name such as Asia/Baghdad), else the computer's own zone.
Every function takes `now` or `zone` so tests never depend on the real clock or machine.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from station.errors import StationError


def utcnow() -> datetime:
    """Now, aware UTC, millisecond precision (what both databases keep exactly)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def system_zone() -> tzinfo:
    """The computer's own zone: $TZ, /etc/localtime, else its current UTC offset."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    localtime = Path("/etc/localtime")
    if localtime.exists():
        try:
            with localtime.open("rb") as fh:
                return ZoneInfo.from_file(fh, key="localtime")
        except (OSError, ValueError):
            pass
    return datetime.now(UTC).astimezone().tzinfo or UTC


def zone_named(name: str) -> tzinfo:
    """The IANA zone `name` ("" = the computer's zone); StationError for an unknown name."""
    if not name:
        return system_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise StationError("error.settings_invalid", section="station", setting="time_zone") from None


_zone_cache: dict[Path, tuple[tuple[int, int, str], tzinfo]] = {}


def station_zone(home: Path | None = None) -> tzinfo:
    """The zone the station shows and reports in (setting `time_zone`).

    Cached per settings file while the file is unchanged: a list of 2,000 households converts 2,000 times."""
    from station.paths import home_path
    from station.settings import SETTINGS_FILE, station_settings

    path = (home or home_path()) / SETTINGS_FILE  # not station_home(): no mkdir and chmod per time shown
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size, os.environ.get("TZ", ""))
    except OSError:
        stamp = (0, -1, os.environ.get("TZ", ""))
    hit = _zone_cache.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    zone = zone_named(station_settings(home).time_zone)
    _zone_cache[path] = (stamp, zone)
    return zone


def as_utc(dt: datetime) -> datetime:
    """Aware UTC; a naive value is taken to be UTC already (as the database stores it)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def to_db(dt: datetime) -> datetime:
    """The naive-UTC form the database stores and compares."""
    return as_utc(dt).replace(tzinfo=None)


def to_local(dt: datetime, zone: tzinfo | None = None) -> datetime:
    """An instant (aware, or naive UTC from the database) as the station's aware local time."""
    return as_utc(dt).astimezone(zone or station_zone())


def local_today(now: datetime | None = None, zone: tzinfo | None = None) -> date:
    """Today's date on the station's calendar."""
    return to_local(now or utcnow(), zone).date()


def local_day_bounds(day: date, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as naive UTC, for database queries (a DST day may be 23 or 25 h)."""
    zone = zone or station_zone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return to_db(start), to_db(end)


def zone_label(zone: tzinfo | None = None, at: datetime | None = None) -> str:
    """How a time's zone is labelled for a person: its UTC offset, e.g. "UTC+03:00"."""
    local = to_local(at or utcnow(), zone)
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_local(dt: datetime, zone: tzinfo | None = None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """An instant as local time with its zone label ("2026-03-10 00:30:00 UTC+03:00")."""
    local = to_local(dt, zone)
    return f"{local.strftime(fmt)} {zone_label(zone or local.tzinfo, dt)}"


def from_local(dt: datetime, zone: tzinfo | None = None) -> datetime:
    """A time a person gave (a clerk's arrival time): aware as given; naive is the station's local time."""
    return dt.replace(tzinfo=zone or station_zone()) if dt.tzinfo is None else dt


def minute(dt: datetime) -> datetime:
    """The same instant cut to the minute (what an arrival time records)."""
    return dt.replace(second=0, microsecond=0)
