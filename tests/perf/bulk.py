"""Fast loader for benchmark databases: realistic demo households written with bulk inserts.

The clerk's path (station.services.registration) is measured separately; this only builds big registers.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime

from sqlalchemy import insert

from station.db.rows import HouseholdRow, IndividualRow, NameTokenRow, SequenceRow
from station.db.uow import Database
from station.domain.name_index import household_tokens
from station.domain.regno import RegNo
from station.domain.text import search_tokens
from station.services.demo import arrival_times, make_household
from station.services.registration import estimated_birth_date


def bulk_households(db: Database, station: str, households: int, seed: int = 11, days: int = 60) -> int:
    rng = random.Random(seed)
    site, _, number = station.partition("-")
    now = datetime.now().replace(second=0, microsecond=0)
    times = sorted(arrival_times(rng, households, days, now))
    people = 0
    with db.uow() as uow:
        counter = uow.session.get(SequenceRow, f"household:{station}")
        start = counter.next_value if counter else 1
    for chunk in range(0, households, 2000):
        hh_rows, ind_rows, tok_rows = [], [], []
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
                "version": 1, "created_at": now, "created_by": "bench", "updated_at": now, "updated_by": "bench",
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
                    "marital_status": m.marital_status.value, "field_sources": {}, "created_at": now,
                    "updated_at": now,
                })
                people_names.append((*m.name_ar.parts(), *m.name_lat.parts()))
            # exactly the tokens registration writes (station.domain.name_index), so a rebuild finds the same
            tokens = household_tokens(people_names, (), hh_rows[-1]["origin_key"])
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
