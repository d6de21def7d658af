"""The register: today's households, and search by registration number, any name part or origin."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, select

from station.db.rows import HouseholdRow, NameTokenRow
from station.db.uow import UnitOfWork
from station.domain.model import HouseholdSummary
from station.domain.regno import RegNo, RegNoError
from station.domain.roles import Actor, Permission
from station.domain.text import normalize_digits, search_tokens
from station.errors import NotFound
from station.services.authz import require
from station.services.views import summary

DEFAULT_LIMIT = 200
_TOP = "\U0010ffff"
_PARTIAL_REGNO = re.compile(r"^(?:([A-Z]{2,5})-?)?(?:(\d{2})-)?(\d{1,6})(?:-[0-9A-Z])?$")


def day_register(uow: UnitOfWork, actor: Actor, day: date, limit: int = 2000) -> list[HouseholdSummary]:
    """Households that arrived on `day` (local station day), newest first."""
    require(actor, Permission.SEARCH)
    start = datetime.combine(day, time.min)
    q = (
        select(HouseholdRow)
        .where(and_(HouseholdRow.arrived_at >= start, HouseholdRow.arrived_at < start + timedelta(days=1)))
        .order_by(HouseholdRow.arrived_at.desc(), HouseholdRow.sequence.desc())
        .limit(limit)
    )
    return [summary(r) for r in uow.session.scalars(q)]


def _regno_query(text: str) -> Select[tuple[HouseholdRow]] | None:
    cleaned = normalize_digits(text).strip().upper().replace(" ", "")
    try:
        return select(HouseholdRow).where(HouseholdRow.registration_number == str(RegNo.parse(cleaned)))
    except RegNoError:
        pass
    m = _PARTIAL_REGNO.match(cleaned)
    if not m or (m.group(1) is None and len(m.group(3)) < 3):
        return None
    q = select(HouseholdRow).where(HouseholdRow.sequence == int(m.group(3)))
    if m.group(1):
        q = q.where(HouseholdRow.site_code == m.group(1))
    if m.group(2):
        q = q.where(HouseholdRow.station_number == int(m.group(2)))
    return q


def search(uow: UnitOfWork, actor: Actor, text: str, limit: int = DEFAULT_LIMIT) -> list[HouseholdSummary]:
    """Every word must match the start of a name part (either script), document number or origin word."""
    require(actor, Permission.SEARCH)
    text = text.strip()
    if not text:
        return []
    regno_q = _regno_query(text)
    if regno_q is not None:
        found = [summary(r) for r in uow.session.scalars(regno_q.limit(limit))]
        if found:
            return found
    tokens = sorted(search_tokens(text), key=len, reverse=True)[:6]
    if not tokens:
        return []
    q = select(HouseholdRow)
    for tok in tokens:
        sub = select(NameTokenRow.household_id).where(
            and_(NameTokenRow.token >= tok, NameTokenRow.token < tok + _TOP)
        )
        q = q.where(HouseholdRow.id.in_(sub))
    q = q.order_by(HouseholdRow.arrived_at.desc()).limit(limit)
    return [summary(r) for r in uow.session.scalars(q)]


def household_summary(uow: UnitOfWork, actor: Actor, household_id: str) -> HouseholdSummary:
    require(actor, Permission.SEARCH)
    row = uow.session.get(HouseholdRow, household_id)
    if row is None:
        raise NotFound("error.household_not_found")
    return summary(row)
