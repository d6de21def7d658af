"""Figures for the end-of-day report: arrivals by hour, people by age and sex, needs, prints, hand-outs,
exports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station import clock
from station.db.rows import (
    AuditEventRow,
    DistributionRow,
    HouseholdRow,
    IndividualRow,
    NeedRow,
    PrintRecordRow,
    TracingAlertRow,
    TracingCaseRow,
)

AGE_BANDS: list[tuple[int, int | None]] = [(0, 4), (5, 11), (12, 17), (18, 59), (60, None)]


@dataclass(frozen=True)
class DayFigures:
    day: date
    station: str
    households: int
    individuals: int
    arrivals_by_hour: list[int]  # 24 counts (households, local time)
    pyramid: dict[str, list[int]]  # "M"/"F" -> count per AGE_BANDS entry, then one "unknown" count
    needs: dict[str, int]
    prints: dict[str, int]  # wristband, card, reprints
    exports: list[dict[str, Any]] = field(default_factory=list)
    handouts: dict[str, int] = field(default_factory=dict)  # relief item -> quantity handed out that day
    # family tracing, counts only: opened and found that day, open now, possible matches waiting
    tracing: dict[str, int] = field(default_factory=dict)


def band_label(i: int) -> str:
    lo, hi = AGE_BANDS[i]
    return f"{lo}+" if hi is None else f"{lo}-{hi}"


def _band(age: int) -> int:
    for i, (lo, hi) in enumerate(AGE_BANDS):
        if age >= lo and (hi is None or age <= hi):
            return i
    return 0


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def day_figures(s: Session, day: date, station: str, zone: tzinfo | None = None) -> DayFigures:
    """Everything that arrived on `day` (local arrival time), prints and exports made that day (local day)."""
    zone = zone or clock.station_zone()
    start, end = clock.local_day_bounds(day, zone)  # arrived_at is naive UTC like every instant
    by_hour = [0] * 24
    households = 0
    for (arrived,) in s.execute(select(HouseholdRow.arrived_at).where(
            HouseholdRow.arrived_at >= start, HouseholdRow.arrived_at < end)):
        by_hour[clock.to_local(arrived, zone).hour] += 1
        households += 1
    pyramid = {"M": [0] * (len(AGE_BANDS) + 1), "F": [0] * (len(AGE_BANDS) + 1)}
    individuals = 0
    q = (select(IndividualRow.sex, IndividualRow.birth_date).join(HouseholdRow)
         .where(HouseholdRow.arrived_at >= start, HouseholdRow.arrived_at < end))
    for sex, birth in s.execute(q):
        individuals += 1
        key = "F" if sex == "F" else "M"
        pyramid[key][_band(_age(birth, day)) if birth else len(AGE_BANDS)] += 1
    needs = Counter(s.scalars(
        select(NeedRow.code).join(IndividualRow).join(HouseholdRow)
        .where(HouseholdRow.arrived_at >= start, HouseholdRow.arrived_at < end)))
    prints: Counter[str] = Counter()
    for kind, reprint in s.execute(select(PrintRecordRow.kind, PrintRecordRow.reprint).where(
            PrintRecordRow.printed_at >= start, PrintRecordRow.printed_at < end)):
        prints[kind] += 1
        prints["reprints"] += int(bool(reprint))
    exports = []
    for ev in s.scalars(select(AuditEventRow).where(
            AuditEventRow.action == "export.pack", AuditEventRow.at >= start, AuditEventRow.at < end)
            .order_by(AuditEventRow.at)):
        details: dict[str, Any] = ev.details if isinstance(ev.details, dict) else {}
        counts: dict[str, Any] = details["counts"] if isinstance(details.get("counts"), dict) else {}
        local = clock.to_local(ev.at, zone)
        exports.append({"time": f"{local:%H:%M}", "station": ev.station, "file": str(details.get("file", "")),
                        "households": counts.get("households", 0), "portraits": counts.get("portraits", 0),
                        "verified": bool(details.get("verified"))})
    handouts = {item: int(qty) for item, qty in s.execute(
        select(DistributionRow.item, func.sum(DistributionRow.quantity))
        .where(DistributionRow.distributed_at >= start, DistributionRow.distributed_at < end)
        .group_by(DistributionRow.item))}
    return DayFigures(day, station, households, individuals, by_hour, pyramid, dict(needs.most_common()),
                      {"wristband": prints["wristband"], "card": prints["card"], "reprints": prints["reprints"]},
                      exports, handouts, _tracing_counts(s, start, end))


def _tracing_counts(s: Session, ustart: datetime, uend: datetime) -> dict[str, int]:
    """Counts only (names never go into the report): cases opened and found that day, open, alerts waiting."""
    def count(q: Any) -> int:
        return int(s.scalar(q) or 0)

    return {
        "opened": count(select(func.count()).select_from(AuditEventRow).where(
            AuditEventRow.action == "tracing.open", AuditEventRow.at >= ustart, AuditEventRow.at < uend)),
        "found": count(select(func.count()).select_from(AuditEventRow).where(
            AuditEventRow.action == "tracing.found", AuditEventRow.at >= ustart, AuditEventRow.at < uend)),
        "open": count(select(func.count()).select_from(TracingCaseRow).where(
            TracingCaseRow.status.in_(("open", "possible_match")))),
        "alerts": count(select(func.count()).select_from(TracingAlertRow).where(TracingAlertRow.status == "open")),
    }
