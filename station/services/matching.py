"""Find registered people who may be a given person: blocking keys kept with the register, then scoring.

Each member's blocking keys (station.domain.tracing.blocking_keys) are written whenever its household is
indexed: registered or corrected (station.services.registration.index_tokens -> tracing_checks.household_indexed)
or merged from a pack (the import's hook -> tracing_checks.households_indexed); `ensure_current` builds
them all once after the upgrade that added them, or when the keys change. A check reads the people
sharing most of the person's rarest keys (an index range per key, rarest first, within POSTINGS_BUDGET
postings; at most CANDIDATES people), the same document numbers, and scores them: the work is bounded
however large the register grows (tests/perf/test_matching_speed.py, 200,000 people).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from sqlalchemy import Date, Table, and_, bindparam, case, delete, func, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from station.db.engine import CACHE_KIB
from station.db.rows import DocumentRow, HouseholdRow, IndividualRow, MetaRow, PersonKeyRow
from station.db.uow import Database, UnitOfWork
from station.domain.codes import HouseholdStatus
from station.domain.model import MemberDraft, Origin
from station.domain.text import clean_name
from station.domain.tracing import KEYS_VERSION, Match, Person, Reason, blocking_keys, compare
from station.export.merge_rows import FreshRows
from station.export.merge_tokens import Prepared, insert_prepared, prepare_tuples

VERSION_KEY = "person_keys_version"
# People scored per check: those sharing most keys first, then those of about the age and of the same sex.
# At 200,000 people (tests/perf/test_matching_speed.py) the true match is in the top 5 for 99.3% with 50
# (99.7% with 100; without the age and sex tie-break, 95% with 100 and 84% with 50); on the held-out set of
# tests/perf/test_matching_recall.py 98.4% (99.2% with 100; 94.4% with the search before the bound).
CANDIDATES = 50
SHARED_FRACTION = 2  # and the people sharing at least half of the keys read
# Postings (person, key) read per check at most, rarest keys first; the MIN_KEYS rarest are always read.
POSTINGS_BUDGET, MIN_KEYS = 4000, 3
NAMESAKE_NAMES, NAMESAKE_POINTS, NAMESAKE_MAX = 90, 8, 20
BATCH = 2000
_BY_INDIVIDUAL = "ix_person_keys_individual"
REBUILD_CACHE_KIB = 262_144  # page cache while the keys are rebuilt (the connection's usual size after)
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


# ---- keys ----

def _member_keys(m: IndividualRow) -> frozenset[str]:
    """A member's blocking keys, from the names alone: no documents read (a lazy load per member)."""
    return blocking_keys(_person((getattr(m, c.key) for c in _NAME_COLS), m.sex, None, False, ""))


def index_household(uow: UnitOfWork, row: HouseholdRow) -> None:
    """Bring the blocking keys of a household's members up to date (in the caller's transaction): only the
    keys that changed are written (a save that leaves the names alone writes none; see index_tokens)."""
    s = uow.session
    ids = [m.id for m in row.members]
    if not ids:
        return
    want = {(k, m.id) for m in row.members for k in _member_keys(m)}
    held = {(k, i) for k, i in s.execute(select(PersonKeyRow.key, PersonKeyRow.individual_id)
                                         .where(PersonKeyRow.individual_id.in_(ids)))}
    for key, iid in sorted(held - want):
        s.execute(delete(PersonKeyRow).where(PersonKeyRow.key == key, PersonKeyRow.individual_id == iid))
    new = sorted(want - held)
    if new:
        s.execute(insert(PersonKeyRow), [{"key": k, "individual_id": i} for k, i in new])


def index_households(uow: UnitOfWork, rows: list[HouseholdRow]) -> None:
    """Rewrite the keys of a batch of households (a pack's, all new): one DELETE and one INSERT."""
    s = uow.session
    ids = [m.id for row in rows for m in row.members]
    if not ids:
        return
    for start in range(0, len(ids), 500):
        s.execute(delete(PersonKeyRow).where(PersonKeyRow.individual_id.in_(ids[start:start + 500])))
    keys = [{"key": k, "individual_id": m.id} for row in rows for m in row.members for k in sorted(_member_keys(m))]
    if keys:
        s.execute(insert(PersonKeyRow), keys)


