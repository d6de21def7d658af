"""The index and person keys rebuilt in the background after an update (issue 18): what saving writes, row for
row; a household saved meanwhile keeps its new tokens; search finds households not yet rebuilt; a kill
mid-way resumes where it stopped; closing stops the worker before the database closes."""

from __future__ import annotations

import dataclasses
import random
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from station.db.rows import HouseholdRow, MetaRow, NameTokenRow, PersonKeyRow
from station.domain.codes import Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts, Origin
from station.services import matching, search_index
from station.services import search_index_background as bg
from station.services import station as st
from station.services.demo import make_household
from station.services.registration import correct_household, register_household
from station.services.search import search
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five

NAMES = [("عبد الرحمن", "Abdul Rahman"), ("شیرین", "Şîrîn"), ("محمود", "Mahmoud"), ("حسين", "Hussein"),
         ("أبو بكر", "Abubakr"), ("زهراء", "Zahraa"), ("كاوە", "Kawa"), ("دلشاد", "Dilshad")]
ERBIL = Origin("Erbil", "", "")


def _draft(ar: str, lat: str, **ids: str) -> HouseholdDraft:
    member = MemberDraft(NameParts(ar, "علي"), NameParts(lat, "Ali"), Sex.MALE, Relationship.HEAD, age_years=33,
                         id=ids.get("member"))
    return HouseholdDraft(members=(member,), origin=ERBIL, id=ids.get("household"))


def _fill(ctx) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Households with a named head (name -> (household id, member id)), a family with documents and a few
    demo households."""
    made = {}
    with ctx.db.uow() as uow:
        for ar, lat in NAMES:
            view = register_household(uow, ctx.actor, _draft(ar, lat))
            made[lat] = (view.id, view.members[0].id)
        register_household(uow, ctx.actor, family_of_five(date(2026, 11, 1)))
        rng = random.Random(5)
        for _ in range(6):
            register_household(uow, ctx.actor, make_household(rng, date(2026, 11, 1), datetime(2026, 11, 1, 9)))  # noqa: DTZ001 - a clerk's typed time
    return made


def _tokens(ctx) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with ctx.db.reader() as uow:
        return set(uow.session.execute(select(NameTokenRow.token, NameTokenRow.household_id)).all())


def _keys(ctx) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with ctx.db.reader() as uow:
        return set(uow.session.execute(select(PersonKeyRow.key, PersonKeyRow.individual_id)).all())


def _as_an_older_version(ctx, emptied: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The index and keys as an older version left them: stale marks, old tokens (sound-alike ones missing,
    one token no longer made) or, as migration 0007 leaves it, no tokens and no mark."""
    with ctx.db.uow() as uow:
        s = uow.session
        if emptied:
            s.execute(delete(NameTokenRow))
            s.execute(delete(MetaRow).where(MetaRow.key == search_index.VERSION_KEY))
        else:
            s.execute(delete(NameTokenRow).where(NameTokenRow.token.like("~%")))
            ids = list(s.scalars(select(HouseholdRow.id)))
            s.execute(NameTokenRow.__table__.insert(), [{"token": "zz-old", "household_id": h} for h in ids])
            s.execute(update(MetaRow).where(MetaRow.key == search_index.VERSION_KEY).values(value="2"))
        s.execute(delete(PersonKeyRow).where(PersonKeyRow.individual_id.like("%a%")))
        s.execute(update(MetaRow).where(MetaRow.key == matching.VERSION_KEY).values(value="0.0"))


