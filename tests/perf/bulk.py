"""Fast loader for benchmark databases: realistic demo households written with bulk inserts.

The clerk's path (station.services.registration) is measured separately; this only builds big registers.
`cached_station` keeps a whole station (its home folder) under build/perf-stations, keyed by what made it,
so a benchmark at 200,000 people builds it once and later runs copy it.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from station import clock
from station.db.rows import HouseholdRow, IndividualRow, NameTokenRow, SequenceRow
from station.db.uow import Database
from station.domain.name_index import household_tokens
from station.domain.regno import RegNo
from station.domain.text import search_tokens
from station.services.demo import arrival_times, make_household
from station.services.registration import estimated_birth_date

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "perf-stations"
FIXED_NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # cached stations do not depend on today's date
# what shapes a cached station's contents: a change to any of these builds it again
_SHAPING = ("station/domain/name_index.py", "station/domain/soundalike.py", "station/domain/text.py",
            "station/services/demo.py", "station/services/demo_names.py", "station/db/rows.py", "tests/perf/bulk.py")


def bulk_households(db: Database, station: str, households: int, seed: int = 11, days: int = 60,
                    now: datetime | None = None) -> int:
    """Write `households` demo households (arrivals over `days` days before `now`); returns the people."""
    rng = random.Random(seed)
    site, _, number = station.partition("-")
    now = clock.minute(now or clock.utcnow()).astimezone(clock.station_zone())
    times = sorted(clock.to_db(t) for t in arrival_times(rng, households, days, now))
    stamp = clock.to_db(now)
    people = 0
    with db.uow() as uow:
        counter = uow.session.get(SequenceRow, f"household:{station}")
        start = counter.next_value if counter else 1
    for chunk in range(0, households, 2000):
        hh_rows: list[dict[str, object]] = []
        ind_rows: list[dict[str, object]] = []
        tok_rows: list[dict[str, str]] = []
        for i, at in enumerate(times[chunk : chunk + 2000], start=start + chunk):
            d = make_household(rng, now.date(), at)
            hid = str(uuid.uuid4())
            head = d.members[0]
            regno = RegNo(site, int(number), i)
            hh_rows.append({
                "id": hid, "registration_number": str(regno), "site_code": site, "station_number": int(number),
                "sequence": i, "arrived_at": at, "origin_governorate": d.origin.governorate,
                "origin_district": d.origin.district, "origin_place": d.origin.place,
                "origin_key": " ".join(sorted(search_tokens(*[d.origin.governorate, d.origin.district,
                                                             d.origin.place]))),
                "arrival_point": d.arrival_point, "notes": "", "status": "active", "size": len(d.members),
                "head_name_ar": head.name_ar.full(), "head_name_lat": head.name_lat.full(), "card_issue": 0,
                "version": 1, "created_at": stamp, "created_by": "bench", "updated_at": stamp, "updated_by": "bench",
            })
            people_names: list[tuple[str, ...]] = []
            for pos, m in enumerate(d.members, start=1):
                birth = m.birth_date or estimated_birth_date(m.age_years or 0, at.date())
                ind_rows.append({
                    "id": str(uuid.uuid4()), "household_id": hid, "position": pos,
                    "given_ar": m.name_ar.given, "father_ar": m.name_ar.father,
                    "grandfather_ar": m.name_ar.grandfather, "family_ar": m.name_ar.family,
                    "given_lat": m.name_lat.given, "father_lat": m.name_lat.father,
                    "grandfather_lat": m.name_lat.grandfather, "family_lat": m.name_lat.family,
                    "sex": m.sex.value, "relationship_to_head": m.relationship.value, "birth_date": birth,
                    "birth_date_estimated": m.birth_date is None, "nationality": m.nationality,
                    "marital_status": m.marital_status.value, "field_sources": {}, "created_at": stamp,
                    "updated_at": stamp,
                })
                people_names.append((*m.name_ar.parts(), *m.name_lat.parts()))
            # exactly the tokens registration writes (station.domain.name_index), so a rebuild finds the same
            tokens = household_tokens(people_names, (), str(hh_rows[-1]["origin_key"]))
            tok_rows.extend({"token": t, "household_id": hid} for t in tokens)
            people += len(d.members)
        with db.uow() as uow:
            uow.session.execute(insert(HouseholdRow), hh_rows)
            uow.session.execute(insert(IndividualRow), ind_rows)
            uow.session.execute(insert(NameTokenRow), tok_rows)
    with db.uow() as uow:
        counter = uow.session.get(SequenceRow, f"household:{station}")
        assert counter is not None
        counter.next_value = start + households
    return people


def cache_path(name: str, *params: object, sources: tuple[str, ...] = ()) -> Path:
    """Where a benchmark keeps what it built: build/perf-stations/<name>-<params>-<hash>, the hash over the
    files that shape it (`sources` and _SHAPING, relative to the project), the index version and the
    migrations on file."""
    from station.services.search_index import INDEX_VERSION

    h = hashlib.sha256(f"{params}:{INDEX_VERSION}:{FIXED_NOW.isoformat()}".encode())
    for rel in (*_SHAPING, *sources):
        h.update((ROOT / rel).read_bytes())
    for mig in sorted((ROOT / "station/db/migrations/versions").glob("*.py")):
        h.update(mig.name.encode())
    return CACHE / "-".join([name, *map(str, params), h.hexdigest()[:12]])


def forget_older(path: Path) -> None:
    """Remove what earlier code built for the same name and parameters (another hash): disk is not free."""
    stem = path.name.rpartition("-")[0]
    for old in path.parent.glob(f"{stem}-*"):
        if old != path and len(old.name) == len(path.name):
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)


def cached_station(dest: Path, individuals: int, seed: int = 11) -> Path:
    """A station home at `dest` (admin / tests.conftest.PASSPHRASE, cheap key derivation) holding at least
    `individuals` people in demo households over 60 days, copied from build/perf-stations (built there
    the first time, in 2,000-household steps). Returns `dest`."""
    from station.security.kdf import KdfParams
    from station.services.station import initialize
    from tests.conftest import FAST_KDF, PASSPHRASE

    cached = cache_path("station", individuals, seed)
    if not cached.exists():
        forget_older(cached)
        CACHE.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=CACHE, prefix=".building-"))
        ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                            home=work, kdf=KdfParams.fresh(**FAST_KDF))
        try:
            people, step = 0, 0
            while people < individuals:
                step += 1
                people += bulk_households(ctx.db, ctx.station_code, 2000, seed=seed * 1000 + step, now=FIXED_NOW)
        finally:
            ctx.close()
        try:
            os.replace(work, cached)  # whole or not at all: a run killed while building leaves no cache
        except OSError:  # another run finished first
            shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(cached, dest, dirs_exist_ok=True)
    return dest