@dataclass(frozen=True)
class KeyedBatch:
    """The people of a batch of households and their blocking keys, worked out from the rows before they
    are written: `key_batch`, in the office import's read-ahead thread (issue 18: the importing thread
    only writes them)."""

    people: dict[str, tuple[str, Person]]  # individual id -> (household id, person, no documents)
    pairs: list[tuple[str, str]]  # (key, individual id), in key order
    rows: Prepared  # the pairs made ready for the driver


_KEY_COLS = ("key", "individual_id")
_PERSON_KEYS = cast(Table, PersonKeyRow.__table__)


def key_batch(dialect: Dialect, rows: FreshRows) -> KeyedBatch:
    """`KeyedBatch` of households given as their plain rows (station.export.merge_rows.fresh_rows): the
    people exactly as `index_households_by_id` reads them back once written (merge_rows.PrepareHook)."""
    origins = {h["id"]: origin_text(h["origin_governorate"], h["origin_district"], h["origin_place"])
               for h in rows.households}
    people = {kw["id"]: (kw["household_id"], Person(
        tuple(kw[c.key] for c in _NAME_COLS[:4]), tuple(kw[c.key] for c in _NAME_COLS[4:]),
        kw["sex"], kw["birth_date"], bool(kw["birth_date_estimated"]), origins[kw["household_id"]]))
        for kw in rows.individuals}
    return _keyed(dialect, people)


def _keyed(dialect: Dialect, people: dict[str, tuple[str, Person]]) -> KeyedBatch:
    # in key order: a batch's inserts walk the primary key once instead of landing on random pages
    pairs = sorted((k, iid) for iid, (_, p) in people.items() for k in blocking_keys(p))
    return KeyedBatch(people, pairs, prepare_tuples(dialect, _PERSON_KEYS, _KEY_COLS, pairs))


def index_households_by_id(s: Session, household_ids: list[str], keyed: KeyedBatch | None = None
                           ) -> KeyedBatch:
    """Rewrite the keys of saved households' members (the office import's batch): the people read back as
    plain columns, or those `keyed` holds (`key_batch` of these households' rows, as written). Returns the
    people (individual id -> (household id, person as the tracing check compares it)) and their keys."""
    s.flush()
    conn = s.connection()
    if keyed is None:
        people: dict[str, tuple[str, Person]] = {}
        for start in range(0, len(household_ids), 500):
            for r in conn.execute(_MEMBERS, {"ids": household_ids[start:start + 500]}):
                person = Person(tuple(r[2:6]), tuple(r[6:10]), r[10], r[11], bool(r[12]),
                                origin_text(r[13], r[14], r[15]))
                people[r[0]] = (r[1], person)
        keyed = _keyed(conn.dialect, people)
    ids = sorted(keyed.people)
    for start in range(0, len(ids), 500):  # none for new people (the keys' foreign key): an index probe each
        conn.execute(delete(_PERSON_KEYS).where(_PERSON_KEYS.c.individual_id.in_(ids[start:start + 500])))
    insert_prepared(conn, keyed.rows)  # straight to the driver on SQLite (issue 18: the import's batch)
    return keyed


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
    returns how many people were keyed. One transaction: a crash leaves the old keys and mark.

    The table is dropped and made again and its individual index built after the rows (one sort), the rows
    go in key order (every insert at the end of the primary key) as plain tuples to the driver, and keys are
    computed once per distinct name (tracing caches them): deleting a million keys one by one (each page
    zeroed) and inserting them at random through SQLAlchemy's per-row handling took 29 s at 200,000 people."""
    if is_current(db):
        return 0
    report = progress or (lambda done, total: None)
    with db.uow() as uow:
        s = uow.session
        conn = s.connection()
        sqlite = conn.dialect.name == "sqlite"
        if not sqlite:  # one desk of a site rebuilds; the others wait here, then find it done
            conn.exec_driver_sql("LOCK TABLE person_keys IN ACCESS EXCLUSIVE MODE")
        mark = s.get(MetaRow, VERSION_KEY, populate_existing=True)
        if mark is not None and mark.value == keys_version():
            return 0
        if sqlite:  # this transaction: the index in the page cache, freed pages not zeroed one by one
            conn.exec_driver_sql(f"PRAGMA cache_size=-{REBUILD_CACHE_KIB}")
            conn.exec_driver_sql("PRAGMA secure_delete=FAST")
        try:
            count = _write_keys(s, report)
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")
                conn.exec_driver_sql("PRAGMA secure_delete=ON")
        s.execute(delete(MetaRow).where(MetaRow.key == "person_keys_catchup"))  # search_index_background's
        if mark is None:
            s.add(MetaRow(key=VERSION_KEY, value=keys_version()))
        else:
            mark.value = keys_version()
        return count


