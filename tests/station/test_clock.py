"""Time zones: instants in UTC, days of the station's calendar, a card printed after local midnight.

Every test injects the instant and the zone: nothing depends on the real clock or the machine's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from station import clock, settings
from station.services import audit
from station.services import printing as svc
from station.services.audit import AuditFilter
from station.services.station import StationContext
from station.settings import StationSettings
from tests.station.printing.print_helpers import add_household, pdf_text

BAGHDAD = ZoneInfo("Asia/Baghdad")  # UTC+3 all year
BERLIN = ZoneInfo("Europe/Berlin")


def test_local_day_bounds_in_baghdad() -> None:
    start, end = clock.local_day_bounds(date(2026, 3, 10), BAGHDAD)
    assert (start, end) == (datetime(2026, 3, 9, 21, 0), datetime(2026, 3, 10, 21, 0))  # noqa: DTZ001 - naive UTC, as stored


def test_a_day_with_a_clock_change_is_23_hours() -> None:
    start, end = clock.local_day_bounds(date(2026, 3, 29), BERLIN)
    assert end - start == timedelta(hours=23)


def test_local_date_and_label_of_an_instant() -> None:
    just_after_midnight = datetime(2026, 3, 9, 21, 30, tzinfo=UTC)  # 00:30 on 10 March in Baghdad
    assert clock.local_today(just_after_midnight, BAGHDAD) == date(2026, 3, 10)
    assert clock.local_today(just_after_midnight, UTC) == date(2026, 3, 9)
    assert clock.format_local(datetime(2026, 3, 9, 21, 30), BAGHDAD) == "2026-03-10 00:30:00 UTC+03:00"  # noqa: DTZ001 - naive UTC, as the database stores it
    assert clock.zone_label(BERLIN, datetime(2026, 7, 1, tzinfo=UTC)) == "UTC+02:00"
    assert clock.to_db(datetime(2026, 3, 10, 0, 30, tzinfo=BAGHDAD)) == datetime(2026, 3, 9, 21, 30)  # noqa: DTZ001 - naive UTC, as the database stores it


def test_the_station_zone_comes_from_its_settings(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")  # the computer's zone
    settings.update(StationSettings, home, time_zone="Asia/Baghdad")
    assert clock.station_zone(home) == BAGHDAD
    settings.update(StationSettings, home, time_zone="")
    assert clock.station_zone(home) == BERLIN


def test_times_shown_do_not_touch_the_station_folder(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A list of 2,000 households converts 2,000 times: once the zone is read, no folder is made or closed."""
    monkeypatch.setenv("STATION_HOME", str(home))
    settings.update(StationSettings, home, time_zone="Asia/Baghdad")
    assert clock.station_zone() == BAGHDAD  # read once

    def touched(*_a: object, **_k: object) -> None:
        raise AssertionError("the station folder was touched")

    monkeypatch.setattr(Path, "mkdir", touched)
    monkeypatch.setattr(Path, "chmod", touched)
    assert clock.to_local(datetime(2026, 3, 9, 21, 30)).date() == date(2026, 3, 10)  # noqa: DTZ001 - naive UTC, as the database stores it


def test_card_printed_at_half_past_midnight_carries_the_local_date(sqlite_ctx: StationContext, tmp_path: Path) -> None:
    settings.update(StationSettings, sqlite_ctx.home, time_zone="Asia/Baghdad")
    hh = add_household(sqlite_ctx, with_photo=False)
    at_0030_local = datetime(2026, 3, 9, 21, 30, tzinfo=UTC)
    with sqlite_ctx.db.uow() as uow:
        job = svc.prepare_cards(uow, sqlite_ctx.actor, [hh.id], now=at_0030_local)
    out = tmp_path / "card.pdf"
    out.write_bytes(job.pdf)
    text = pdf_text(out)
    assert "2026-03-10" in text  # the local date of issue
    assert "2026-03-09" not in text  # not the UTC date


def test_audit_filter_uses_local_day_bounds(sqlite_ctx: StationContext) -> None:
    with sqlite_ctx.db.uow() as uow:
        audit.record(uow, sqlite_ctx.actor, "test.late", "x", "late")
        audit.record(uow, sqlite_ctx.actor, "test.early", "x", "early")
    from sqlalchemy import update

    from station.db.rows import AuditEventRow

    with sqlite_ctx.db.engine.begin() as conn:  # 23:30 local on 9 March, 00:30 local on 10 March (Baghdad)
        conn.execute(update(AuditEventRow).where(AuditEventRow.entity_id == "late")
                     .values(at=datetime(2026, 3, 9, 20, 30)))  # noqa: DTZ001 - naive UTC, as the database stores it
        conn.execute(update(AuditEventRow).where(AuditEventRow.entity_id == "early")
                     .values(at=datetime(2026, 3, 9, 21, 30)))  # noqa: DTZ001 - naive UTC, as the database stores it
    with sqlite_ctx.db.reader() as uow:
        page = audit.browse(uow, sqlite_ctx.actor, AuditFilter(action="test.", since=date(2026, 3, 10),
                                                                until=date(2026, 3, 10), zone=BAGHDAD))
        in_utc = audit.browse(uow, sqlite_ctx.actor, AuditFilter(action="test.", since=date(2026, 3, 9),
                                                                  until=date(2026, 3, 9), zone=UTC))
    assert [e.entity_id for e in page.events] == ["early"]
    assert sorted(e.entity_id for e in in_utc.events) == ["early", "late"]


@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd"])
def test_an_unknown_zone_is_a_settings_error(name: str) -> None:
    from station.errors import StationError

    with pytest.raises(StationError) as err:
        clock.zone_named(name)
    assert err.value.code == "error.settings_invalid"
