"""What a chunk of the background rebuild (search_index_background) computes and writes: each household's
search tokens and each person's blocking keys, exactly as the normal writers make them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.db.rows import DocumentRow, HouseholdRow, IndividualRow, NameTokenRow, PersonKeyRow
from station.domain.name_index import household_tokens
from station.domain.tracing import Person, blocking_keys

NAME_COLUMNS = (IndividualRow.given_ar, IndividualRow.father_ar, IndividualRow.grandfather_ar,
                IndividualRow.family_ar, IndividualRow.given_lat, IndividualRow.father_lat,
                IndividualRow.grandfather_lat, IndividualRow.family_lat)
Computed = dict[str, tuple[Any, frozenset[str]]]  # id -> (what its entries were computed from, the entries)


def household_inputs(s: Session, ids: list[str]) -> dict[str, Any]:
    """What each household's tokens are made of (registration.index_tokens reads the same), in a fixed
    order: its people's names, its document numbers, its origin key."""
    conn = s.connection()
    people: defaultdict[str, list[tuple[Any, ...]]] = defaultdict(list)
    numbers: defaultdict[str, list[str]] = defaultdict(list)
    for hid, *names in conn.execute(select(IndividualRow.household_id, *NAME_COLUMNS)
                                    .where(IndividualRow.household_id.in_(ids))):
        people[hid].append(tuple(names))
    for hid, number in conn.execute(select(IndividualRow.household_id, DocumentRow.number)
                                    .join(DocumentRow, DocumentRow.individual_id == IndividualRow.id)
                                    .where(IndividualRow.household_id.in_(ids))):
        numbers[hid].append(number)
    return {hid: (tuple(sorted(people[hid], key=repr)), tuple(sorted(numbers[hid])), origin_key or "")
            for hid, origin_key in conn.execute(select(HouseholdRow.id, HouseholdRow.origin_key)
                                                .where(HouseholdRow.id.in_(ids)))}


def people_inputs(s: Session, ids: list[str]) -> dict[str, Any]:
    """Each member's eight name parts ("" for none), by individual id: all a person's keys are made of."""
    return {iid: tuple(n or "" for n in names) for iid, *names in s.connection().execute(
        select(IndividualRow.id, *NAME_COLUMNS).where(IndividualRow.household_id.in_(ids)))}


def tokens_of(inputs: Any) -> frozenset[str]:
    return frozenset(household_tokens(*inputs))


def keys_of(names: Any) -> frozenset[str]:
    """A person's blocking keys as matching writes them: from the names alone (matching._member_keys)."""
    return blocking_keys(Person(names[:4], names[4:8]))


def computing(inputs: Callable[[Session, list[str]], dict[str, Any]],
               entries: Callable[[Any], frozenset[str]]) -> Callable[[Session, list[str]], Computed]:
    return lambda s, ids: {key: (got, entries(got)) for key, got in inputs(s, ids).items()}


def writing_rows(inputs: Callable[[Session, list[str]], dict[str, Any]], entries: Callable[[Any], frozenset[str]],
                  table: str, columns: tuple[str, str], held: Callable[[list[str]], Any]
                  ) -> Callable[[Session, list[str], Computed | None], None]:
    """The chunk's writer: its rows (entry, id) exactly as the normal writer makes them, from what is on file
    now (read again under the write lock: anything changed since `computed` is computed again); only the
    rows that change are written, as plain tuples to the driver (SQLAlchemy's per-row handling costs more
    than the writing), in key order (neighbouring inserts land on the same pages)."""
    def write(s: Session, ids: list[str], computed: Computed | None) -> None:
        conn = s.connection()
        want: set[tuple[str, str]] = set()
        for key, now in inputs(s, ids).items():
            before = (computed or {}).get(key)
            want.update((e, key) for e in (before[1] if before is not None and before[0] == now else entries(now)))
        have = {(e, k) for e, k in conn.execute(held(ids))}
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        if gone := sorted(have - want):
            conn.exec_driver_sql(f"DELETE FROM {table} WHERE {columns[0]} = {mark} AND {columns[1]} = {mark}", gone)
        if new := sorted(want - have):
            conn.exec_driver_sql(f"INSERT INTO {table} ({columns[0]}, {columns[1]}) VALUES ({mark}, {mark})", new)
    return write


def held_tokens(ids: list[str]) -> Any:
    return select(NameTokenRow.token, NameTokenRow.household_id).where(NameTokenRow.household_id.in_(ids))


def held_keys(ids: list[str]) -> Any:
    return (select(PersonKeyRow.key, PersonKeyRow.individual_id)
            .join(IndividualRow, IndividualRow.id == PersonKeyRow.individual_id)
            .where(IndividualRow.household_id.in_(ids)))
