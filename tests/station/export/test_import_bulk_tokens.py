"""The import's bulk writer (issue 18): the search tokens it writes for each household are exactly the ones
registration.index_tokens writes (none missed, none twice), new households and corrected ones alike, and
its plain rows are stored as SQLAlchemy's own insert stores them."""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError

from station import clock
from station.db.rows import HouseholdRow, IndividualRow, NameTokenRow, PhotoRow
from station.domain.model import HouseholdDraft
from station.export import collect, merge_tokens
from station.export.container import KIND, Record
from station.export.merge import Merger
from station.services.demo import make_household
from station.services.registration import correct_household, get_household, register_household
from station.services.station import StationContext
from tests.factories import family_of_five
from ui.registration.household_form import member_draft_of

from .conftest import jpeg

_AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _tokens(ctx: StationContext) -> Counter[tuple[str, str]]:
    """Every (household, token) row of the table, counted: a row written twice would count 2."""
    with ctx.db.reader() as uow:
        return Counter((h, t) for h, t in uow.session.execute(select(NameTokenRow.household_id, NameTokenRow.token)))


def _register(ctx: StationContext, n: int) -> list[str]:
    """`n` households as a desk registers them (index_tokens writes their tokens): varied demo names in both
    scripts, origins, and a family with an identity document (its number is a token too)."""
    rng = random.Random(7)
    with ctx.db.uow() as uow:
        ids = [register_household(uow, ctx.actor, family_of_five(_AT.date())).id]
        for i in range(n - 1):
            ids.append(register_household(uow, ctx.actor, make_household(rng, _AT.date(), _AT - timedelta(hours=i))).id)
    return ids


def _merge(office: StationContext, desk: StationContext, ids: list[str]) -> None:
    with desk.db.reader() as uow:
        records = [Record(KIND[part], meta, blob) for part, meta, blob in collect.household_items(uow.session, ids)]
    with office.db.uow() as uow:
        merger = Merger(uow)
        for rec in records:
            merger.feed(rec)
        merger.finish()


