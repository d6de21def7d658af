"""Find registered people who may be a given person: blocking keys kept with the register, then scoring.

Each member's blocking keys (station.domain.tracing.blocking_keys) are written whenever its household is
indexed: registered or corrected (station.services.registration.index_tokens -> tracing.household_indexed)
or merged from a pack (station.export.merge's hook -> tracing.households_merged); `ensure_current` builds
them all once after the upgrade that added them, or when the keys change. A check reads the people
sharing most keys with the person (an index range per key, at most CANDIDATES people), the same document
numbers, and scores them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from station.db.rows import DocumentRow, HouseholdRow, IndividualRow, MetaRow, PersonKeyRow
from station.db.uow import Database, UnitOfWork
from station.domain.codes import HouseholdStatus
from station.domain.model import MemberDraft, Origin
from station.domain.text import clean_name
from station.domain.tracing import KEYS_VERSION, Match, Person, Reason, blocking_keys, compare

VERSION_KEY = "person_keys_version"
CANDIDATES = 100  # people scored per check, those sharing most keys first (recall unchanged from 150)
SHARED_FRACTION = 2
NAMESAKE_NAMES, NAMESAKE_POINTS, NAMESAKE_MAX = 90, 8, 20
BATCH = 2000
_NAME_COLS = (IndividualRow.given_ar, IndividualRow.father_ar, IndividualRow.grandfather_ar, IndividualRow.family_ar,
              IndividualRow.given_lat, IndividualRow.father_lat, IndividualRow.grandfather_lat,
              IndividualRow.family_lat)


@dataclass(frozen=True)
class Candidate:
    """A registered person who may be the one looked for, with the household to show beside it."""

    individual_id: str
    household_id: str
    registration_number: str
    household_status: str
    name_ar: str
    name_lat: str
    sex: str
    birth_date: date | None
    birth_estimated: bool
    origin: str
    score: int
    reasons: tuple[tuple[str, int], ...]  # (reason code, value): catalogue keys `tracing.reason.<code>`


def origin_text(governorate: str, district: str, place: str) -> str:
    return " ".join(p for p in (place, district, governorate) if p)


def person_from_draft(m: MemberDraft, origin: Origin, birth_date: date | None, estimated: bool) -> Person:
    return Person(
        name_ar=tuple(clean_name(p) for p in m.name_ar.parts()),  # type: ignore[arg-type]
        name_lat=tuple(clean_name(p) for p in m.name_lat.parts()),  # type: ignore[arg-type]
        sex=m.sex.value, birth_date=birth_date, birth_estimated=estimated,
        origin=origin_text(origin.governorate, origin.district, origin.place),
        documents=tuple((d.doc_type.value, clean_name(d.number).upper()) for d in m.documents if d.number.strip()),
    )


def _person(names: Iterable[str | None], sex: str, birth: date | None, estimated: bool, origin: str,
            documents: tuple[tuple[str, str], ...] = ()) -> Person:
    n = [x or "" for x in names]
    return Person(tuple(n[:4]), tuple(n[4:8]), sex, birth, bool(estimated), origin, documents)  # type: ignore[arg-type]


def person_of_row(ind: IndividualRow, origin: str) -> Person:
    return _person((getattr(ind, c.key) for c in _NAME_COLS), ind.sex, ind.birth_date, ind.birth_date_estimated,
                   origin, tuple((d.doc_type, d.number) for d in ind.documents))


# ---- keys ----

def index_household(uow: UnitOfWork, row: HouseholdRow) -> None:
    """Rewrite the blocking keys of a household's members (in the caller's transaction)."""
    index_households(uow, [row])


def index_households(uow: UnitOfWork, rows: list[HouseholdRow]) -> None:
    """The same for a batch (a pack's households): one DELETE and one INSERT."""
    s = uow.session
    ids = [m.id for row in rows for m in row.members]
    if not ids:
        return
    for start in range(0, len(ids), 500):
        s.execute(delete(PersonKeyRow).where(PersonKeyRow.individual_id.in_(ids[start:start + 500])))
    keys = [{"key": k, "individual_id": m.id}
            for row in rows
            for m in row.members
            for k in sorted(blocking_keys(person_of_row(m, origin_text(row.origin_governorate, row.origin_district,
                                                                       row.origin_place))))]
    if keys:
        s.execute(insert(PersonKeyRow), keys)


def keys_version() -> str:
    """The keys' own version and the name index's: a new sound-alike key (soundalike.py, which bumps the
    index version) changes the keys too."""
    from station.services import search_index  # it imports registration, which calls back into this module

    return f"{KEYS_VERSION}.{search_index.INDEX_VERSION}"


def is_current(db: Database) -> bool:
    with db.reader() as uow:
        mark = uow.session.get(MetaRow, VERSION_KEY)
        return mark is not None and mark.value == keys_version()


def ensure_current(db: Database, progress: Callable[[int, int], None] | None = None) -> int:
    """Build every person's keys once (after the upgrade that added them, or when the keys change);
    returns how many people were keyed. One transaction: a crash leaves the old keys and mark."""
    if is_current(db):
        return 0
    with db.uow() as uow:
        s = uow.session
        s.execute(delete(PersonKeyRow))
        rows = s.execute(select(IndividualRow.id, *_NAME_COLS, IndividualRow.sex).order_by(IndividualRow.id)).all()
        for start in range(0, len(rows), BATCH):
            out = [{"key": k, "individual_id": r[0]}
                   for r in rows[start:start + BATCH]
                   for k in sorted(blocking_keys(_person(r[1:9], r[9], None, False, "")))]
            if out:
                s.execute(insert(PersonKeyRow), out)
            if progress is not None:
                progress(min(start + BATCH, len(rows)), len(rows))
        mark = s.get(MetaRow, VERSION_KEY)
        if mark is None:
            s.add(MetaRow(key=VERSION_KEY, value=keys_version()))
        else:
            mark.value = keys_version()
        return len(rows)


# ---- checks ----

def candidate_ids(s: Session, keys: Iterable[str], limit: int = CANDIDATES) -> list[str]:
    keys = sorted(set(keys))
    if not keys:
        return []
    shared = func.count().label("shared")
    q = (select(PersonKeyRow.individual_id, shared).where(PersonKeyRow.key.in_(keys))
         .group_by(PersonKeyRow.individual_id).order_by(shared.desc(), PersonKeyRow.individual_id).limit(limit))
    ranked = s.execute(q).all()
    if not ranked:
        return []
    # People sharing under half the keys of the best-placed one are other people with a common name pair:
    # measured, leaving them out keeps the recall and scores a third as many (tests/perf/test_matching_*).
    floor = ranked[0][1] / SHARED_FRACTION
    return [iid for iid, shared in ranked if shared >= floor]


def document_matches(s: Session, documents: Iterable[tuple[str, str]]) -> list[str]:
    docs = {(t, n) for t, n in documents if n}
    if not docs:
        return []
    q = select(DocumentRow.individual_id, DocumentRow.doc_type, DocumentRow.number).where(
        DocumentRow.number.in_(sorted({n for _, n in docs})))
    return sorted({iid for iid, t, n in s.execute(q) if (t, n) in docs})


_LOAD_COLS = (IndividualRow.id, IndividualRow.household_id, *_NAME_COLS, IndividualRow.sex, IndividualRow.birth_date,
              IndividualRow.birth_date_estimated, HouseholdRow.registration_number, HouseholdRow.status,
              HouseholdRow.origin_governorate, HouseholdRow.origin_district, HouseholdRow.origin_place)


@dataclass(frozen=True)
class Loaded:
    """One registered person as the check reads it: plain columns, no ORM object (a check reads 100+)."""

    person: Person
    individual_id: str
    household_id: str
    registration_number: str
    household_status: str


def load_people(s: Session, ids: list[str]) -> dict[str, Loaded]:
    out: dict[str, Loaded] = {}
    if not ids:
        return out
    docs: dict[str, list[tuple[str, str]]] = {}
    for iid, t, n in s.execute(select(DocumentRow.individual_id, DocumentRow.doc_type, DocumentRow.number)
                               .where(DocumentRow.individual_id.in_(ids))):
        docs.setdefault(iid, []).append((t, n))
    for r in s.execute(select(*_LOAD_COLS).join_from(IndividualRow, HouseholdRow).where(IndividualRow.id.in_(ids))):
        iid, hid, names, (sex, birth, estimated, regno, status, gov, district, place) = r[0], r[1], r[2:10], r[10:]
        person = Person(tuple(names[:4]), tuple(names[4:]), sex, birth, bool(estimated),  # type: ignore[arg-type]
                        origin_text(gov, district, place), tuple(docs.get(iid, ())))
        out[iid] = Loaded(person, iid, hid, regno, status)
    return out


def candidate_of(x: Loaded, score: int, reasons: Iterable[tuple[str, int]]) -> Candidate:
    p = x.person
    return Candidate(x.individual_id, x.household_id, x.registration_number, x.household_status,
                     " ".join(n for n in p.name_ar if n), " ".join(n for n in p.name_lat if n), p.sex, p.birth_date,
                     p.birth_estimated, p.origin, score, tuple(reasons))


def find_people(s: Session, person: Person, on: date, min_score: int, *, exclude: Iterable[str] = (),
                exclude_households: Iterable[str] = (), limit: int = 5,
                cache: dict[str, Loaded] | None = None) -> list[Candidate]:
    """The registered people most like `person`, best first, scoring at least `min_score` (same document
    number first whatever the names say). Merged households are left out: their people live on elsewhere.
    `cache` keeps people read for one member for the next one (a family shares most candidates)."""
    skip, skip_hh = set(exclude), set(exclude_households)
    ids = document_matches(s, person.documents)
    ids += [i for i in candidate_ids(s, blocking_keys(person)) if i not in ids]
    wanted = [i for i in ids if i not in skip]
    if cache is None:
        people = load_people(s, wanted)
    else:
        cache.update(load_people(s, [i for i in wanted if i not in cache]))
        people = {i: cache[i] for i in wanted if i in cache}
    scored = [(compare(person, x.person, on), x) for x in people.values()
              if x.household_id not in skip_hh and x.household_status != HouseholdStatus.MERGED.value]
    # Namesakes: when several people here carry (nearly) the same full name, the name says less about
    # which of them is meant; each loses points, so a common name alone does not reach an alert.
    namesakes = sum(1 for m, _ in scored if _names(m) >= NAMESAKE_NAMES and not _same_document(m))
    found = []
    for m, x in scored:
        if namesakes > 1 and _names(m) >= NAMESAKE_NAMES and not _same_document(m):
            m = Match(max(0, m.score - min(NAMESAKE_MAX, round(NAMESAKE_POINTS * math.log2(namesakes)))),
                      (*m.reasons, Reason("namesakes", namesakes)))
        if m.score >= min_score:
            found.append(candidate_of(x, m.score, ((r.code, r.value) for r in m.reasons)))
    found.sort(key=lambda c: (-c.score, c.registration_number, c.individual_id))
    return found[:limit]


def _names(m: Match) -> int:
    return next((r.value for r in m.reasons if r.code == "names"), 0)


def _same_document(m: Match) -> bool:
    return any(r.code == "same_document" for r in m.reasons)
