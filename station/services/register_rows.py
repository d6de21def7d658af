"""The register's rows: households read over a few summary columns (no ORM objects: the register stays fast),
the day's list, one household's row. The search (station.services.search) reads its pages through these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, tzinfo
from typing import Any

from sqlalchemy import Select, and_, select

from station import clock
from station.db.rows import HouseholdRow
from station.db.uow import UnitOfWork
from station.domain.codes import HouseholdStatus
from station.domain.model import HouseholdSummary, Origin
from station.domain.roles import Actor, Permission
from station.errors import NotFound
from station.services.authz import require

Query = Select[*tuple[Any, ...]]
NEWEST = (HouseholdRow.arrived_at.desc(), HouseholdRow.sequence.desc())
SUMMARY_COLUMNS = (
    HouseholdRow.id, HouseholdRow.registration_number, HouseholdRow.arrived_at, HouseholdRow.head_name_ar,
    HouseholdRow.head_name_lat, HouseholdRow.size, HouseholdRow.origin_governorate, HouseholdRow.origin_district,
    HouseholdRow.origin_place, HouseholdRow.status,
)


def summaries(uow: UnitOfWork, q: Query) -> list[HouseholdSummary]:
    """Run a query over the summary columns only (no ORM objects: the register stays fast)."""
    return summary_rows(uow.session.connection().execute(q))  # Core, not the ORM: less time per statement


def summary_rows(rows: Iterable[Sequence[Any]]) -> list[HouseholdSummary]:
    """`summary` of each row; an origin's text and a status made once for all rows that share them (a day's
    list of 2,000 rows took 30 ms on the register's worker, a third less so)."""
    zone = clock.station_zone()
    origins: dict[tuple[str, str, str], str] = {}
    out = []
    for r in rows:
        place = (r[6], r[7], r[8])
        origin = origins.get(place)
        if origin is None:
            origin = origins[place] = Origin(*place).text()
        out.append(HouseholdSummary(id=r[0], registration_number=r[1], arrived_at=clock.to_local(r[2], zone),
                                    head_name_ar=r[3], head_name_lat=r[4], size=r[5], origin=origin,
                                    status=_STATUSES[r[9]]))
    return out


_STATUSES = {s.value: s for s in HouseholdStatus}


def summary(r: Sequence[Any], zone: tzinfo, approximate: bool = False) -> HouseholdSummary:
    return HouseholdSummary(id=r[0], registration_number=r[1], arrived_at=clock.to_local(r[2], zone),
                            head_name_ar=r[3], head_name_lat=r[4], size=r[5],
                            origin=Origin(r[6], r[7], r[8]).text(), status=HouseholdStatus(r[9]),
                            approximate=approximate)


def day_register(uow: UnitOfWork, actor: Actor, day: date, limit: int = 2000) -> list[HouseholdSummary]:
    """Households that arrived on `day` (local station day), newest first."""
    require(actor, Permission.SEARCH)
    start, end = clock.local_day_bounds(day)
    q = (
        select(*SUMMARY_COLUMNS)
        .where(and_(HouseholdRow.arrived_at >= start, HouseholdRow.arrived_at < end))
        .order_by(*NEWEST)
        .limit(limit)
    )
    return summaries(uow, q)


def household_summary(uow: UnitOfWork, actor: Actor, household_id: str) -> HouseholdSummary:
    require(actor, Permission.SEARCH)
    found = summaries(uow, select(*SUMMARY_COLUMNS).where(HouseholdRow.id == household_id))
    if not found:
        raise NotFound("error.household_not_found")
    return found[0]
