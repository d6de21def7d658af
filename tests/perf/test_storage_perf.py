"""Storage benchmarks: search over 100,000 individuals, window opening, insert throughput, peak memory.

Full mode (STATION_PERF_SHORT=0): 100,000 individuals, the issue's targets asserted.
Short mode (CI): 20,000 individuals and looser bounds; figures are printed either way.
"""

from __future__ import annotations

import base64
import os
import random
import resource
import statistics
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from station.db.engine import sqlcipher_engine
from station.db.migrate import upgrade
from station.db.rows import HouseholdRow
from station.db.uow import Database
from station.domain.roles import Actor, Role
from station.security.kdf import KdfParams
from station.services.register_rows import household_summary
from station.services.registration import register_household
from station.services.search import search
from station.services.station import initialize, sign_in
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five
from tests.perf.bulk import bulk_households
from tests.perf.conftest import short_mode

INDIVIDUALS = 20_000 if short_mode() else 100_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture(scope="module")
def big_station(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("perfhome")
    old = os.environ.get("STATION_HOME")
    os.environ["STATION_HOME"] = str(home)
    real_kdf = KdfParams(salt_b64=base64.b64encode(os.urandom(16)).decode())  # the shipped Argon2 defaults
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home, kdf=real_kdf)
    t = time.perf_counter()
    people = 0
    while people < INDIVIDUALS:
        people += bulk_households(ctx.db, ctx.station_code, 2000, seed=people + 1)
    ctx.close()
    print(f"\n[perf] built register: {people} individuals in {time.perf_counter() - t:.1f} s")
    if old is not None:
        os.environ["STATION_HOME"] = old
    return home


def test_search_p95(big_station: Path) -> None:
    ctx = sign_in("admin", PASSPHRASE, big_station)
    rng = random.Random(3)
    with ctx.db.reader() as uow:
        ids = uow.session.scalars(select(HouseholdRow.id).order_by(func.random()).limit(150)).all()
        sample = [household_summary(uow, ctx.actor, i) for i in ids]
    queries: list[str] = []
    for s in sample:
        queries += [s.head_name_ar.split()[0], s.head_name_lat.split()[-1][:4], s.registration_number,
                    f"{s.head_name_lat.split()[0]} {s.head_name_lat.split()[-1]}", s.origin.split(",")[0]]
    queries += ["زينب", "محمد", "ئازاد", "hawija", "Al-J", "mosul", "000123", "nobody-here"]
    rng.shuffle(queries)
    times: list[float] = []
    found = 0
    with ctx.db.reader() as uow:
        for q in queries[:400]:
            t = time.perf_counter()
            found += bool(search(uow, ctx.actor, q))
            times.append((time.perf_counter() - t) * 1000)
    ctx.close()
    times.sort()
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
    print(f"\n[perf] search over {INDIVIDUALS} individuals, {len(times)} queries: median {p50:.2f} ms, "
          f"p95 {p95:.2f} ms, max {times[-1]:.1f} ms; peak RSS {_peak_mb():.0f} MB")
    assert found >= len(times) * 0.9  # the queries really hit records
    assert p95 < (50 if not short_mode() else 100)


def _respell(name: str) -> str:
    """Another common transliteration of the same name: vowels swapped, doubled letters single.

    A compound with Abd (Abdullah, Abdulrahman) takes its other common form, Abdel- (Abdellah): the Allah
    or Rahman in it keeps its letters in every common transliteration, and the search joins compounds by
    Abd. Swapping its vowels gave "Abdoleh", which is nobody's spelling."""
    if name.casefold().startswith("abdul"):
        return name[:3] + "el" + name[5:]
    swapped = name.translate(str.maketrans("oueaOUEA", "uoaeUOAE"))
    return "".join(ch for i, ch in enumerate(swapped) if i == 0 or ch != swapped[i - 1])


