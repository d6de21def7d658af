"""Speed of the checks on a big register: the duplicate check of one member, the tracing check of one case
against the register, and saving a household with its checks (duplicates, keys, alerts), p95.

Full (STATION_PERF_SHORT=0): 200,000 individuals, < 100 ms p95 asserted. Short (CI): 20,000, looser bound.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import random
import statistics
import time
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import delete, select

from station.db.rows import HouseholdRow, IndividualRow, MetaRow
from station.domain.codes import Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts, Origin
from station.domain.tracing import CaseDraft
from station.security.kdf import KdfParams
from station.services import matching, tracing
from station.services.duplicates import check_household_duplicates, check_member_duplicates
from station.services.registration import register_household
from station.services.station import StationContext, initialize
from tests.conftest import PASSPHRASE
from tests.perf.bulk import bulk_households
from tests.perf.conftest import short_mode

INDIVIDUALS = 20_000 if short_mode() else 200_000
LIMIT_MS = 100
# Full mode asserts the wall-clock p95 the issue asks for; the short mode (CI, a machine shared with other
# jobs) asserts the same bound on the process's CPU time, which other jobs on the machine do not inflate.
ON = date(2026, 6, 1)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationContext]:
    home = tmp_path_factory.mktemp("matchhome")
    old = os.environ.get("STATION_HOME")
    os.environ["STATION_HOME"] = str(home)
    kdf = KdfParams(salt_b64=base64.b64encode(os.urandom(16)).decode(), time_cost=1, memory_kib=8192, parallelism=1)
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home, kdf=kdf)
    t = time.perf_counter()
    people = 0
    while people < INDIVIDUALS:
        people += bulk_households(ctx.db, ctx.station_code, 2000, seed=people + 1)
    built = time.perf_counter() - t
    t = time.perf_counter()
    with ctx.db.uow() as uow:  # the bulk loader writes no person keys: rebuild them as after the upgrade
        uow.session.execute(delete(MetaRow).where(MetaRow.key == matching.VERSION_KEY))
    keyed = matching.ensure_current(ctx.db)
    assert keyed == people
    print(f"\n[perf] register of {people} individuals built in {built:.1f} s; person keys in "
          f"{time.perf_counter() - t:.1f} s")
    yield ctx
    ctx.close()
    if old is not None:
        os.environ["STATION_HOME"] = old


def _sample(ctx: StationContext, n: int) -> list[tuple[MemberDraft, Origin]]:
    rng = random.Random(5)
    with ctx.db.reader() as uow:
        ids = list(uow.session.scalars(select(IndividualRow.id)))
        out = []
        for iid in rng.sample(ids, n):
            ind = uow.session.get(IndividualRow, iid)
            assert ind is not None
            hh: HouseholdRow = ind.household
            out.append((MemberDraft(NameParts(ind.given_ar, ind.father_ar, "", ind.family_ar),
                                    NameParts(ind.given_lat, ind.father_lat, ind.grandfather_lat, ""),
                                    Sex(ind.sex), Relationship.HEAD, age_years=rng.randint(1, 70)),
                        Origin(hh.origin_governorate, hh.origin_district, hh.origin_place)))
    return out


def _p95(ms: list[float]) -> float:
    return statistics.quantiles(ms, n=20)[-1]


def test_duplicate_check_p95(big: StationContext) -> None:
    times, cpu = [], []
    with big.db.reader() as uow:
        for member, origin in _sample(big, 200):
            t, c = time.perf_counter(), time.process_time()
            check_member_duplicates(uow, big.actor, member, origin, on=ON)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    print(f"\n[perf] duplicate check, {INDIVIDUALS} individuals: median {statistics.median(times):.1f} ms, "
          f"p95 {_p95(times):.1f} ms (CPU time p95 {_p95(cpu):.1f} ms)")
    assert _p95(cpu if short_mode() else times) < LIMIT_MS


def test_tracing_check_and_save_with_checks_p95(big: StationContext) -> None:
    sample = _sample(big, 120)
    with big.db.uow() as uow:
        seeker = register_household(uow, big.actor, HouseholdDraft(members=(sample[0][0],), origin=sample[0][1]))
    case_times, save_times, cpu, case_cpu = [], [], [], []
    for member, _origin in sample[1:61]:  # open cases: each is checked against the whole register
        t, c = time.perf_counter(), time.process_time()
        with big.db.uow() as uow:
            tracing.open_case(uow, big.actor, CaseDraft(seeker.id, member.name_ar.parts(), member.name_lat.parts(),
                                                        member.sex.value, age_years=member.age_years), on=ON)
        case_times.append((time.perf_counter() - t) * 1000)
        case_cpu.append((time.process_time() - c) * 1000)
    for member, origin in sample[61:]:  # households saved as the desk does: checks, then the save
        draft = HouseholdDraft(members=(member, dataclasses.replace(member, relationship=Relationship.OTHER_RELATIVE)),
                               origin=origin)
        t, c = time.perf_counter(), time.process_time()
        with big.db.uow() as uow:
            check_household_duplicates(uow, big.actor, draft, on=ON)
            register_household(uow, big.actor, draft)
        save_times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    print(f"\n[perf] open a tracing case (check against {INDIVIDUALS}): median {statistics.median(case_times):.1f} ms, "
          f"p95 {_p95(case_times):.1f} ms (CPU time p95 {_p95(case_cpu):.1f} ms); "
          f"save a household of 2 with checks and alerts (60 open cases): median "
          f"{statistics.median(save_times):.1f} ms, p95 {_p95(save_times):.1f} ms (CPU time p95 {_p95(cpu):.1f} ms)")
    assert _p95(case_cpu if short_mode() else case_times) < LIMIT_MS
    assert _p95(cpu if short_mode() else save_times) < LIMIT_MS