def _write_keys(s: Session, report: Callable[[int, int], None]) -> int:
    conn = s.connection()
    table = cast(Table, PersonKeyRow.__table__)
    table.drop(conn)
    table.create(conn)
    conn.exec_driver_sql(f"DROP INDEX {_BY_INDIVIDUAL}")  # made again after the rows: one sort
    rows = conn.execute(select(IndividualRow.id, *_NAME_COLS).order_by(IndividualRow.id)).all()
    people: defaultdict[str, list[str]] = defaultdict(list)  # key -> its people, in id order
    for r in rows:
        for k in blocking_keys(_person(r[1:9], "", None, False, "")):
            people[k].append(r[0])
    # primary-key order by sorting the distinct keys only (a quarter as many as the rows)
    keys = [(k, iid) for k in sorted(people) for iid in people.pop(k)]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    statement = f"INSERT INTO person_keys (key, individual_id) VALUES ({mark}, {mark})"
    total = len(keys) + len(keys) // 4 + 1  # the index after the rows: about a quarter of the time
    for start in range(0, len(keys), BATCH * 25):
        conn.exec_driver_sql(statement, keys[start:start + BATCH * 25])
        report(min(start + BATCH * 25, len(keys)), total)
    conn.exec_driver_sql(f"CREATE INDEX {_BY_INDIVIDUAL} ON person_keys (individual_id)")
    report(total, total)
    return len(rows)


# ---- checks ----
# Statements built once (SQLAlchemy caches their compiled form; building a select costs as much as running
# it here) and run on the session's connection: plain rows, no ORM objects. Callers flush first.

_PK = PersonKeyRow.__table__.c
_IND = IndividualRow.__table__.c
_HH = HouseholdRow.__table__.c
_DOC = DocumentRow.__table__.c
_KEY_COUNTS = (select(_PK.key, func.count().label("n")).where(_PK.key.in_(bindparam("keys", expanding=True)))
               .group_by(_PK.key))
_SHARED = func.count().label("shared")
_GROUPED = (select(_PK.individual_id.label("iid"), _SHARED).where(_PK.key.in_(bindparam("keys", expanding=True)))
            .group_by(_PK.individual_id).having(func.count() * 2 >= bindparam("need")).subquery())
# Ties (at 200,000 people, hundreds share all of a common name's keys) go to those of about the age and of
# the sex sought: read from the individuals' index on (id, sex, birth_date), without their rows.
_NEAR = case((and_(_IND.birth_date >= bindparam("lo", type_=Date), _IND.birth_date <= bindparam("hi", type_=Date)),
              1), else_=0)
_SAME_SEX = case((_IND.sex == bindparam("sex"), 1), else_=0)
_RANKED = (select(_GROUPED.c.iid, _GROUPED.c.shared)
           .join_from(_GROUPED, IndividualRow.__table__, _IND.id == _GROUPED.c.iid)
           .order_by(_GROUPED.c.shared.desc(), _NEAR.desc(), _SAME_SEX.desc(), _GROUPED.c.iid)
           .limit(bindparam("limit")))
_NAMES = tuple(_IND[c.key] for c in _NAME_COLS)
_PEOPLE = (select(_IND.id, _IND.household_id, *_NAMES, _IND.sex, _IND.birth_date, _IND.birth_date_estimated,
                  _HH.registration_number, _HH.status, _HH.origin_governorate, _HH.origin_district, _HH.origin_place)
           .join_from(IndividualRow.__table__, HouseholdRow.__table__, _IND.household_id == _HH.id)
           .where(_IND.id.in_(bindparam("ids", expanding=True))))
_DOCS_OF = select(_DOC.individual_id, _DOC.doc_type, _DOC.number).where(
    _DOC.individual_id.in_(bindparam("ids", expanding=True)))