def test_soundalike_search(big_station: Path) -> None:
    """A head's full name typed in another spelling (Mohammed for Muhammad) finds the household about as
    often as the exact spelling does, within the time budget."""
    ctx = sign_in("admin", PASSPHRASE, big_station)
    with ctx.db.reader() as uow:
        every = uow.session.scalars(select(HouseholdRow.id).order_by(HouseholdRow.sequence)).all()
        ids = random.Random(7).sample(list(every), 200)  # the same sample on every run
        sample = [household_summary(uow, ctx.actor, i) for i in ids]
    times: list[float] = []
    exact_hits = respelt_hits = changed = 0
    with ctx.db.reader() as uow:
        for s in sample:
            exact_hits += s.id in {h.id for h in search(uow, ctx.actor, s.head_name_lat)}
            query = " ".join(_respell(w) for w in s.head_name_lat.split())
            changed += query.casefold() != s.head_name_lat.casefold()
            t = time.perf_counter()
            found = search(uow, ctx.actor, query)
            times.append((time.perf_counter() - t) * 1000)
            respelt_hits += s.id in {h.id for h in found}
    ctx.close()
    times.sort()
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
    print(f"\n[perf] full head names over {INDIVIDUALS} individuals, {len(times)} households: exact spelling "
          f"finds {exact_hits}, another spelling ({changed} differ) finds {respelt_hits}; respelt search "
          f"median {p50:.2f} ms, p95 {p95:.2f} ms")
    assert respelt_hits >= exact_hits * 0.9
    assert p95 < (50 if not short_mode() else 100)


def test_index_rebuild_after_an_upgrade(big_station: Path) -> None:
    """A station upgraded from an older index version rebuilds its tokens once, at sign-in."""
    from sqlalchemy import update

    from station.db.rows import MetaRow, NameTokenRow
    from station.services import search_index

    ctx = sign_in("admin", PASSPHRASE, big_station)
    with ctx.db.reader() as uow:
        before = uow.session.scalar(select(func.count()).select_from(NameTokenRow))
    with ctx.db.uow() as uow:
        uow.session.execute(update(MetaRow).where(MetaRow.key == search_index.VERSION_KEY).values(value="1"))
    t = time.perf_counter()
    rebuilt = search_index.ensure_current(ctx.db)
    took = time.perf_counter() - t
    with ctx.db.reader() as uow:
        after = uow.session.scalar(select(func.count()).select_from(NameTokenRow))
    ctx.close()
    print(f"\n[perf] index rebuild: {rebuilt} households ({INDIVIDUALS} individuals), {after} tokens in "
          f"{took:.1f} s; peak RSS {_peak_mb():.0f} MB")
    assert after == before and rebuilt > 0
    assert took < 60


def test_window_opens_fast(big_station: Path, qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    t0 = time.perf_counter()
    ctx = sign_in("admin", PASSPHRASE, big_station)  # real Argon2 parameters: part of opening
    t1 = time.perf_counter()
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(w.register_settled, timeout=20_000)  # the day's list is read on a worker: open once shown
    QApplication.processEvents()
    t2 = time.perf_counter()
    rows = len(w.register.model.rows)
    ctx.close()
    print(f"\n[perf] open window on {INDIVIDUALS} individuals: sign-in {t1 - t0:.2f} s, window {t2 - t1:.2f} s, "
          f"total {t2 - t0:.2f} s ({rows} households today)")
    assert rows > 0
    assert t2 - t0 < (2.0 if not short_mode() else 4.0)


def _throughput(home: Path, key: bytes, synchronous: str, n: int) -> float:
    path = home / f"bench-{synchronous}.db"
    engine = sqlcipher_engine(path, key, synchronous=synchronous)
    upgrade(engine)
    db = Database(engine)
    actor = Actor("bench", Role.CLERK, "MKH-02")
    draft = family_of_five()
    t = time.perf_counter()
    for _ in range(n):
        with db.uow() as uow:  # one household per transaction, as at the desk
            register_household(uow, actor, draft)
    rate = n / (time.perf_counter() - t)
    db.dispose()
    return rate


def test_insert_throughput_full_vs_normal(tmp_path: Path) -> None:
    n = 150 if short_mode() else 1000
    key = bytes(range(32))
    full = _throughput(tmp_path, key, "FULL", n)
    normal = _throughput(tmp_path, key, "NORMAL", n)
    print(f"\n[perf] households saved per second (5 members each, one commit each): synchronous=FULL {full:.0f}/s, "
          f"NORMAL {normal:.0f}/s, FULL/NORMAL = {full / normal:.2f}; peak RSS {_peak_mb():.0f} MB")
    assert full > 20  # a desk registers a household every minute or two
