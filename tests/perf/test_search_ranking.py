"""Is the wanted household on the first page? Search over realistic registers, beside FTS5 trigram.

A register of Zipf-distributed names (tests/perf/name_variants.py: other spellings, the other script,
compounds joined or split, parts swapped or missing, typing mistakes) is written to a real SQLCipher file; for
each query kind the share of queries whose household is on the first page (the desk's, search.DEFAULT_LIMIT
rows, and the top 20) is printed for the station's search and for an FTS5 trigram table over the same names,
with the search's median and 95th percentile times (wall clock, and the process's CPU time, which is asserted:
it is what the search costs on a quiet machine, where a shared test machine's wall clock is not). The rule is
asserted: with two or more name words, the household is on the first page whenever no more than 20 households
have a person so named.

The same is measured on a station of demo households (tests/perf/bulk.py: station.services.demo's names,
Arabic and Latin for everybody), with the query kinds of issue 18: one Arabic name part, one Latin part, two
words, the full name, and two words one of them misspelt.

Registers are built once and kept under build/perf-stations (tests/perf/bulk.py: cache_path), keyed by
their size and the code that shapes them; later runs copy them.

Full (STATION_PERF_SHORT=0): 10,000, 100,000 and 200,000 individuals, 40 queries per kind.
Short: 3,000 individuals, 12 queries per kind.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from station.db.engine import sqlcipher_engine
from station.db.migrate import upgrade
from station.db.rows import HouseholdRow, IndividualRow, NameTokenRow
from station.db.uow import Database
from station.domain import soundalike
from station.domain.name_index import household_tokens
from station.domain.roles import Actor, Role
from station.services.search import DEFAULT_LIMIT, search_page
from station.services.station import sign_in
from tests.conftest import PASSPHRASE
from tests.perf.bulk import CACHE, cache_path, cached_station, forget_older
from tests.perf.conftest import short_mode
from tests.perf.name_variants import Register, _typo, queries

pytestmark = pytest.mark.perf
SIZES = (3_000,) if short_mode() else (10_000, 100_000, 200_000)
PER_KIND = 12 if short_mode() else 40
PAGE, TOP = DEFAULT_LIMIT, 20  # the desk's first page
_NAMES = ("given_ar", "father_ar", "grandfather_ar", "family_ar", "given_lat", "father_lat", "grandfather_lat",
          "family_lat")


KEY = bytes(range(32))


def cached_register(dest: Path, individuals: int) -> tuple[Register, Database]:
    """The name-variants register and its database file, built once under build/perf-stations."""
    reg = Register(individuals)
    cached = cache_path("ranking", individuals, sources=("tests/perf/name_variants.py",
                                                          "tests/perf/test_search_ranking.py"))
    if not cached.exists():
        forget_older(cached)
        CACHE.mkdir(parents=True, exist_ok=True)
        work = CACHE / f".building-{os.getpid()}.db"
        build(work, reg).dispose()  # the last connection closed folds the write-ahead log into the file
        os.replace(work, cached)
    shutil.copyfile(cached, dest)
    return reg, Database(sqlcipher_engine(dest, KEY))


def build(path: Path, reg: Register) -> Database:
    """The register written with bulk inserts, its search tokens as registration writes them."""
    engine = sqlcipher_engine(path, KEY)
    upgrade(engine)
    db = Database(engine)
    now = datetime(2026, 11, 30, 18, 0)  # noqa: DTZ001 - naive UTC, as the database stores it
    people: dict[str, list[dict[str, object]]] = defaultdict(list)
    for p in reg.people:
        people[p.household].append(p.row)
    for start in range(0, len(reg.households), 5000):
        hh_rows, ind_rows, tok_rows = [], [], []
        for h in reg.households[start:start + 5000]:
            members = people[str(h["id"])]
            head = members[0]
            hh_rows.append({
                "id": h["id"], "registration_number": f"MKH-02-{h['seq']:06d}-X", "site_code": "MKH",
                "station_number": 2, "sequence": h["seq"], "arrived_at": h["at"], "origin_governorate": "Ninewa",
                "origin_district": "Mosul", "origin_place": "", "origin_key": "mosul ninewa", "arrival_point": "",
                "notes": "", "status": "active", "size": len(members), "card_issue": 0, "version": 1,
                "head_name_ar": " ".join(str(head[k]) for k in _NAMES[:4] if head[k]),
                "head_name_lat": " ".join(str(head[k]) for k in _NAMES[4:] if head[k]),
                "created_at": now, "created_by": "bench", "updated_at": now, "updated_by": "bench"})
            for m in members:
                ind_rows.append({**m, "id": f"{str(h['id'])[:30]}-{m['position']:05d}", "sex": "m",
                                 "relationship_to_head": "head" if m["position"] == 1 else "son",
                                 "birth_date": now.date(), "birth_date_estimated": True, "nationality": "IRQ",
                                 "marital_status": "unknown", "field_sources": {}, "created_at": now,
                                 "updated_at": now})
            tokens = household_tokens(([m[k] for k in _NAMES] for m in members), [], "mosul ninewa")  # type: ignore[misc]
            tok_rows += [{"token": t, "household_id": h["id"]} for t in tokens]
        with db.uow() as uow:
            uow.session.execute(insert(HouseholdRow), hh_rows)
            uow.session.execute(insert(IndividualRow), ind_rows)
            uow.session.execute(insert(NameTokenRow), tok_rows)
    add_fts(db)
    return db


def add_fts(db: Database) -> None:
    """The FTS5 trigram reference over the same names."""
    with db.uow() as uow:
        s = uow.session
        s.execute(text("CREATE VIRTUAL TABLE ref_fts USING fts5(household_id UNINDEXED, names, tokenize='trigram')"))
        s.execute(text("INSERT INTO ref_fts SELECT household_id, group_concat(coalesce(given_ar,'') || ' ' || "
                       "coalesce(father_ar,'') || ' ' || coalesce(grandfather_ar,'') || ' ' || coalesce(family_ar,'') "
                       "|| ' ' || coalesce(given_lat,'') || ' ' || coalesce(father_lat,'') || ' ' || "
                       "coalesce(grandfather_lat,'') || ' ' || coalesce(family_lat,''), ' ') FROM individuals "
                       "GROUP BY household_id"))
        s.execute(text("ANALYZE"))


def _fts(db: Database, query: str) -> list[str]:
    words = [w for w in query.replace("-", " ").replace("'", " ").split() if len(w) >= 3]
    if not words:
        return []
    match = " AND ".join('"' + w.replace('"', "") + '"' for w in words)
    with db.reader() as uow:
        return [r[0] for r in uow.session.execute(
            text("SELECT household_id FROM ref_fts WHERE ref_fts MATCH :m ORDER BY rank LIMIT :n"),
            {"m": match, "n": PAGE})]


Misses = list[tuple[str, str, int]]


Result = tuple[dict[str, list[int]], list[float], list[float], Misses]


Query = tuple[str, str, str, int]  # kind, text, the household wanted, households sharing the words
RULE_KINDS = {"given+family", "given+father", "three words", "other script", "compound", "swapped",
              "grandfather (father missing)", "two words", "full name"}


def measure(db: Database, qs: list[Query]) -> Result:
    """Run the queries: per kind [n, on page, in top 20, FTS5 on page, rule n, rule ok, "more" shown when
    more match than the page]; wall and CPU times (the CPU time is what the search costs on a quiet
    machine: this one may be shared); misses."""
    actor = Actor("bench", Role.CLERK, "MKH-02")
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])
    times: list[float] = []
    misses: Misses = []
    cpu: list[float] = []
    for kind, query, hid, share in qs:
        with db.reader() as uow:
            t, c = time.perf_counter(), time.process_time()
            page = search_page(uow, actor, query, PAGE)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        ids = [h.id for h in page.rows]
        row = stats[kind]
        row[0] += 1
        row[1] += hid in ids
        row[2] += hid in ids[:TOP]
        row[3] += hid in _fts(db, query)
        # a full page says how many more: "no more" only when there are none (exactly a page's worth match)
        row[6] += len(page.rows) < PAGE or page.more > 0 or _no_more(db, actor, query, page.total)
        if kind in RULE_KINDS and len(soundalike.words(query)) >= 2 and share <= 20:
            row[4] += 1
            row[5] += hid in ids
            if hid not in ids:
                misses.append((kind, query, share))
    times.sort()
    cpu.sort()
    return stats, times, cpu, misses


def _no_more(db: Database, actor: Actor, query: str, total: int) -> bool:
    """A full page that says no more: true when a page four times as long finds no more either."""
    with db.reader() as uow:
        return len(search_page(uow, actor, query, PAGE * 4).rows) == total == PAGE


def _p95(values: list[float]) -> float:
    return values[int(len(values) * 0.95) - 1]


def report(individuals: int, households: int, result: Result) -> float:
    stats, times, cpu, misses = result
    print(f"\n[perf] search ranking, {individuals} individuals ({households} households): {len(times)} queries, "
          f"wall median {statistics.median(times):.1f} ms, p95 {_p95(times):.1f} ms, max {times[-1]:.0f} ms; "
          f"CPU median {statistics.median(cpu):.1f} ms, p95 {_p95(cpu):.1f} ms")
    print(f"  {'kind':30} {'n':>4} {'page':>6} {'top20':>6} {'fts5':>6} {'rule (<=20 share)':>18} {'counted':>8}")
    for kind, (n, pg, top, fts, rn, rok, told) in sorted(stats.items()):
        print(f"  {kind:30} {n:4d} {pg / n:6.0%} {top / n:6.0%} {fts / n:6.0%} {f'{rok}/{rn}':>18} {told / n:8.0%}")
    for kind, query, share in misses[:10]:
        print(f"  missed: {kind}: {query!r} ({share} households share it)")
    return _p95(cpu)


@pytest.mark.parametrize("individuals", SIZES)
def test_wanted_household_on_the_first_page(tmp_path: Path, individuals: int) -> None:
    reg, db = cached_register(tmp_path / "bench.db", individuals)
    result = measure(db, queries(reg, PER_KIND))
    db.dispose()
    p95 = report(individuals, len(reg.households), result)
    stats, misses = result[0], result[3]
    rule_n = sum(r[4] for r in stats.values())
    rule_ok = sum(r[5] for r in stats.values())
    assert rule_ok >= rule_n * 0.98, misses[:10]
    assert p95 < (100 if individuals >= 100_000 or short_mode() else 50)  # CPU time: the machine may be busy


# ---- a station of demo households (station.services.demo), the query kinds of issue 18 ----

_COLS = tuple(getattr(IndividualRow, n) for n in _NAMES)


def demo_queries(db: Database, per_kind: int, seed: int = 13) -> list[Query]:
    """Queries made from random people on file: one Arabic part, one Latin part, two words, the full name
    (either script), two Latin words one misspelt. Households sharing the words: those with one person
    whose name keys (station.domain.soundalike, both scripts) include every word's key."""
    with db.reader() as uow:
        people = uow.session.execute(select(IndividualRow.household_id, *_COLS)).all()
    keys = [frozenset(k for part in p[1:] if part for k in soundalike.name_keys(part)) for p in people]
    holders: dict[str, list[int]] = defaultdict(list)
    for i, ks in enumerate(keys):
        for k in ks:
            holders[k].append(i)

    def share(words: list[str]) -> int:
        wanted = {k for w in words for k in soundalike.name_keys(w)}
        if not wanted:
            return 0
        rarest = min(wanted, key=lambda k: len(holders[k]))
        return len({people[i][0] for i in holders[rarest] if wanted <= keys[i]})

    rng = random.Random(seed)
    out: list[Query] = []
    for _ in range(per_kind):
        for kind in ("one Arabic part", "one Latin part", "two words", "full name", "misspelt"):
            p = rng.choice(people)
            ar, lat = [x for x in p[1:5] if x], [x for x in p[5:9] if x]
            script = ar if rng.random() < 0.5 else lat
            if kind == "one Arabic part":
                words = [ar[0]]
            elif kind == "one Latin part":
                words = [lat[0]]
            elif kind == "two words":
                words = [script[0], rng.choice(script[1:])]
            elif kind == "full name":
                words = script
            else:
                words = [_typo(rng, lat[0]), lat[-1]]
                out.append((kind, " ".join(words), p[0], share([lat[0], lat[-1]])))
                continue
            out.append((kind, " ".join(words), p[0], share(words)))
    return out


@pytest.mark.parametrize("individuals", SIZES)
def test_demo_station_first_page(tmp_path: Path, individuals: int) -> None:
    home = cached_station(tmp_path / "home", individuals)
    ctx = sign_in("admin", PASSPHRASE, home)
    add_fts(ctx.db)
    with ctx.db.reader() as uow:
        households = int(uow.session.scalar(select(func.count()).select_from(HouseholdRow)) or 0)
        people = int(uow.session.scalar(select(func.count()).select_from(IndividualRow)) or 0)
    result = measure(ctx.db, demo_queries(ctx.db, PER_KIND))
    ctx.close()
    p95 = report(people, households, result)
    stats, misses = result[0], result[3]
    rule_n = sum(r[4] for r in stats.values())
    rule_ok = sum(r[5] for r in stats.values())
    assert rule_ok >= rule_n * 0.98, misses[:10]
    assert all(r[6] == r[0] for r in stats.values())  # "N more" whenever the page is full
    assert p95 < (100 if individuals >= 100_000 or short_mode() else 50)  # short mode: CI machines are shared