_DOCS_NUMBERED = select(_DOC.individual_id, _DOC.doc_type, _DOC.number).where(
    _DOC.number.in_(bindparam("numbers", expanding=True)))


_MEMBERS = (select(_IND.id, _IND.household_id, *_NAMES, _IND.sex, _IND.birth_date, _IND.birth_date_estimated,
                   _HH.origin_governorate, _HH.origin_district, _HH.origin_place)
            .join_from(IndividualRow.__table__, HouseholdRow.__table__, _IND.household_id == _HH.id)
            .where(_IND.household_id.in_(bindparam("ids", expanding=True))).order_by(_IND.id))


def key_counts(s: Session, keys: Iterable[str], known: dict[str, int] | None = None) -> dict[str, int]:
    """How many people carry each key (0 for none), read from the index; `known` keeps them for the next
    person of the same household (one query for all its members)."""
    known = {} if known is None else known
    missing = sorted({k for k in keys if k not in known})
    if missing:
        known.update(dict.fromkeys(missing, 0))
        known.update({k: int(n) for k, n in s.connection().execute(_KEY_COUNTS, {"keys": missing})})
    return known


def selective_keys(s: Session, keys: Iterable[str], budget: int | None = None,
                   known: dict[str, int] | None = None) -> list[str]:
    """The person's keys that bound the work: rarest first (how many people carry each, read from the
    index), as many as fit in `budget` postings, and never fewer than MIN_KEYS of those on file. A key
    shared by thousands (Mohammed + Ali) says little that the rarer keys of the same person do not."""
    keys = sorted(set(keys))
    if not keys:
        return []
    budget = POSTINGS_BUDGET if budget is None else budget
    known = key_counts(s, keys, known)
    counts = sorted((known[k], k) for k in keys if known[k])
    chosen: list[str] = []
    total = 0
    for n, k in counts:
        if len(chosen) >= MIN_KEYS and total + n > budget:
            break
        chosen.append(k)
        total += n
    return chosen


def candidate_ids(s: Session, person: Person, on: date, limit: int | None = None,
                  known: dict[str, int] | None = None) -> list[str]:
    """People sharing most of the person's selective keys, at most `limit` (CANDIDATES) of them; among
    those sharing as many, the ones born within the age tolerance and of the same sex first."""
    limit = CANDIDATES if limit is None else limit
    chosen = selective_keys(s, blocking_keys(person), known=known)
    if not chosen:
        return []
    lo = hi = None
    if person.birth_date is not None:
        years = 1.0 + (1.0 + max(0, on.year - person.birth_date.year) / 20 if person.birth_estimated else 0.0)
        lo, hi = person.birth_date - timedelta(days=366 * years), person.birth_date + timedelta(days=366 * years)
    ranked = s.connection().execute(_RANKED, {"keys": chosen, "need": len(chosen), "limit": limit, "lo": lo, "hi": hi,
                                              "sex": person.sex}).all()
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
    rows = s.connection().execute(_DOCS_NUMBERED, {"numbers": sorted({n for _, n in docs})})
    return sorted({iid for iid, t, n in rows if (t, n) in docs})


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
    conn = s.connection()
    docs: dict[str, list[tuple[str, str]]] = {}
    for iid, t, n in conn.execute(_DOCS_OF, {"ids": ids}):
        docs.setdefault(iid, []).append((t, n))
    for r in conn.execute(_PEOPLE, {"ids": ids}):
        iid, hid, names, (sex, birth, estimated, regno, status, gov, district, place) = r[0], r[1], r[2:10], r[10:]
        person = Person(tuple(names[:4]), tuple(names[4:]), sex, birth, bool(estimated),
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
                cache: dict[str, Loaded] | None = None, known: dict[str, int] | None = None) -> list[Candidate]:
    """The registered people most like `person`, best first, scoring at least `min_score` (same document
    number first whatever the names say). Merged households are left out: their people live on elsewhere.
    `cache` keeps people read for one member for the next one (a family shares most candidates), `known`
    the keys' counts (see key_counts)."""
    s.flush()  # the checks read through the connection: pending changes first
    skip, skip_hh = set(exclude), set(exclude_households)
    ids = document_matches(s, person.documents)
    ids += [i for i in candidate_ids(s, person, on, known=known) if i not in ids]
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
