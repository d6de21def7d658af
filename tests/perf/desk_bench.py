"""Helpers for the desk benchmark: a big station built once (bulk loader) and cached under build/, and timing
from an input event to the pixels painted in the window (offscreen).

The cache key holds every parameter and the source of what builds the file (bulk loader, migrations), so a
changed loader or schema builds a new station; each run works on a copy, so saves never drift the cache.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "perf-desk"
BUSY_DAY_HOUSEHOLDS = 2000  # the day list the issue names: a day with 2,000 arrivals
USERNAME = "admin"


BUILD = 1  # raise when _build below changes what it writes


def _source_key(individuals: int, seed: int) -> str:
    h = hashlib.sha256(f"{BUILD}:{individuals}:{seed}:{BUSY_DAY_HOUSEHOLDS}".encode())
    for path in (ROOT / "tests/perf/bulk.py", ROOT / "station/domain/name_index.py",
                 ROOT / "station/services/demo.py"):
        h.update(path.read_bytes())
    for path in sorted((ROOT / "station/db/migrations/versions").glob("*.py")):
        h.update(path.name.encode())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class BenchStation:
    home: Path
    individuals: int
    households: int
    busy_day: date  # the day with the most arrivals (2,000 and more)


def cached_station(individuals: int, seed: int = 7) -> BenchStation:
    """The station for `individuals`, built once (bulk loader; person keys rebuilt as after an upgrade)."""
    target = CACHE / f"{individuals}-{_source_key(individuals, seed)}"
    meta = target / "bench.json"
    if not meta.exists():
        _build(target, individuals, seed)
    data = json.loads(meta.read_text())
    return BenchStation(target / "home", data["individuals"], data["households"],
                        date.fromisoformat(data["busy_day"]))


def _build(target: Path, individuals: int, seed: int) -> None:
    from station.db.rows import HouseholdRow, MetaRow
    from station.security.kdf import KdfParams
    from station.services import matching
    from station.services.station import initialize
    from tests.conftest import PASSPHRASE
    from tests.perf.bulk import bulk_households

    work = target.with_name(target.name + f".building-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    home = work / "home"
    home.mkdir(parents=True)
    kdf = KdfParams(salt_b64=base64.b64encode(os.urandom(16)).decode(), time_cost=1, memory_kib=8192, parallelism=1)
    with _station_home(home):
        ctx, _ = initialize(site_code="MKH", station_number=2, admin_username=USERNAME,
                            admin_passphrase=PASSPHRASE, home=home, kdf=kdf)
        try:
            t = time.perf_counter()
            # the busy day first (all on the build day), then the rest spread over 60 days
            people = bulk_households(ctx.db, ctx.station_code, BUSY_DAY_HOUSEHOLDS, seed=seed, days=1)
            per_household = people / BUSY_DAY_HOUSEHOLDS
            chunk = 0
            while people < individuals:
                chunk += 1
                n = min(2000, max(1, round((individuals - people) / per_household)))
                people += bulk_households(ctx.db, ctx.station_code, n, seed=seed * 1000 + chunk)
            with ctx.db.uow() as uow:  # the bulk loader writes no person keys: rebuilt as after the upgrade
                uow.session.execute(delete(MetaRow).where(MetaRow.key == matching.VERSION_KEY))
            matching.ensure_current(ctx.db)
            with ctx.db.reader() as uow:
                households = uow.session.scalar(select(func.count()).select_from(HouseholdRow)) or 0
                day = func.date(HouseholdRow.arrived_at)
                busy = uow.session.execute(select(day, func.count()).group_by(day)
                                           .order_by(func.count().desc()).limit(1)).one()
            print(f"\n[perf] desk station of {people} individuals ({households} households) built in "
                  f"{time.perf_counter() - t:.0f} s")
        finally:
            ctx.close()
    (work / "bench.json").write_text(json.dumps({"individuals": people, "households": households,
                                                 "busy_day": str(busy[0])}))
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    for stale in CACHE.glob(f"{individuals}-*"):  # built by an older loader or schema: never used again
        if stale != target and ".building-" not in stale.name:
            shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def _station_home(home: Path) -> Iterator[None]:
    old = os.environ.get("STATION_HOME")
    os.environ["STATION_HOME"] = str(home)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("STATION_HOME", None)
        else:
            os.environ["STATION_HOME"] = old


def open_copy(station: BenchStation, dest: Path) -> Any:
    """Copy the cached station to `dest` and sign in there (the caller sets STATION_HOME to `dest`)."""
    from station.services.station import sign_in
    from tests.conftest import PASSPHRASE

    shutil.copytree(station.home, dest)
    return sign_in(USERNAME, PASSPHRASE, dest)


# timing -------------------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


@dataclass
class Step:
    """Figures of one interactive step, in milliseconds."""

    name: str
    parts_are_services: bool = True  # then "window" = total minus the services, per sample
    total: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # the process's CPU time: what other jobs do not inflate
    parts: dict[str, list[float]] = field(default_factory=dict)

    def add(self, total: float, cpu: float, **parts: float) -> None:
        self.total.append(total)
        self.cpu.append(cpu)
        for k, v in parts.items():
            self.parts.setdefault(k, []).append(v)

    def window(self) -> list[float]:
        """Per sample, the time outside the services: what the window itself spent (and waited)."""
        return [t - sum(v[i] for v in self.parts.values()) for i, t in enumerate(self.total)]

    def line(self) -> str:
        parts = dict(self.parts)
        if self.parts_are_services and parts:
            parts["window"] = self.window()
        extra = "; ".join(f"{k} p50 {statistics.median(v):.1f} / p95 {p95(v):.1f}" for k, v in parts.items())
        return (f"{self.name}: n={len(self.total)} p50 {statistics.median(self.total):.1f} ms, "
                f"p95 {p95(self.total):.1f} ms, CPU p95 {p95(self.cpu):.1f} ms" + (f" ({extra})" if extra else ""))


class Clock:
    """Service calls timed where the window calls them: wrap(module, name) records each call's duration."""

    def __init__(self) -> None:
        self.calls: dict[str, list[tuple[float, float]]] = {}

    def wrap(self, monkeypatch: Any, target: Any, name: str, label: str | None = None) -> None:
        original: Callable[..., Any] = getattr(target, name)
        calls = self.calls.setdefault(label or name, [])

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                calls.append((t, time.perf_counter()))

        monkeypatch.setattr(target, name, timed)

    def spent(self, label: str, since: float) -> float:
        """Milliseconds spent in `label` calls that started at or after `since`."""
        return sum(e - s for s, e in self.calls.get(label, []) if s >= since) * 1000

    def ended_since(self, label: str, since: float) -> float | None:
        """When the last `label` call that started at or after `since` ended; None if there is none yet."""
        calls = self.calls.get(label)
        return calls[-1][1] if calls and calls[-1][0] >= since else None

    def started_since(self, label: str, since: float) -> float | None:
        calls = self.calls.get(label)
        return calls[-1][0] if calls and calls[-1][0] >= since else None


class PaintProbe:
    """Start times of the paint events a widget receives (an event filter; the paint runs after it)."""

    def __init__(self, *widgets: Any) -> None:
        from PySide6.QtCore import QEvent, QObject

        probe = self

        class _Filter(QObject):
            def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint:
                    probe.paints.append(time.perf_counter())
                return False

        self.paints: list[float] = []
        self._filter = _Filter()
        for w in widgets:
            w.installEventFilter(self._filter)

    def painted_after(self, instant: float) -> bool:
        return any(p >= instant for p in self.paints)


def until_painted(probe: PaintProbe, done: Callable[[], float | None], timeout_s: float = 20.0) -> float:
    """Process events until `done()` gives the instant the work ended and a paint began after it; returns the
    perf_counter instant at which that paint had finished (control back in the event loop)."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert app is not None
    tick = QTimer()  # bounds each wait, so a step that paints nothing fails instead of hanging
    tick.start(20)
    deadline = time.perf_counter() + timeout_s
    try:
        while True:
            ended = done()
            if ended is not None and probe.painted_after(ended):
                return time.perf_counter()
            if time.perf_counter() > deadline:
                raise AssertionError("the window did not paint the step's result")
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        tick.stop()
