"""Record relief items handed out to a household, round by round, and refuse a second hand-out of a round.

A *round* is the numbered box on the back of the ration card (1, 2, 3, ...). A supervisor opens the next
round for the station; from then on every household may receive each item once in that round, and the
clerk ticks box N on the card. Hand-outs outside rounds (water and a blanket on arrival) carry no round
and are never refused as repeats. Households that departed or were merged into another receive nothing:
a duplicate's card must not draw a second ration.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from station.db.rows import DistributionRow, HouseholdRow, MetaRow
from station.db.uow import UnitOfWork
from station.domain.codes import HouseholdStatus, ReliefItem
from station.domain.roles import Actor, Permission
from station.errors import ConflictError, NotFound, StationError
from station.i18n import tr
from station.services import audit
from station.services.authz import require

ROUND_KEY = "distribution_round"
MAX_QUANTITY = 99
MAX_ROUND = 999


@dataclass(frozen=True)
class Handout:
    item: ReliefItem
    quantity: int
    round_no: int | None
    at: datetime  # naive UTC
    by: str
    station: str


REPEAT_WINDOW = timedelta(minutes=30)


def recent_repeats(handouts: list[Handout], items: Mapping[ReliefItem, int], now: datetime,
                   window: timedelta = REPEAT_WINDOW) -> list[tuple[ReliefItem, int]]:
    """Items about to be handed out again outside any round though the household got them minutes ago.

    Returns (item, minutes since) for each, so the desk can ask before recording a likely double entry.
    Rounds need no such check: a second hand-out in the same round is refused outright.
    """
    def utc(t: datetime) -> datetime:
        return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)

    latest: dict[ReliefItem, datetime] = {}
    for h in handouts:
        if h.round_no is None and h.item in items and (h.item not in latest or utc(h.at) > latest[h.item]):
            latest[h.item] = utc(h.at)
    return [(item, max(0, int((utc(now) - at).total_seconds() // 60)))
            for item, at in latest.items() if utc(now) - at < window]


def current_round(uow: UnitOfWork) -> int | None:
    """The round this station is handing out now, or None before a supervisor opened the first one."""
    row = uow.session.get(MetaRow, ROUND_KEY)
    return int(row.value) if row is not None and row.value.isdigit() else None


def open_round(uow: UnitOfWork, actor: Actor, round_no: int) -> None:
    """Make `round_no` the station's current round (normally the next one; going back is allowed, audited)."""
    require(actor, Permission.SET_ROUND)
    if not 1 <= round_no <= MAX_ROUND:
        raise StationError("distribution.error.round_range", max=MAX_ROUND)
    old = current_round(uow)
    row = uow.session.get(MetaRow, ROUND_KEY)
    if row is None:
        uow.session.add(MetaRow(key=ROUND_KEY, value=str(round_no)))
    else:
        row.value = str(round_no)
    audit.record(uow, actor, "distribution.round", "station", actor.station, {"round": [old, round_no]})


def history(uow: UnitOfWork, actor: Actor, household_id: str) -> list[Handout]:
    """Everything handed out to the household, newest first (from every station, after imports)."""
    require(actor, Permission.SEARCH)
    rows = uow.session.scalars(
        select(DistributionRow).where(DistributionRow.household_id == household_id)
        .order_by(DistributionRow.distributed_at.desc(), DistributionRow.id)
    )
    known = {i.value for i in ReliefItem}
    return [Handout(ReliefItem(r.item) if r.item in known else ReliefItem.OTHER,
                    r.quantity, r.round_no, r.distributed_at, r.distributed_by, r.station) for r in rows]


def record_handout(
    uow: UnitOfWork, actor: Actor, household_id: str, items: Mapping[ReliefItem, int], *, in_round: bool,
) -> int | None:
    """Record one hand-out of `items` (item -> quantity); returns the round it counted for (None outside).

    Refused as a whole, with nothing written, when the household is closed, a quantity is out of range,
    no round is open, or an item of this round was already handed to the household (at any station
    whose records this database holds).
    """
    require(actor, Permission.DISTRIBUTE)
    # Row lock: two desks of a PostgreSQL site handing out to the same family wait for each other here, so
    # the "already given this round" check below cannot race (SQLite's writer lock already serialises).
    household = uow.session.get(HouseholdRow, household_id, with_for_update=True)
    if household is None:
        raise NotFound("error.household_not_found")
    if household.status != HouseholdStatus.ACTIVE.value:
        raise ConflictError("distribution.error.closed")
    wanted = {ReliefItem(item): qty for item, qty in items.items() if qty}
    if not wanted:
        raise StationError("distribution.error.nothing")
    if any(not isinstance(q, int) or not 1 <= q <= MAX_QUANTITY for q in wanted.values()):
        raise StationError("distribution.error.quantity", max=MAX_QUANTITY)
    round_no = current_round(uow) if in_round else None
    if in_round and round_no is None:
        raise StationError("distribution.error.no_round")
    if round_no is not None:
        given = set(uow.session.scalars(
            select(DistributionRow.item).where(DistributionRow.household_id == household_id,
                                               DistributionRow.round_no == round_no,
                                               DistributionRow.item.in_([i.value for i in wanted]))))
        if given:
            raise ConflictError("distribution.error.already", round=round_no,  # labels in the user's language
                                items=", ".join(tr(f"code.relief.{item}") for item in sorted(given)))
    now = audit.utcnow()
    for item, qty in sorted(wanted.items()):
        uow.session.add(DistributionRow(
            id=str(uuid.uuid4()), household_id=household_id, individual_id=None, item=item.value,
            quantity=qty, round_no=round_no, station=actor.station, distributed_at=now,
            distributed_by=actor.username))
    audit.record(uow, actor, "distribution.record", "household", household_id,
                 {"round": round_no, "items": {i.value: q for i, q in sorted(wanted.items())}})
    return round_no


def round_counts(uow: UnitOfWork, round_no: int) -> dict[str, int]:
    """Households served per item in a round (for the supervisor's view of how far a round got)."""
    rows = uow.session.execute(
        select(DistributionRow.item, func.count(func.distinct(DistributionRow.household_id)))
        .where(DistributionRow.round_no == round_no).group_by(DistributionRow.item))
    return {item: int(n) for item, n in rows}