def _per_household(rows: Counter[tuple[str, str]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for (hid, token), n in rows.items():
        out.setdefault(hid, Counter())[token] += n
    return out


def test_bulk_writer_writes_exactly_the_tokens_index_tokens_writes(make_station: Any) -> None:
    desk, office = make_station("MKH", 2), make_station("OFF", 1)
    ids = _register(desk, 25)
    _merge(office, desk, ids)
    want, got = _tokens(desk), _tokens(office)
    assert len(want) > 25 * 20 and set(n for n in want.values()) == {1}
    assert _per_household(got) == _per_household(want)  # same tokens for each household, each once
    assert set(_per_household(got)) == set(ids)


def test_a_corrected_household_gets_the_tokens_of_its_new_version(make_station: Any) -> None:
    desk, office = make_station("MKH", 2), make_station("OFF", 1)
    ids = _register(desk, 4)
    _merge(office, desk, ids)
    with desk.db.reader() as uow:
        view = get_household(uow, desk.actor, ids[1])
    members = [member_draft_of(view)[0]]  # one member left: most of the household's tokens go
    draft = HouseholdDraft(members=tuple(members), origin=view.origin, arrival_point=view.arrival_point,
                           notes=view.notes, arrived_at=view.arrived_at, id=view.id, expected_version=view.version)
    with desk.db.uow() as uow:
        correct_household(uow, desk.actor, dataclasses.replace(draft, notes="one left"))
    before = _per_household(_tokens(office))
    _merge(office, desk, ids)  # the corrected household is replaced, the others are unchanged
    after, want = _per_household(_tokens(office)), _per_household(_tokens(desk))
    assert after == want
    assert after[ids[1]] != before[ids[1]] and sum(after[ids[1]].values()) < sum(before[ids[1]].values())


def test_the_check_sees_a_household_missed_or_written_twice(make_station: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above would catch a writer that drops a household's tokens; the table's key refuses a
    household written twice (the merger refuses a pack that carries one twice before that)."""
    desk, office = make_station("MKH", 2), make_station("OFF", 1)
    ids = _register(desk, 3)
    real = merge_tokens.token_pairs
    monkeypatch.setattr(merge_tokens, "token_pairs", lambda hh: real(list(hh)[1:]))  # the first one forgotten
    _merge(office, desk, ids)
    assert _per_household(_tokens(office)) != _per_household(_tokens(desk))
    monkeypatch.undo()
    with desk.db.reader() as uow:
        tokens = set(uow.session.scalars(select(NameTokenRow.token).where(NameTokenRow.household_id == ids[0])))
    with pytest.raises(IntegrityError), office.db.uow() as uow:
        merge_tokens.write_tokens(uow.session, [(ids[0], tokens), (ids[0], tokens)], [])


def _stored(ctx: StationContext, table: str) -> list[tuple[Any, ...]]:
    with ctx.db.reader() as uow:
        return [tuple(r) for r in uow.session.connection().exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1")]


def test_plain_rows_are_stored_as_sqlalchemy_stores_them(make_station: Any) -> None:
    """Dates, booleans, JSON, nulls and sealed images: the same stored values as SQLAlchemy's executemany."""
    one, two = make_station("MKH", 2), make_station("OFF", 1)
    now = clock.to_db(clock.utcnow())
    hid = str(uuid.uuid4())
    household = {c.key: None for c in HouseholdRow.__table__.columns} | {
        "id": hid, "registration_number": "MKH-02-000001-7", "site_code": "MKH", "station_number": 2,
        "sequence": 1, "arrived_at": now, "status": "active", "version": 1, "card_issue": 0, "size": 2,
        "created_at": now, "created_by": "admin", "updated_at": now, "updated_by": "admin", "origin_key": "x",
        "origin_governorate": "", "origin_district": "", "origin_place": "", "arrival_point": "", "notes": "",
        "head_name_ar": "", "head_name_lat": ""}
    people = [{c.key: None for c in IndividualRow.__table__.columns} | {
        "id": str(uuid.uuid4()), "household_id": hid, "position": i, "given_ar": "علي", "father_ar": "",
        "grandfather_ar": "", "family_ar": "", "given_lat": "Ali", "father_lat": "", "grandfather_lat": "",
        "family_lat": "", "sex": "M", "relationship_to_head": "head", "birth_date": _AT.date() if i else None,
        "birth_date_estimated": bool(i), "nationality": "IRQ", "marital_status": "unknown",
        "field_sources": {"given_lat": "mrz"} if i else {}, "created_at": now, "updated_at": now}
        for i in (1, 2)]
    photos: list[dict[str, Any]] = [
        {"individual_id": p["id"], "jpeg": jpeg(i), "width": 60, "height": 80, "quality": {"sharp": 0.5},
         "override_reason": "", "taken_at": now, "taken_by": "admin"} for i, p in enumerate(people)]
    for ctx, bulk in ((one, False), (two, True)):
        with ctx.db.uow() as uow:
            conn = uow.session.connection()
            tables = [cast(Table, m.__table__) for m in (HouseholdRow, IndividualRow, PhotoRow)]
            batches: list[list[dict[str, Any]]] = [[household], people, photos]
            for table, rows in zip(tables, batches, strict=True):
                if bulk:
                    assert merge_tokens._plan(conn, table, tuple(rows[0])) is not None  # the driver's path
                    merge_tokens.insert_rows(conn, table, rows)
                else:
                    conn.execute(insert(table), rows)
    assert _stored(one, "households") == _stored(two, "households")
    assert _stored(one, "individuals") == _stored(two, "individuals")
    plain = [r[:1] + r[2:] for r in _stored(two, "photos")]  # sealed images differ by their random nonce
    assert plain == [r[:1] + r[2:] for r in _stored(one, "photos")]
    for ctx in (one, two):
        with ctx.db.reader() as uow:
            assert sorted(uow.session.scalars(select(PhotoRow.jpeg))) == sorted(cast(bytes, p["jpeg"]) for p in photos)


def test_a_row_without_a_column_of_the_first_is_refused(make_station: Any) -> None:
    ctx = make_station("MKH", 2)
    rows = [{"token": "a", "household_id": str(uuid.uuid4())}, {"token": "b"}]
    with pytest.raises(KeyError), ctx.db.uow() as uow:
        merge_tokens.insert_rows(uow.session.connection(), NameTokenRow.__table__, rows)  # type: ignore[arg-type]
