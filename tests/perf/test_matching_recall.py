"""Matching quality on generated data (tests/perf/test_matching_generator.py), through the real check.

- recall: a registered person written again by another clerk (or described by a relative) is among the
  top 5 candidates of `matching.find_people`; also how often their score reaches the alert threshold.
- false alarms: people NOT in the register (a brother or sister of a registered person, sharing father,
  grandfather and family names, or anyone sharing common names) checked at save: how many of 1,000 get
  any candidate at or above the duplicate threshold / the alert threshold.
- tracing alerts: with 300 open cases for people who are not registered, how many of every 1,000 people
  registered raise a (false) alert.
The register holds 15% of its people in Latin letters only and 10% in Arabic script only, and queries are
in either script or both, so a search crosses scripts both ways ("cross_script_*": a query in one script
for someone stored only in the other).
Tuned on seed 101 ("dev"); seed 202 ("held-out") was generated once and only measured. Figures are printed.
Full: STATION_PERF_SHORT=0 (20,000 people, 1,000 queries per set); short: 5,000 people, 300 queries.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import insert

from station.db.rows import HouseholdRow, IndividualRow
from station.db.uow import Database
from station.domain.tracing import blocking_keys, compare
from station.services import matching
from station.services.duplicates import DUPLICATE_SCORE
from station.services.tracing_checks import ALERT_SCORE
from tests.perf.conftest import short_mode
from tests.perf.test_matching_generator import FEMALE, MALE, Registered, population, rewrite

ON = date(2026, 6, 1)
PEOPLE = 5_000 if short_mode() else 20_000
QUERIES = 300 if short_mode() else 1_000


def load(db: Database, people: list[Registered]) -> dict[int, str]:
    """Bulk-write the population (one household row per generated household); returns ident -> id."""
    now = datetime(2026, 6, 1, 9, 0)  # noqa: DTZ001 - naive UTC, as the database stores it
    ids: dict[int, str] = {}
    hh_ids: dict[int, str] = {}
    hh_rows, ind_rows = [], []
    for r in people:
        if r.household not in hh_ids:
            hid = hh_ids[r.household] = str(uuid.uuid4())
            hh_rows.append({"id": hid, "registration_number": f"BEN-{r.household}", "site_code": "BEN",
                            "station_number": 1, "sequence": r.household, "arrived_at": now,
                            "origin_place": r.person.origin[:256], "origin_key": "", "status": "active",
                            "size": 1, "version": 1, "created_at": now, "created_by": "bench", "updated_at": now,
                            "updated_by": "bench"})
        iid = ids[r.ident] = str(uuid.uuid4())
        p = r.person
        ind_rows.append({"id": iid, "household_id": hh_ids[r.household], "position": 1,
                         **dict(zip(("given_ar", "father_ar", "grandfather_ar", "family_ar"), p.name_ar, strict=True)),
                         **dict(zip(("given_lat", "father_lat", "grandfather_lat", "family_lat"), p.name_lat,
                                    strict=True)),
                         "sex": p.sex, "relationship_to_head": "head", "birth_date": p.birth_date,
                         "birth_date_estimated": p.birth_estimated, "nationality": "IRQ", "marital_status": "unknown",
                         "field_sources": {}, "created_at": now, "updated_at": now})
    with db.uow() as uow:
        for start in range(0, len(hh_rows), 5000):
            uow.session.execute(insert(HouseholdRow), hh_rows[start:start + 5000])
        for start in range(0, len(ind_rows), 5000):
            uow.session.execute(insert(IndividualRow), ind_rows[start:start + 5000])
    matching.ensure_current(db)
    return ids


def sibling(rng: random.Random, r: Registered) -> Registered:
    """A brother or sister: same father, grandfather, family and origin; another given name and age."""
    sex = rng.choice("MF")
    pool = MALE if sex == "M" else FEMALE
    g = rng.choice([x for x in pool if x[0] != r.names[0]])
    p = r.person
    age = max(0, r.ages + rng.choice((-9, -6, -4, -3, 3, 4, 6, 9)))
    # written in the scripts the registered one is (a brother written by the same clerk)
    return Registered(-1, -1, replace(p, name_ar=(g[0] if p.name_ar[0] else "", *p.name_ar[1:]),
                                      name_lat=(g[1][0] if p.name_lat[0] else "", *p.name_lat[1:]), sex=sex,
                                      birth_date=ON.replace(year=ON.year - age), birth_estimated=True), age,
                      (g[0], *r.names[1:]))


def measure(db: Database, seed: int) -> dict[str, float]:
    people = population(seed, PEOPLE + QUERIES, ON)
    registered, outsiders = people[:PEOPLE], people[PEOPLE:]
    ids = load(db, registered)
    rng = random.Random(seed + 1)
    sample = rng.sample(registered, QUERIES)
    found_top5 = alerted = 0
    crossed = [0, 0]  # queries in one script only for people stored only in the other; of those, found
    with db.reader() as uow:
        for r in sample:
            q = rewrite(rng, r, ON)
            top = matching.find_people(uow.session, q, ON, 0, limit=5)
            hit = next((c for c in top if c.individual_id == ids[r.ident]), None)
            found_top5 += hit is not None
            alerted += hit is not None and hit.score >= ALERT_SCORE
            q_ar, q_lat, s_ar, s_lat = any(q.name_ar), any(q.name_lat), any(r.person.name_ar), any(r.person.name_lat)
            if (q_ar and not q_lat and s_lat and not s_ar) or (q_lat and not q_ar and s_ar and not s_lat):
                crossed[0] += 1
                crossed[1] += hit is not None
        new_people = [sibling(rng, r) if i % 2 == 0 else outsiders[i] for i, r in
                      enumerate(rng.sample(registered, QUERIES))]
        dup_alarms = alert_alarms = 0
        for n in new_people:
            top = matching.find_people(uow.session, n.person, ON, DUPLICATE_SCORE, limit=1)
            dup_alarms += bool(top)
            alert_alarms += bool(top) and top[0].score >= ALERT_SCORE
    # tracing: 300 open cases for people who are not registered, each checked against the register as the
    # station does (register-wide, namesakes discounted); every person it alerts on is a false alarm
    cases = [rewrite(rng, o, ON) for o in outsiders[: min(300, len(outsiders))]]
    alerted_people: set[str] = set()
    with db.reader() as uow:
        for c in cases:
            alerted_people.update(x.individual_id for x in matching.find_people(uow.session, c, ON, ALERT_SCORE,
                                                                                  limit=10))
    # the same with the raw pairwise score (no namesake discount), for comparison
    case_keys: dict[str, list[int]] = {}
    for i, c in enumerate(cases):
        for k in blocking_keys(c):
            case_keys.setdefault(k, []).append(i)
    raw = sum(any(compare(cases[i], r.person, ON).score >= ALERT_SCORE
                  for i in {i for k in blocking_keys(r.person) for i in case_keys.get(k, [])}) for r in registered)
    per_1000 = 1000 / QUERIES
    return {"recall_top5": found_top5 / QUERIES, "alert_recall": alerted / QUERIES,
            "cross_script_queries": crossed[0], "cross_script_recall_top5": crossed[1] / max(1, crossed[0]),
            "dup_false_per_1000": dup_alarms * per_1000, "dup_false_at_alert_per_1000": alert_alarms * per_1000,
            "tracing_false_per_1000_with_300_cases": len(alerted_people) * 1000 / PEOPLE,
            "tracing_false_per_1000_raw_score": raw * 1000 / PEOPLE}


# False duplicate prompts (a candidate at DUPLICATE_SCORE or more shown at save) per 1,000 registrations of
# people not in the register, half of them brothers or sisters of registered people (same father,
# grandfather, family and origin). Measured 41-46 in full (20,000 people; dev and held-out, both postings
# budgets; 44-51 before a quarter of the register was stored in one script only) and 23 in short mode
# (5,000 people: fewer namesakes). One standard deviation is about 7 at 1,000 queries and 9 at 300: each
# bound sits about two and a half above the highest figure of its mode.
DUP_FALSE_LIMIT = 45 if short_mode() else 65

# The candidate search reads at most matching.POSTINGS_BUDGET postings, rarest keys first. On a register of
# 200,000 people every key has ten times the postings it has here: "as at 200k" scales the budget down by
# as much, so that recall here says what the bound does to recall there.
AT_200K = {"budget": round(matching.POSTINGS_BUDGET * PEOPLE / 200_000)}


@pytest.mark.parametrize("seed,name,budget", [(101, "dev", None), (202, "held-out", None),
                                              (202, "held-out, key budget as at 200k", AT_200K["budget"])])
def test_matching_recall_and_false_alarms(tmp_path, monkeypatch: pytest.MonkeyPatch, seed: int, name: str,
                                          budget: int | None) -> None:
    from station.db.engine import sqlcipher_engine
    from station.db.migrate import upgrade

    if budget is not None:
        monkeypatch.setattr(matching, "POSTINGS_BUDGET", budget)

    path = tmp_path / "bench.db"
    engine = sqlcipher_engine(path, b"k" * 32)
    upgrade(engine, path)
    db = Database(engine)
    try:
        figures = measure(db, seed)
    finally:
        db.dispose()
    print(f"\n[perf] matching {name} (seed {seed}, {PEOPLE} people, {QUERIES} queries, postings budget "
          f"{matching.POSTINGS_BUDGET}): "
          + ", ".join(f"{k}={v:.3f}" if v < 1.5 else f"{k}={v:.1f}" for k, v in figures.items()))
    print(f"[perf] false duplicate prompts: {figures['dup_false_per_1000']:.0f} per 1,000 registrations of people "
          f"not in the register (half of them brothers or sisters of registered people), "
          f"{figures['dup_false_at_alert_per_1000']:.0f} at the alert score")
    assert figures["recall_top5"] >= (0.90 if short_mode() else 0.95)
    assert figures["tracing_false_per_1000_with_300_cases"] <= 15
    assert figures["dup_false_per_1000"] <= DUP_FALSE_LIMIT
