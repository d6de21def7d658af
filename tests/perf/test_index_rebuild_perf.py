"""The name index and person keys rebuilt after an update (issue 18): no sign-in waits for it.

A cached bulk station (tests/perf/bulk.py) is marked as indexed by an older version (`stale`: the old rows
stay, as after a version bump; `emptied`: the token table made again empty, as migration 0007 leaves it).
The next sign-in opens the desk at once and search_index_background.CatchUp rebuilds in the background, in
short write transactions. Measured and printed (`-s`):
- time to desk open: the sign-in (Argon2 key unwrap, migrations check, `prepare`) and starting the worker;
  the index must still be stale then (the rebuild is not inside it);
- each write transaction of the worker (p50, p95, p100): a clerk's save waits for one at most;
- a clerk's save while the rebuild runs (wall, including the wait for the write lock), and searches
  meanwhile finding what they found before;
- total background time, and that the result equals, row for row, what saving wrote (a digest).

Full mode (STATION_PERF_SHORT=0): 200,000 people: desk open under 2 s, p95 write transaction under 0.4 s
(the target is 0.2 s p100 on a quiet machine). Short mode (CI): 5,000 people, loose bounds.

    STATION_PERF_SHORT=0 .venv/bin/python -m pytest -q -s -p no:cacheprovider tests/perf/test_index_rebuild_perf.py

Before (one transaction at sign-in, the shared 2-core machine, 200,000 people, 2.8 million rows):
34-38 s wall / 18-20 s CPU with the sign-in screen waiting, plus 40 s wall / 23 s CPU for the person keys.
2026-12-02, `stale` (tokens unchanged; the cached station has no person keys: 1 million written), load 5-9,
nice 15: desk open 0.31 s wall / 0.10 s CPU; 5,624 write transactions p50 94 ms, p95 285 ms, p100 2.5 s;
total background 34 min (699 s inside transactions); 2,546 saves meanwhile, longest 2.5 s.
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from station.db.rows import HouseholdRow, MetaRow, NameTokenRow
from station.services import matching, search_index
from station.services import search_index_background as bg
from station.services import station as st
from station.services.demo import make_household
from station.services.registration import register_household
from station.services.search import search
from tests.conftest import PASSPHRASE
from tests.perf.bulk import cached_station
from tests.perf.conftest import short_mode

pytestmark = pytest.mark.perf
SHORT = short_mode()
PEOPLE = 5_000 if SHORT else 200_000
OPEN_LIMIT = 5.0 if SHORT else 2.0  # seconds to the desk
LONGEST_LIMIT = 1.0 if SHORT else 0.4  # p95 write transaction of the worker (target 0.2 s p100 on a quiet machine)
SAVES_EVERY = 0.5  # seconds between two clerk's saves while the rebuild runs


def _digest(ctx: st.StationContext) -> tuple[int, str]:
    """Rows and a digest of every (token, household) row, in primary-key order."""
    h = hashlib.sha256()
    n = 0
    with ctx.db.engine.connect() as conn:
        for token, hid in conn.exec_driver_sql("SELECT token, household_id FROM name_tokens "
                                               "ORDER BY token, household_id"):
            h.update(f"{token}\t{hid}\n".encode())
            n += 1
    return n, h.hexdigest()


def _queries(ctx: st.StationContext) -> list[tuple[str, str]]:
    """Twenty searches of names on file (given and family name, each script, one and two words), each with
    the household it was taken from."""
    with ctx.db.reader() as uow:
        heads = uow.session.execute(select(HouseholdRow.id, HouseholdRow.head_name_ar, HouseholdRow.head_name_lat)
                                    .order_by(HouseholdRow.id.desc()).limit(5)).all()
    queries = []
    for hid, ar, lat in heads:  # the highest ids: the last the background rebuild reaches
        for q in (" ".join(ar.split()[:2]), " ".join(lat.split()[::3]), ar.split()[-1], lat.split()[0]):
            queries.append((q, hid))
    return queries


def _found(ctx: st.StationContext, queries: list[tuple[str, str]]) -> list[set[str]]:
    with ctx.db.reader() as uow:
        return [{r.id for r in search(uow, ctx.actor, q)} for q, _ in queries]


def _as_an_older_version(ctx: st.StationContext, case: str) -> None:
    with ctx.db.uow() as uow:
        s = uow.session
        if case == "emptied":  # as migration 0007 does: the table made again, the mark removed
            conn = s.connection()
            conn.exec_driver_sql("DROP INDEX IF EXISTS ix_name_tokens_household_token")
            NameTokenRow.__table__.drop(conn)
            NameTokenRow.__table__.create(conn)
            s.execute(delete(MetaRow).where(MetaRow.key == search_index.VERSION_KEY))
        else:
            s.execute(update(MetaRow).where(MetaRow.key == search_index.VERSION_KEY).values(value="2"))
        s.execute(update(MetaRow).where(MetaRow.key == matching.VERSION_KEY).values(value="1.2"))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@pytest.mark.parametrize("case", ["stale", "emptied"])
def test_no_sign_in_waits_for_the_index_rebuild(tmp_path: Path, case: str) -> None:
    home = cached_station(tmp_path / "home", PEOPLE)
    ctx = st.sign_in("admin", PASSPHRASE, home)
    try:
        before = _digest(ctx)
        queries = _queries(ctx)
        found = _found(ctx, queries)
        _as_an_older_version(ctx, case)
    finally:
        ctx.close()
    t0, c0 = time.perf_counter(), time.process_time()
    ctx = st.sign_in("admin", PASSPHRASE, home)
    ctx.catch_up = bg.start(ctx.db)
    desk_open, desk_cpu = time.perf_counter() - t0, time.process_time() - c0
    saves: list[float] = []
    searched: list[float] = []
    saved: list[str] = []
    hits = [0, 0]  # searches whose household was on the first page: before the update, during the rebuild
    try:
        work = ctx.catch_up
        assert work is not None and not search_index.is_current(ctx.db)  # the rebuild is not in the sign-in
        rng = random.Random(7)
        start = time.perf_counter()
        while work.running:
            time.sleep(SAVES_EVERY)
            t = time.perf_counter()
            with ctx.db.uow() as uow:  # a clerk's save meanwhile: waits for one chunk at most
                draft = make_household(rng, date(2026, 11, 30), datetime(2026, 11, 30, 9))  # noqa: DTZ001 - a clerk's typed time
                saved.append(register_household(uow, ctx.actor, draft).id)
            saves.append(time.perf_counter() - t)
            if len(searched) < len(queries):  # searches meanwhile
                (q, target), before_q = queries[len(searched)], found[len(searched)]
                t = time.perf_counter()
                with ctx.db.reader() as uow:
                    got = {r.id for r in search(uow, ctx.actor, q)}
                searched.append(time.perf_counter() - t)
                hits[0] += target in before_q
                hits[1] += target in got
                if case == "stale":  # the old rows answer as before (beside households saved meanwhile)
                    assert got - set(saved) <= before_q and (len(got) == 50 or before_q <= got), q
        background = time.perf_counter() - start
        assert work.finished and work.failed is None
        assert search_index.is_current(ctx.db) and matching.is_current(ctx.db)
        with ctx.db.uow() as uow:  # the households saved meanwhile, gone again: the register as it was
            uow.session.execute(delete(HouseholdRow).where(HouseholdRow.id.in_(saved)))
        assert _digest(ctx) == before  # row for row what saving wrote
        assert _found(ctx, queries) == found
    finally:
        ctx.close()
    d = work.durations
    load = os.getloadavg()[0]
    print(f"\n[perf] index rebuild in the background ({case}), {PEOPLE} people, {before[0]} index rows "
          f"(load {load:.1f}): desk open {desk_open:.2f} s wall / {desk_cpu:.2f} s CPU; {len(d)} write "
          f"transactions p50 {1000 * statistics.median(d):.0f} ms, p95 {1000 * _pct(d, 0.95):.0f} ms, "
          f"p100 {1000 * max(d):.0f} ms; in transactions {sum(d):.1f} s; total background {background:.1f} s; "
          f"{len(saves)} saves meanwhile, longest {1000 * max(saves, default=0):.0f} ms; {len(searched)} searches "
          f"meanwhile, longest {1000 * max(searched, default=0):.0f} ms, their household on the first page "
          f"{hits[1]}/{len(searched)} (before the update {hits[0]})")
    # found meanwhile: by the old rows as before; after 0007 emptied the index, by the index so far and a name
    # scan of the rest (as typed only, newest first: 6/20 against 12/20 on 2026-12-02 at 5,000 people)
    assert hits[1] >= (hits[0] if case == "stale" else min(1, hits[0]))
    assert desk_open < OPEN_LIMIT, f"{desk_open:.2f} s to the desk"
    # p95, not p100: on a shared machine one transaction in thousands is descheduled for seconds (measured
    # 2026-12-02, load 5-9: p100 2.5 s beside p95 0.29 s); the printed p100 is the figure to read quiet
    assert _pct(d, 0.95) < LONGEST_LIMIT, f"p95 write transaction {1000 * _pct(d, 0.95):.0f} ms"
