"""Speed of the checks on big registers, p50 and p95, wall-clock and CPU time:

- the duplicate-candidate search for one member being saved (`check_member_duplicates`);
- the tracing checks: a new case against the register (`open_case`), and the open cases against a
  newly registered household (`tracing_checks.household_indexed`: its keys rewritten, the active cases sharing a
  key scored);
- a save with the duplicate check of every member at save, then `register_household` (tokens, person keys,
  alerts), with 300 open cases on file, in one transaction;
- the save as the desk does it: each member checked in the background once typed (`precheck_members`,
  timed per member), then at save the checks' results read back and `register_household`, a tracing case
  that may match noted; then that case confirmed against the whole register after the commit, on the
  window's worker (`tracing_deferred.confirm_pending`, timed on its own);
- the office import's batch check (`tracing_checks.households_indexed`), reported per 1,000 households.

Full (STATION_PERF_SHORT=0): registers of 20,000, 100,000 and 200,000 individuals (built once with
tests/perf/bulk.py and kept under build/matching-bench, see tests/perf/matching_bench.py); each check must
stay under 100 ms at the 95th percentile, wall-clock, the desk's save included; a save checking every member
at once has a guard only (600 ms). Short (CI): one register of about 9,000 individuals, the same bounds on CPU
time (other jobs on a shared machine do not inflate it), and 300 ms for either kind of save.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from station.db.rows import HouseholdRow, IndividualRow
from station.domain.codes import Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts, Origin
from station.domain.tracing import CaseDraft
from station.services import matching, tracing, tracing_checks
from station.services.demo import make_household
from station.services.duplicates import (
    Prechecked,
    check_household_duplicates,
    check_member_duplicates,
    precheck_members,
)
from station.services.matching import person_from_draft
from station.services.registration import estimated_birth_date, register_household
from station.services.station import StationContext
from station.services.tracing_deferred import confirm_pending, defer_confirmation
from tests.perf.conftest import short_mode
from tests.perf.matching_bench import Timings, station_copy

SIZES = [5_000] if short_mode() else [20_000, 100_000, 200_000]
LIMIT_MS = 100
SAVE_LIMIT_SHORT_MS = 300
ON = date(2026, 12, 1)  # the cached stations hold arrivals up to 2026-11-30 (tests/perf/bulk.py)
OPEN_CASES = 300
SAVES = 60
CHECKS = 200
IMPORTED, IMPORT_CHUNK = 2000, 500
CLERK_PAUSE_S = 1.0  # between two households saved at the desk (see below)


@dataclasses.dataclass
class Bench:
    ctx: StationContext
    individuals: int
    note: str


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{n // 1000}k")
def big(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    with station_copy(request.param, tmp_path_factory.mktemp("matchbench")) as (ctx, note):
        with ctx.db.reader() as uow:
            people = uow.session.scalar(select(func.count()).select_from(IndividualRow))
        assert people is not None and people >= request.param
        yield Bench(ctx, people, note)


def _registered(ctx: StationContext, n: int, seed: int) -> list[tuple[MemberDraft, Origin]]:
    """Registered people written again as a clerk might (the grandfather's name left out in Arabic, the
    family name in Latin, an age instead of the birth date)."""
    rng = random.Random(seed)
    cols = (IndividualRow.given_ar, IndividualRow.father_ar, IndividualRow.family_ar, IndividualRow.given_lat,
            IndividualRow.father_lat, IndividualRow.grandfather_lat, IndividualRow.sex, IndividualRow.birth_date,
            HouseholdRow.origin_governorate, HouseholdRow.origin_district, HouseholdRow.origin_place)
    with ctx.db.reader() as uow:
        ids = sorted(uow.session.scalars(select(IndividualRow.id)))
        picked = rng.sample(ids, n)
        rows = {r[0]: r[1:] for r in uow.session.execute(
            select(IndividualRow.id, *cols).join_from(IndividualRow, HouseholdRow).where(IndividualRow.id.in_(picked)))}
    out = []
    for iid in picked:
        r = rows[iid]
        age = max(0, ON.year - r[7].year + rng.choice((-1, 0, 0, 1))) if r[7] else rng.randint(1, 70)
        out.append((MemberDraft(NameParts(r[0], r[1], "", r[2]), NameParts(r[3], r[4], r[5], ""), Sex(r[6]),
                                Relationship.HEAD, age_years=age), Origin(r[8], r[9], r[10])))
    return out


def _fresh(n: int, seed: int) -> list[HouseholdDraft]:
    """New households as the demo generator makes them: not on file, but sharing its common names."""
    rng = random.Random(seed)
    at = datetime(2026, 11, 30, 9, 0)  # noqa: DTZ001 - a clerk's typed time: naive is the station's local time
    return [make_household(rng, ON, at + timedelta(minutes=i)) for i in range(n)]


def test_duplicate_search(big: Bench) -> None:
    members = _registered(big.ctx, CHECKS // 2, 5)
    members += [(h.members[0], h.origin) for h in _fresh(CHECKS // 2, 7)]
    t = Timings()
    with big.ctx.db.reader() as uow:
        for member, origin in members:
            t.run(lambda m=member, o=origin: check_member_duplicates(uow, big.ctx.actor, m, o, on=ON))  # type: ignore[misc]
    print(f"\n[perf] duplicate-candidate search, one member, {big.individuals} individuals ({big.note}): "
          f"{t.summary()}")
    assert t.p95(cpu=short_mode()) < LIMIT_MS


def test_candidate_recall_at_scale(big: Bench) -> None:
    """The bound on candidates costs no recall on a big register full of namesakes (the demo's names are
    few): registered people written again (the grandfather or the family name left out, one script only,
    the age one or two years off) are in the top 5 of the check."""
    rng = random.Random(9)
    cols = (IndividualRow.id, *(getattr(IndividualRow, f"{part}_{script}") for script in ("ar", "lat")
                                for part in ("given", "father", "grandfather", "family")),
            IndividualRow.sex, IndividualRow.birth_date, HouseholdRow.origin_governorate,
            HouseholdRow.origin_district, HouseholdRow.origin_place)
    with big.ctx.db.reader() as uow:
        picked = rng.sample(sorted(uow.session.scalars(select(IndividualRow.id))), CHECKS)
        rows = uow.session.execute(select(*cols).join_from(IndividualRow, HouseholdRow)
                                   .where(IndividualRow.id.in_(picked)).order_by(IndividualRow.id)).all()
        found = 0
        for r in rows:
            ar, lat = list(r[1:5]), list(r[5:9])
            variant = rng.random()
            if variant < 0.3:
                ar[2] = lat[2] = ""
            elif variant < 0.5:
                lat = ["", "", "", ""]
            elif variant < 0.7:
                ar = ["", "", "", ""]
            elif variant < 0.8:
                lat[3] = ""
            age = max(0, ON.year - r[10].year + rng.choice((-2, -1, 0, 0, 1, 2)))
            person = person_from_draft(MemberDraft(NameParts(*ar), NameParts(*lat), Sex(r[9]), Relationship.HEAD),
                                       Origin(*r[11:14]), estimated_birth_date(age, ON), True)
            found += any(c.individual_id == r[0] for c in matching.find_people(uow.session, person, ON, 0, limit=5))
    recall = found / len(rows)
    print(f"\n[perf] {big.individuals} individuals: true match in the top 5 for {recall:.1%} of {len(rows)} "
          f"registered people written again ({matching.CANDIDATES} candidates scored at most)")
    assert recall >= 0.95


def test_tracing_checks_and_save(big: Bench) -> None:
    ctx = big.ctx
    sought = _registered(ctx, OPEN_CASES + 1, 11)
    with ctx.db.uow() as uow:
        seeker = register_household(uow, ctx.actor, HouseholdDraft(members=(sought[0][0],), origin=sought[0][1]))
    cases = Timings()  # a new case checked against the register
    for member, _origin in sought[1:]:
        case = CaseDraft(seeker.id, member.name_ar.parts(), member.name_lat.parts(), member.sex.value,
                         age_years=member.age_years)
        with cases.timed(), ctx.db.uow() as uow:
            tracing.open_case(uow, ctx.actor, case, on=ON)
    # households saved as the desk does: the members' duplicate check, then the save (keys, alerts); a
    # third carry a person sought (an alert is raised), a third a registered person, a third are new
    fresh = _fresh(SAVES, 13)
    again = _registered(ctx, SAVES // 3, 17)
    drafts = []
    for i, h in enumerate(fresh):
        extra = sought[1 + i][0] if i % 3 == 0 else again[i // 3][0] if i % 3 == 1 else None
        members = h.members if extra is None else (
            *h.members, dataclasses.replace(extra, relationship=Relationship.OTHER_RELATIVE))
        drafts.append(dataclasses.replace(h, members=members))
    saves, indexed, dup = Timings(), Timings(), Timings()
    saved: list[str] = []
    for draft in drafts[:len(drafts) // 2]:  # all members checked at save (a household typed in one go)
        with saves.timed(), ctx.db.uow() as uow:
            with dup.timed():
                check_household_duplicates(uow, ctx.actor, draft, on=ON)
            saved.append(register_household(uow, ctx.actor, draft).id)
    # as the desk does it (ui/registration/precheck.py): each member checked in the background once typed (a
    # pause in typing, or added to the list), then Save: the checks' results read back, and the save
    ahead, desk_saves, confirmed = Timings(), Timings(), Timings()
    for draft in drafts[len(drafts) // 2:]:
        # A clerk takes a minute or more per household: the desk's background work of the last save (the
        # write-ahead log copied into the file once commits pause, station/db/checkpoint.py) is done by the
        # time the next one is saved. Saves back to back would time that copy inside them instead.
        time.sleep(CLERK_PAUSE_S)
        pre = Prechecked()
        for n in range(1, len(draft.members) + 1):
            with ahead.timed(), ctx.db.reader() as uow:
                precheck_members(uow, ctx.actor, dataclasses.replace(draft, members=draft.members[:n]), pre, on=ON)
        with desk_saves.timed(), ctx.db.uow() as uow:
            defer_confirmation(uow)  # as the window does: a case that may match is confirmed after the commit
            check_household_duplicates(uow, ctx.actor, draft, on=ON, prechecked=pre)
            saved.append(register_household(uow, ctx.actor, draft).id)
        with confirmed.timed():  # on the window's worker, once the save is committed (the clerk goes on)
            confirm_pending(ctx.db, on=ON)
    # the open cases against a new registration alone: the same households indexed again
    for hid in saved:
        with ctx.db.uow() as uow:
            row = uow.session.get(HouseholdRow, hid)
            assert row is not None
            _ = [m.documents for m in row.members]
            with indexed.timed():
                tracing_checks.household_indexed(uow, row, ON)
    # the office import's batch: households already in the register checked again, IMPORT_CHUNK at a time
    with ctx.db.reader() as uow:
        batch = list(uow.session.scalars(select(HouseholdRow.id).order_by(HouseholdRow.id).limit(IMPORTED)))
    imported = Timings()
    for start in range(0, len(batch), IMPORT_CHUNK):
        with imported.timed(), ctx.db.uow() as uow:
            tracing_checks.households_indexed(uow.session, batch[start:start + IMPORT_CHUNK], ON)
    per_1000 = sum(imported.wall) * 1000 / len(batch), sum(imported.cpu) * 1000 / len(batch)
    size = sum(len(d.members) for d in drafts) / len(drafts)
    print(f"\n[perf] {big.individuals} individuals ({big.note}):\n"
          f"  new tracing case against the register: {cases.summary()}\n"
          f"  {OPEN_CASES} open cases against a new household: {indexed.summary()}\n"
          f"  duplicate check of a household ({size:.1f} members): {dup.summary()}\n"
          f"  save a household with every member checked at save: {saves.summary()}\n"
          f"  one member checked in the background as it is added: {ahead.summary()}\n"
          f"  save as the desk does it (members checked as typed): {desk_saves.summary()}\n"
          f"  the tracing cases it noted, confirmed after the commit: {confirmed.summary()}\n"
          f"  import batch (households_indexed, {IMPORT_CHUNK} a call, {OPEN_CASES} open cases): "
          f"{per_1000[0]:.0f} ms wall, {per_1000[1]:.0f} ms CPU per 1,000 households")
    for t in (cases, indexed, ahead, confirmed):
        assert t.p95(cpu=short_mode()) < LIMIT_MS
    # the desk's save (a third raise a tracing alert, confirmed against the whole register): the bound
    # in full mode; short mode guards against gross regressions only (85-95 ms CPU at p95 here, on a machine
    # that ran the faces benchmark 1.4 times faster than CI's)
    assert desk_saves.p95(cpu=short_mode()) < (SAVE_LIMIT_SHORT_MS if short_mode() else LIMIT_MS)
    # a whole household (1 to 9 members, 5.5 on average) checked at save: a guard against gross regressions
    # (measured 134 ms CPU at p50 and 245 at p95 at 200,000: what the desk's checks ahead of the save avoid)
    assert saves.p95(cpu=short_mode()) < SAVE_LIMIT_SHORT_MS * (1 if short_mode() else 2)
