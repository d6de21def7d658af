"""The index rebuild at sign-in: progress reported, the same tokens as saving writes, indexes kept, and a
rebuild that fails half-way leaves the old index and a connection with its foreign keys on."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest
from sqlalchemy import delete, func, inspect, select

from station.db import engine
from station.db.rows import HouseholdRow, MetaRow, NameTokenRow
from station.domain.codes import Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts, Origin
from station.domain.name_index import household_tokens
from station.services import search_index
from station.services.demo import make_household
from station.services.registration import register_household
from station.services.search import search
from tests.factories import family_of_five


def _tokens(ctx) -> set[tuple[str, str]]:
    with ctx.db.reader() as uow:
        return {(t, h) for t, h in uow.session.execute(select(NameTokenRow.token, NameTokenRow.household_id))}


def _register_named(ctx) -> None:
    names = [("عبد الرحمن", "Abdul Rahman"), ("شیرین", "Şîrîn"), ("محمود", "Mahmoud"), ("حسين", "Hussein"),
             ("أبو بكر", "Abubakr")]
    for ar, lat in names:
        draft = HouseholdDraft(members=(MemberDraft(NameParts(ar, "علي"), NameParts(lat, "Ali"), Sex.MALE,
                                                    Relationship.HEAD, age_years=33),),
                               origin=Origin("Erbil", "", ""))
        with ctx.db.uow() as uow:
            register_household(uow, ctx.actor, draft)


def test_rebuild_reports_progress_and_writes_what_saving_writes(ctx, monkeypatch) -> None:
    monkeypatch.setattr(search_index, "READ_ROWS", 2)
    monkeypatch.setattr(search_index, "WRITE_ROWS", 10)
    _register_named(ctx)
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, family_of_five())  # document numbers, several people
    saved = _tokens(ctx)
    assert any(t.startswith("^") for t, _ in saved) and any(t.startswith("~") for t, _ in saved)
    steps: list[tuple[int, int]] = []
    assert search_index.rebuild(ctx.db, lambda done, total: steps.append((done, total))) == 6
    # reading per 2 people, writing per 10 rows, the index, then done
    assert len(steps) > 8 and steps[-1] == (100, 100) and {t for _, t in steps} == {100}
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)
    assert _tokens(ctx) == saved
    with ctx.db.reader() as uow:
        indexes = {ix["name"] for ix in inspect(uow.session.connection()).get_indexes("name_tokens")}
        assert "ix_name_tokens_household_token" in indexes  # dropped while writing, built again
        assert uow.session.scalar(select(func.count()).select_from(NameTokenRow)) == len(saved)
        assert len(search(uow, ctx.actor, "Abdulrahman Ali")) == 1
    assert search_index.ensure_current(ctx.db) == 0  # the mark says current: nothing to do


def test_an_empty_register_is_marked_current(ctx) -> None:
    with ctx.db.uow() as uow:
        uow.session.execute(delete(MetaRow).where(MetaRow.key == search_index.VERSION_KEY))
    assert search_index.ensure_current(ctx.db) == 0 and search_index.is_current(ctx.db)
    assert _tokens(ctx) == set()


def _foreign_keys_on_every_pooled_connection(ctx) -> list[int]:
    return [fk for fk, _, _ in _settings_of_every_pooled_connection(ctx)]


def _settings_of_every_pooled_connection(ctx) -> list[tuple[int, int, int]]:
    """(foreign_keys, synchronous, wal_autocheckpoint) of every connection the pool hands out."""
    conns = [ctx.db.engine.connect() for _ in range(6)]  # more than the pool holds: every pooled one
    try:
        return [tuple(c.exec_driver_sql(f"PRAGMA {name}").scalar()  # type: ignore[misc]
                      for name in ("foreign_keys", "synchronous", "wal_autocheckpoint")) for c in conns]
    finally:
        for c in conns:
            c.close()


def test_the_rebuild_leaves_syncing_and_copying_the_log_to_the_background(sqlite_ctx, monkeypatch) -> None:
    """The rebuild's commit neither syncs the write-ahead log nor copies it into the file (seconds at 200,000
    people, issue 18): the background checkpoint is nudged instead, and every connection gets its usual
    settings back."""
    ctx = sqlite_ctx
    _register_named(ctx)
    saved, usual = _tokens(ctx), _settings_of_every_pooled_connection(ctx)
    assert usual[0][1:] == (2, engine.WAL_CHECKPOINT_PAGES)  # FULL; the engine's threshold
    inside: list[tuple[int, int]] = []
    write_all = search_index._write_all

    def spying(conn, report):  # type: ignore[no-untyped-def]
        inside.append((conn.exec_driver_sql("PRAGMA synchronous").scalar(),
                       conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()))
        return write_all(conn, report)

    nudged: list[bool] = []
    monkeypatch.setattr(search_index, "_write_all", spying)
    monkeypatch.setattr(ctx.db.checkpoint, "nudge", lambda: nudged.append(True))
    assert search_index.rebuild(ctx.db) == 5
    assert inside == [(1, 0)]  # NORMAL, no automatic checkpoint
    assert nudged == [True]
    assert _settings_of_every_pooled_connection(ctx) == usual and _tokens(ctx) == saved


def test_a_failed_rebuild_leaves_the_old_index_and_foreign_keys_on(sqlite_ctx, monkeypatch) -> None:
    ctx = sqlite_ctx
    _register_named(ctx)
    saved = _tokens(ctx)
    with ctx.db.uow() as uow:
        uow.session.get(MetaRow, search_index.VERSION_KEY).value = "2"

    def broken(self):  # type: ignore[no-untyped-def]
        raise OSError("disk gone")

    monkeypatch.setattr(search_index._Postings, "sources", broken)
    with pytest.raises(OSError):
        search_index.ensure_current(ctx.db)
    assert _tokens(ctx) == saved and not search_index.is_current(ctx.db)  # the old index, the old mark
    assert _foreign_keys_on_every_pooled_connection(ctx) == [1] * 6
    monkeypatch.undo()
    assert search_index.ensure_current(ctx.db) == 5 and _tokens(ctx) == saved
    assert _foreign_keys_on_every_pooled_connection(ctx) == [1] * 6
    with ctx.db.uow() as uow:  # the cascade still holds after a rebuild that wrote with the check off
        victim = uow.session.scalars(select(HouseholdRow.id)).first()
        uow.session.execute(delete(HouseholdRow).where(HouseholdRow.id == victim))
    assert {h for _, h in _tokens(ctx)} == {h for _, h in saved} - {victim}


def test_the_rebuilds_tokens_are_those_of_name_index() -> None:
    """The rebuild gathers each token's households per distinct name part, pair of slots, document number
    and origin: every household ends up with exactly `household_tokens`."""
    rng = random.Random(4)
    households: dict[str, tuple[list[tuple[str | None, ...]], list[str], str]] = {}
    origins = ["mosul ninewa al-hadba", "", "erbil", "kirkuk hawija"]
    for n in range(300):
        draft = make_household(rng, date(2026, 11, 30), datetime(2026, 11, 30, 12, 0))  # noqa: DTZ001 - a clerk's typed time: naive is the station's local time
        people = [(*m.name_ar.parts(), *m.name_lat.parts()) for m in draft.members]
        numbers = [d.number for m in draft.members for d in m.documents] + (["A1234567", "IQ-55 12"] if n % 7 else [])
        households[f"h{n:04d}"] = (people, numbers, origins[n % len(origins)])
    households["h9999"] = ([], [], "")
    ids = sorted(households)
    postings = search_index._Postings(ids)
    postings.add_people((hid, *names) for hid, (people, _, _) in households.items() for names in people)
    postings.add_numbers((hid, number) for hid, (_, numbers, _) in households.items() for number in numbers)
    postings.add_origins((hid, origin) for hid, (_, _, origin) in households.items())
    got: dict[str, set[str]] = {hid: set() for hid in ids}
    for token, at in postings.groups().items():
        assert at == sorted(set(at))  # each household once, in id order
        for i in at:
            got[ids[i]].add(token)
    for hid, (people, numbers, origin) in households.items():
        assert got[hid] == household_tokens(people, numbers, origin), hid


def test_the_writer_thread_keeps_the_order_and_hands_back_a_failure() -> None:
    got: list[list[tuple[str, list[int]]]] = []
    writer = search_index._Writer(got.append, threaded=True)
    for i in range(20):
        writer.put([(f"t{i:02d}", [i])])
    writer.close()
    assert got == [[(f"t{i:02d}", [i])] for i in range(20)]

    def failing(batch: list[tuple[str, list[int]]]) -> None:
        raise OSError("disk full")

    writer = search_index._Writer(failing, threaded=True)
    with pytest.raises(OSError):
        for i in range(5):
            writer.put([(f"t{i}", [i])])
        writer.close()
    with pytest.raises(OSError):  # closing after the failure still reports it (and ends the thread)
        writer.close()