@pytest.fixture
def chunky(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small chunks and no register done at sign-in, so a dozen households take several chunks."""
    monkeypatch.setattr(bg, "SYNC_HOUSEHOLDS", 0)
    monkeypatch.setattr(bg, "FIRST_CHUNK", 3)
    monkeypatch.setattr(bg, "MIN_CHUNK", 3)  # whatever the machine's speed
    monkeypatch.setattr(bg, "MAX_CHUNK", 3)


def _state(ctx, key: str = bg.TOKENS_STATE) -> str | None:  # type: ignore[no-untyped-def]
    with ctx.db.reader() as uow:
        return uow.session.scalar(select(MetaRow.value).where(MetaRow.key == key))


@pytest.mark.parametrize("emptied", [False, True])
def test_the_background_rebuild_writes_what_saving_writes(ctx, chunky, emptied: bool) -> None:  # type: ignore[no-untyped-def]
    _fill(ctx)
    saved, keys = _tokens(ctx), _keys(ctx)
    _as_an_older_version(ctx, emptied)
    assert _tokens(ctx) != saved and _keys(ctx) != keys
    assert bg.prepare(ctx.db) and not search_index.is_current(ctx.db) and not matching.is_current(ctx.db)
    work = bg.start(ctx.db)
    assert work is not None
    work.pause = 0.0
    assert work.wait(60) and work.finished and work.failed is None and work.percent() == 100
    assert work.chunks >= 2 * 5  # 15 households, 3 at a time, for each kind
    assert _tokens(ctx) == saved and _keys(ctx) == keys  # row for row what index_tokens wrote
    assert search_index.is_current(ctx.db) and matching.is_current(ctx.db)
    assert _state(ctx) is None and _state(ctx, bg.KEYS_STATE) is None
    assert bg.start(ctx.db) is None  # nothing left


def test_a_small_register_is_brought_up_to_date_at_sign_in(sqlite_ctx, home: Path) -> None:
    ctx = sqlite_ctx
    _fill(ctx)
    saved = _tokens(ctx)
    _as_an_older_version(ctx, emptied=True)
    ctx.close()
    again = st.sign_in("admin", PASSPHRASE, home)
    try:
        assert search_index.is_current(again.db) and matching.is_current(again.db) and _tokens(again) == saved
        assert bg.start(again.db) is None
    finally:
        again.close()


def test_a_household_saved_during_a_chunk_keeps_its_new_tokens(ctx, chunky, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A clerk's save waits for the chunk holding its household (SQLite: the write lock; PostgreSQL: the
    chunk's FOR UPDATE), then writes its tokens over the chunk's: never the other way round."""
    made = _fill(ctx)
    _as_an_older_version(ctx)
    assert bg.prepare(ctx.db)
    first = min(hid for hid, _ in made.values())  # a named household, in some chunk of three
    lat, member = next((name, m) for name, (hid, m) in made.items() if hid == first)
    renamed = _draft("سوزان", "Suzan", household=first, member=member)
    saved_at: list[float] = []
    write = bg.TOKENS.write

    def saving_meanwhile(s, chunk, computed):  # type: ignore[no-untyped-def]
        if first not in chunk:  # the chunks before it: rewritten as usual
            write(s, chunk, computed)
            return

        def save() -> None:
            with ctx.db.uow() as uow:
                correct_household(uow, ctx.actor, renamed)
            saved_at.append(time.perf_counter())

        clerk = threading.Thread(target=save)
        clerk.start()
        time.sleep(0.5)  # the clerk's save is waiting for this chunk now
        write(s, chunk, computed)
        written_at.append(time.perf_counter())
        clerks.append(clerk)

    written_at: list[float] = []
    clerks: list[threading.Thread] = []
    monkeypatch.setattr(bg, "TOKENS", dataclasses.replace(bg.TOKENS, write=saving_meanwhile))
    monkeypatch.setattr(bg, "KINDS", (bg.TOKENS,))
    for _ in range(len(made) + 7):  # the chunks up to the one holding `first`, in household-id order
        assert bg.step(ctx.db, bg.TOKENS, 3)[0] > 0
        if clerks:
            break
    clerks[0].join(30)
    assert saved_at and saved_at[0] > written_at[0]  # the save came after the chunk, and went through
    monkeypatch.undo()
    with ctx.db.reader() as uow:
        assert [h.id for h in search(uow, ctx.actor, "Suzan")] == [first]
        assert first not in [h.id for h in search(uow, ctx.actor, lat)]
    while not bg.step(ctx.db, bg.TOKENS, 3)[1]:
        pass
    after = _tokens(ctx)
    search_index.rebuild(ctx.db)  # the whole index from what is on file now: the same rows
    assert _tokens(ctx) == after


def test_a_household_saved_before_its_chunk_keeps_its_new_tokens(ctx, chunky) -> None:  # type: ignore[no-untyped-def]
    made = _fill(ctx)
    _as_an_older_version(ctx)
    assert bg.prepare(ctx.db)
    assert bg.step(ctx.db, bg.TOKENS, 3) == (3, False)
    mark = bg.load_state(_state(ctx))
    assert mark is not None
    hid, member = next((h, m) for h, m in sorted(made.values()) if h > mark.after)  # not rebuilt yet
    with ctx.db.uow() as uow:
        correct_household(uow, ctx.actor, _draft("سوزان", "Suzan", household=hid, member=member))
    with ctx.db.reader() as uow:
        assert [h.id for h in search(uow, ctx.actor, "Suzan")] == [hid]
    while not bg.step(ctx.db, bg.TOKENS, 3)[1]:
        pass
    after = _tokens(ctx)
    with ctx.db.reader() as uow:
        assert [h.id for h in search(uow, ctx.actor, "Suzan")] == [hid]
    search_index.rebuild(ctx.db)
    assert _tokens(ctx) == after


def test_search_finds_households_not_yet_rebuilt_after_the_index_was_emptied(ctx, chunky) -> None:  # type: ignore[no-untyped-def]
    made = _fill(ctx)
    _as_an_older_version(ctx, emptied=True)  # as migration 0007 leaves it
    assert bg.prepare(ctx.db)
    half = sorted(hid for hid, _ in made.values())[3]
    while (mark := bg.load_state(_state(ctx))) is not None and mark.after < half:  # half the named ones rebuilt
        assert bg.step(ctx.db, bg.TOKENS, 3) == (3, False)
    assert mark is not None and mark.emptied
    rebuilt = {lat for lat, (hid, _) in made.items() if hid <= mark.after}
    waiting = set(made) - rebuilt
    assert rebuilt and waiting
    with ctx.db.reader() as uow:
        for lat, (hid, _) in made.items():
            assert hid in [h.id for h in search(uow, ctx.actor, lat)], lat
            assert hid in [h.id for h in search(uow, ctx.actor, f"{lat} Ali")], lat
        ar = dict((lat, ar) for ar, lat in NAMES)
        for lat in waiting:
            assert made[lat][0] in [h.id for h in search(uow, ctx.actor, ar[lat])], lat
        assert search(uow, ctx.actor, "Xyzzyq") == []
        assert len(search(uow, ctx.actor, "Ali", limit=3)) == 3
    while not bg.step(ctx.db, bg.TOKENS, 3)[1]:
        pass
    assert _state(ctx) is None


_KILLER = """
import dataclasses, os, sys
from pathlib import Path
from station.services import search_index_background as bg, station as st
bg.SYNC_HOUSEHOLDS, bg.FIRST_CHUNK, bg.MIN_CHUNK, bg.MAX_CHUNK = 0, 3, 3, 3
write, calls = bg.TOKENS.write, []
def dying(s, ids, computed):
    write(s, ids, computed)
    calls.append(ids)
    if len(calls) == 3:
        s.flush()
        os._exit(9)  # killed inside the third chunk's transaction, its rows written, not committed
bg.TOKENS = dataclasses.replace(bg.TOKENS, write=dying)
bg.KINDS = (bg.TOKENS, bg.KEYS)
ctx = st.sign_in("admin", sys.argv[1], Path(sys.argv[2]))
work = bg.start(ctx.db)
work.pause = 0.0
work.wait(60)
sys.exit(1)
"""


def test_a_rebuild_killed_mid_way_resumes_where_it_stopped(sqlite_ctx, home: Path, chunky) -> None:
    ctx = sqlite_ctx
    _fill(ctx)
    saved = _tokens(ctx)
    _as_an_older_version(ctx)
    ctx.close()
    killed = subprocess.run([sys.executable, "-c", _KILLER, PASSPHRASE, str(home)], cwd=Path(__file__).parents[3],
                            capture_output=True, timeout=120)
    assert killed.returncode == 9, killed.stderr.decode()[-2000:]
    again = st.sign_in("admin", PASSPHRASE, home)
    try:
        mark = bg.load_state(_state(again))
        assert mark is not None and mark.after  # two chunks committed, the third rolled back
        with again.db.reader() as uow:
            done = list(uow.session.scalars(select(HouseholdRow.id).where(HouseholdRow.id <= mark.after)))
        assert len(done) == 6
        tokens = _tokens(again)
        assert {t for t in tokens if t[1] in done} == {t for t in saved if t[1] in done}  # rebuilt
        assert ("zz-old", max(h for _, h in saved)) in tokens  # the rest as the older version left it
        work = bg.start(again.db)
        assert work is not None
        work.pause = 0.0
        assert work.wait(60) and work.finished
        assert work.chunks == 4 + 6  # 9 households left in chunks of 3 (the last finds none), then 15 keyed
        assert _tokens(again) == saved and search_index.is_current(again.db)
    finally:
        again.close()


def test_closing_stops_the_worker_before_the_database_closes(sqlite_ctx, home: Path, chunky, monkeypatch) -> None:
    ctx = sqlite_ctx
    _fill(ctx)
    _as_an_older_version(ctx)
    ctx.close()
    again = st.sign_in("admin", PASSPHRASE, home)
    steps: list[tuple[float, float]] = []
    step = bg.step

    def timed(db, kind, size, held=None):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return step(db, kind, size, held)
        finally:
            steps.append((t0, time.perf_counter()))

    monkeypatch.setattr(bg, "step", timed)
    again.catch_up = bg.start(again.db)
    assert again.catch_up is not None
    again.catch_up.pause = 0.2
    deadline = time.monotonic() + 60
    while not steps and again.catch_up.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert steps, again.catch_up.failed
    again.close()
    closed = time.perf_counter()
    assert not again.catch_up.running and not again.catch_up.finished
    assert all(end <= closed for _, end in steps)  # no chunk ran after close returned
    time.sleep(0.5)
    assert all(end <= closed for _, end in steps)
    third = st.sign_in("admin", PASSPHRASE, home)  # and the next desk goes on from there
    try:
        assert _state(third) is not None and not search_index.is_current(third.db)
    finally:
        third.close()


def test_disposing_of_the_engine_stops_the_worker(sqlite_ctx, chunky) -> None:
    ctx = sqlite_ctx
    _fill(ctx)
    _as_an_older_version(ctx)
    assert bg.prepare(ctx.db)
    work = bg.CatchUp(ctx.db, pause=0.3).start()
    time.sleep(0.1)
    ctx.db.engine.dispose()  # e.g. an erase closing the records under a running desk
    assert work.wait(5) and not work.finished
