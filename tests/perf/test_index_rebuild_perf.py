"""The one-time name index rebuild after an update (issue 18): under 10 s at 200,000 people, with progress.

A cached bulk station (tests/perf/bulk.py) is marked as indexed by an older version, and the start-up's
`search_index.ensure_current` rebuilds it, as the first sign-in after an update does. The rebuilt index must
hold exactly the rows that saving wrote (a digest of every (token, household) row) and give the same search
results; the progress reports must climb to the end. Wall and CPU time are printed (`-s`).

Full mode (STATION_PERF_SHORT=0): 200,000 people, wall time under 10 s (the issue's target).
Short mode (CI): 5,000 people, a loose CPU bound per 1,000 people (shared CI machines are noisy).

    STATION_PERF_SHORT=0 .venv/bin/python -m pytest -q -s -p no:cacheprovider tests/perf/test_index_rebuild_perf.py

Measured on the shared 2-core machine, 200,000 people, 2.8 million rows, same station and commands, the code
before and after (tests/perf/bulk.py station, version mark set stale):
before (rowid table, per-person token sets, checked foreign keys): 34.4 s wall, 29.0 s CPU (load about 2);
then: 18.4-19.7 s wall, 16.2-18.4 s CPU (load about 2);
2026-12-02, log neither synced nor checkpointed in the commit, per-slot postings, load 5-20 (three other
engineers' benchmarks and a model training), the previous code alternated with this one on the same copy:
previous 36.5-43.3 s wall / 18.3-20.9 s CPU, now 34.2-38.0 s wall / 18.2-19.7 s CPU; the commit stage
6.2-8.1 -> 4.2-6.3 s wall; building the postings alone 2.9 -> 1.7 s CPU. Wall times at that load are
about twice the CPU time. The 10 s target is not met: what is left is mostly SQLite's own work on
2.8 million rows of 36-character household ids (see search_index).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from station.db.rows import HouseholdRow, MetaRow
from station.services import search_index
from station.services import station as st
from station.services.search import search
from tests.conftest import PASSPHRASE
from tests.perf.bulk import cached_station
from tests.perf.conftest import short_mode

pytestmark = pytest.mark.perf
SHORT = short_mode()
PEOPLE = 5_000 if SHORT else 200_000
WALL_LIMIT = 10.0  # seconds at 200,000 people (full mode)
CPU_PER_1000 = 0.5  # seconds per 1,000 people (short mode: about 0.1 measured, a loaded CI machine allowed 5x)


def _digest(ctx: st.StationContext) -> tuple[int, str]:
    """Rows and a digest of every (token, household) row, in primary-key order."""
    h = hashlib.sha256()
    n = 0
    with ctx.db.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT token, household_id FROM name_tokens ORDER BY token, household_id")
        for token, hid in rows:
            h.update(f"{token}\t{hid}\n".encode())
            n += 1
    return n, h.hexdigest()


def _searches(ctx: st.StationContext) -> list[tuple[str, list[str]]]:
    """Twenty searches of names on file (given and family name, each script, one word) and what they find."""
    with ctx.db.reader() as uow:
        heads = uow.session.execute(select(HouseholdRow.head_name_ar, HouseholdRow.head_name_lat)
                                    .order_by(HouseholdRow.id).limit(5)).all()
        queries = []
        for ar, lat in heads:
            queries += [" ".join(ar.split()[:2]), " ".join(lat.split()[::3]), ar.split()[-1], lat.split()[0]]
        return [(q, [r.id for r in search(uow, ctx.actor, q)]) for q in queries]


def _stages(t0: float, steps: list[tuple[float, int, int]]) -> str:
    """Seconds per stage, from when the progress first reaches each stage's end (search_index's weights)."""
    ends = [("reading", search_index.READING), ("writing", search_index.READING + search_index.WRITING),
            ("index", search_index.READING + search_index.WRITING + search_index.INDEXING), ("commit", 100)]
    out, last = [], t0
    for name, end in ends:
        at = next((t for t, done, total in steps if 100 * done >= end * total), last)
        out.append(f"{name} {at - last:.1f}")
        last = at
    return ", ".join(out)


def test_index_rebuild_after_an_update(tmp_path: Path) -> None:
    home = cached_station(tmp_path / "home", PEOPLE)
    ctx = st.sign_in("admin", PASSPHRASE, home)
    try:
        before, found = _digest(ctx), _searches(ctx)
        with ctx.db.uow() as uow:  # as an older version left it
            uow.session.execute(update(MetaRow).where(MetaRow.key == search_index.VERSION_KEY).values(value="2"))
        steps: list[tuple[float, int, int]] = []
        t0, c0 = time.perf_counter(), time.process_time()
        households = search_index.ensure_current(
            ctx.db, lambda done, total: steps.append((time.perf_counter(), done, total)))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        load = os.getloadavg()[0]
        assert search_index.is_current(ctx.db)
        assert _digest(ctx) == before  # the same rows as saving wrote
        assert _searches(ctx) == found
    finally:
        ctx.close()
    gaps = [b[0] - a[0] for a, b in zip([(t0, 0, 0), *steps], steps, strict=False)]
    print(f"\n[perf] index rebuild, {PEOPLE} people, {households} households, {before[0]} index rows: "
          f"{wall:.1f} s wall, {cpu:.1f} s CPU (load {load:.1f}); {len(steps)} progress reports, longest wait "
          f"between two {max(gaps):.1f} s; stages (wall): {_stages(t0, steps)}")
    assert len(steps) >= 5 and [d for _, d, _ in steps] == sorted(d for _, d, _ in steps)
    assert steps[-1][1] == steps[-1][2]
    if SHORT:
        assert cpu < CPU_PER_1000 * PEOPLE / 1000, f"{cpu:.1f} s CPU for {PEOPLE} people"
    else:
        assert wall < WALL_LIMIT, f"{wall:.1f} s wall for {PEOPLE} people (target {WALL_LIMIT} s)"
