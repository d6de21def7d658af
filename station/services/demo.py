"""Synthetic households so a newcomer can try every screen (`station demo --households N`).

Synthetic data never travels as real data: it is added only on a station set up as a demo station
(`station init --demo`), or by an administrator who confirms that this station then becomes a
training station. Either way the station is marked (station_meta `station.demo`), every pack it writes
says `"synthetic": true` in its header, and the office refuses such packs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta

from station import clock
from station.db.rows import MetaRow
from station.db.uow import Database, UnitOfWork
from station.domain.codes import DocumentType, MaritalStatus, Relationship, Sex, SpecificNeed
from station.domain.model import Document, HouseholdDraft, MemberDraft, NameParts, Need, Origin
from station.domain.roles import Actor, Role
from station.errors import PermissionDenied
from station.services import audit
from station.services import demo_names as N
from station.services.registration import register_household

Pair = tuple[str, str]
DEMO_META = "station.demo"  # "1": set up as a demo station; "converted": an administrator added demo data


def is_synthetic_station(uow: UnitOfWork) -> bool:
    """True when this station holds synthetic data (its packs are marked and refused by the office)."""
    row = uow.session.get(MetaRow, DEMO_META)
    return row is not None and bool(row.value)


def allow_demo(db: Database, actor: Actor, *, confirmed: bool = True) -> None:
    """Refuse synthetic data on a production station: clerks and supervisors never, administrators only
    `confirmed` (the command line asks for --confirm-training-station); that marks the station."""
    with db.uow() as uow:
        if is_synthetic_station(uow):
            return
        if actor.role is not Role.ADMINISTRATOR:
            raise PermissionDenied("fault.demo_production")
        if not confirmed:
            raise PermissionDenied("fault.demo_needs_confirmation")
        uow.session.add(MetaRow(key=DEMO_META, value="converted"))
        audit.record(uow, actor, "station.demo_converted", "station", actor.station)


def _names(kurdish: bool) -> tuple[list[Pair], list[Pair], list[Pair]]:
    if kurdish:
        return N.MALE_KU + N.MALE_AR[:5], N.FEMALE_KU, N.FAMILY_KU
    return N.MALE_AR, N.FEMALE_AR, N.FAMILY_AR


def _person(
    rng: random.Random, given: Pair, father: Pair, grandfather: Pair, family: Pair, sex: Sex,
    rel: Relationship, age: int, today: date, nationality: str,
) -> MemberDraft:
    exact = rng.random() < 0.55
    birth = today - timedelta(days=age * 365 + rng.randint(0, 364)) if exact else None
    docs: tuple[Document, ...] = ()
    if age >= 16 and rng.random() < 0.6:
        dtype = rng.choice([DocumentType.UNIFIED_ID, DocumentType.CIVIL_STATUS_ID, DocumentType.PASSPORT])
        number = f"{rng.randint(10**11, 10**12 - 1)}" if dtype is not DocumentType.PASSPORT else \
            f"A{rng.randint(10**7, 10**8 - 1)}"
        expiry = today + timedelta(days=rng.randint(-900, 3000)) if rng.random() < 0.8 else None
        docs = (Document(dtype, number, nationality, expiry),)
    return MemberDraft(
        name_ar=NameParts(given[0], father[0], grandfather[0], family[0]),
        name_lat=NameParts(given[1], father[1], grandfather[1], family[1]),
        sex=sex, relationship=rel, birth_date=birth, age_years=None if exact else age,
        nationality=nationality,
        marital_status=MaritalStatus.MARRIED if rel in (Relationship.HEAD, Relationship.SPOUSE) and age > 18
        else MaritalStatus.SINGLE if age < 18 else MaritalStatus.UNKNOWN,
        documents=docs,
    )


def make_household(rng: random.Random, today: date, arrived_at: datetime) -> HouseholdDraft:
    kurdish = rng.random() < 0.3
    males, females, families = _names(kurdish)
    family = rng.choice(families)
    gov, districts, towns = rng.choice(N.ORIGINS)
    nationality = "SYR" if gov in ("Deir ez-Zor", "Aleppo", "Raqqa") else "IRQ"
    female_headed = rng.random() < 0.35
    head_age = rng.randint(19, 70)
    father, grandfather = rng.choice(males), rng.choice(males)
    members: list[MemberDraft] = []
    head_sex = Sex.FEMALE if female_headed else Sex.MALE
    head_given = rng.choice(females if female_headed else males)
    head = _person(rng, head_given, father, grandfather, family, head_sex, Relationship.HEAD, head_age,
                   today, nationality)
    needs: list[Need] = []
    if female_headed and rng.random() < 0.3:
        needs.append(Need(SpecificNeed.WOMAN_AT_RISK))
    if head_age > 60 and rng.random() < 0.5:
        needs.append(Need(SpecificNeed.OLDER_AT_RISK))
    if rng.random() < 0.08:
        needs.append(Need(SpecificNeed.INJURED, "shrapnel wound, left leg"))
    members.append(_replace_needs(head, needs))
    if not female_headed and rng.random() < 0.8:
        wife_age = max(17, head_age - rng.randint(0, 10))
        wife = _person(rng, rng.choice(females), rng.choice(males), rng.choice(males), rng.choice(families),
                       Sex.FEMALE, Relationship.SPOUSE, wife_age, today, nationality)
        wneeds = []
        if wife_age < 42 and rng.random() < 0.15:
            wneeds.append(Need(rng.choice([SpecificNeed.PREGNANT, SpecificNeed.NEW_MOTHER])))
        members.append(_replace_needs(wife, wneeds))
    for _ in range(rng.choice([0, 1, 2, 3, 3, 4, 5, 6])):
        child_age = rng.randint(0, max(0, min(17, head_age - 17)))
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        given = rng.choice(males if sex is Sex.MALE else females)
        parent = head_given if not female_headed else rng.choice(males)
        rel = Relationship.SON if sex is Sex.MALE else Relationship.DAUGHTER
        members.append(_person(rng, given, parent, father, family, sex, rel, child_age, today, nationality))
    if rng.random() < 0.1:
        grand = _person(rng, rng.choice(females), rng.choice(males), rng.choice(males), family, Sex.FEMALE,
                        Relationship.MOTHER, rng.randint(65, 90), today, nationality)
        members.append(_replace_needs(grand, [Need(SpecificNeed.OLDER_AT_RISK)]))
    return HouseholdDraft(
        members=tuple(members),
        origin=Origin(gov, rng.choice(districts), rng.choice(towns)),
        arrival_point=rng.choice(N.ARRIVAL_POINTS),
        arrived_at=arrived_at,
    )


def _replace_needs(m: MemberDraft, needs: list[Need]) -> MemberDraft:
    from dataclasses import replace

    return replace(m, needs=tuple(needs))


def arrival_times(rng: random.Random, n: int, days: int, now: datetime) -> Iterator[datetime]:
    """Arrivals spread over the last `days` days, mostly in the afternoon and at dusk."""
    for _ in range(n):
        day = now.date() - timedelta(days=rng.randrange(days))
        hour = min(23, max(6, int(rng.gauss(16, 3))))
        t = datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=now.tzinfo)  # local, as `now`
        yield min(t, now)


def fill(
    db: Database, actor: Actor, households: int, *, seed: int = 1, days: int = 7, batch: int = 200,
    progress: Callable[[int, int], None] | None = None, confirmed: bool = True,
) -> int:
    """Register `households` synthetic households through the normal service; returns individuals added.

    Only on a station marked for synthetic data, or by an administrator, which marks it (`allow_demo`)."""
    allow_demo(db, actor, confirmed=confirmed)
    rng = random.Random(seed)
    now = clock.minute(clock.to_local(clock.utcnow()))
    times = sorted(arrival_times(rng, households, days, now))
    people = 0
    for start in range(0, households, batch):
        with db.uow() as uow:
            for at in times[start : start + batch]:
                view = register_household(uow, actor, make_household(rng, now.date(), at))
                people += view.size
        if progress:
            progress(min(start + batch, households), households)
    return people
