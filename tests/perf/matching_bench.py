"""Big benchmark stations for the matching checks, built once per size and kept under build/.

A station of N individuals comes from tests/perf/bulk.py's `cached_station` (realistic demo households,
cached under build/perf-stations), gets its person keys written as after the upgrade that added them and
ANALYZE, and is kept beside it (bulk.cache_path: the parameters N and seed, the person keys' version and
the files that shape the records). Each benchmark run signs in to a copy, so what a run writes (cases,
households) never leaks into the next run.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, text

from station.db.rows import MetaRow
from station.services import matching
from station.services.station import StationContext, sign_in
from tests.conftest import PASSPHRASE

SEED = 11

# Indexes the benchmark creates on its copy to measure them before a migration adds them (none needed:
# the candidate search reads the primary keys of person_keys and tracing_keys, which cover it).
EXTRA_INDEXES: tuple[str, ...] = ()


def _cache(individuals: int, seed: int) -> Path:
    from tests.perf import bulk

    # bulk's cache path names what shaped the records (its sources, the schema); ours adds the person keys
    return bulk.cache_path("matching-station", individuals, seed, matching.keys_version())


def _build(home: Path, individuals: int, seed: int) -> tuple[int, float]:
    from tests.perf.bulk import cached_station  # another engineer keeps it: only its functions are used

    t = time.perf_counter()
    cached_station(home, individuals, seed)
    ctx = sign_in("admin", PASSPHRASE, home=home)
    try:
        with ctx.db.uow() as uow:  # the bulk loader writes no person keys: build them as after the upgrade
            uow.session.execute(delete(MetaRow).where(MetaRow.key == matching.VERSION_KEY))
        people = matching.ensure_current(ctx.db)
        with ctx.db.uow() as uow:
            uow.session.execute(text("ANALYZE"))
    finally:
        ctx.close()
    return people, time.perf_counter() - t


def station_home(individuals: int, seed: int = SEED) -> tuple[Path, str]:
    """The cached station folder for this size (built on first use) and a line saying where it came from."""
    from tests.perf.bulk import forget_older

    home = _cache(individuals, seed)
    if home.exists():
        return home, f"cached station {home.name}"
    forget_older(home)
    home.parent.mkdir(parents=True, exist_ok=True)  # a fresh checkout (CI) has no cache folder yet
    work = Path(tempfile.mkdtemp(dir=home.parent, prefix=".building-"))
    people, seconds = _build(work, individuals, seed)
    try:
        os.replace(work, home)  # whole or not at all
    except OSError:  # another run finished first
        shutil.rmtree(work, ignore_errors=True)
    return home, f"built station of {people} individuals in {seconds:.0f} s ({home.name})"


@contextmanager
def station_copy(individuals: int, where: Path) -> Iterator[tuple[StationContext, str]]:
    """Sign in to a fresh copy of the cached station of this size."""
    home, note = station_home(individuals)
    copy = where / "home"
    shutil.copytree(home, copy)
    old = os.environ.get("STATION_HOME")
    os.environ["STATION_HOME"] = str(copy)
    ctx = sign_in("admin", PASSPHRASE, home=copy)
    try:
        with ctx.db.uow() as uow:
            for ddl in EXTRA_INDEXES:
                uow.session.execute(text(ddl))
        yield ctx, note
    finally:
        ctx.close()
        if old is None:
            os.environ.pop("STATION_HOME", None)
        else:
            os.environ["STATION_HOME"] = old


@dataclass
class Timings:
    """Wall-clock and process CPU times of repeated calls, in ms (the machine is shared: CPU time is the
    figure other jobs do not inflate)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @contextmanager
    def timed(self) -> Iterator[None]:
        t, c = time.perf_counter(), time.process_time()
        yield
        self.wall.append((time.perf_counter() - t) * 1000)
        self.cpu.append((time.process_time() - c) * 1000)

    def run(self, fn: Callable[[], object]) -> None:
        with self.timed():
            fn()

    def p95(self, cpu: bool = False) -> float:
        values = self.cpu if cpu else self.wall
        return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]

    def summary(self) -> str:
        return (f"wall p50 {statistics.median(self.wall):.1f} / p95 {self.p95():.1f} ms, "
                f"CPU p50 {statistics.median(self.cpu):.1f} / p95 {self.p95(cpu=True):.1f} ms")
