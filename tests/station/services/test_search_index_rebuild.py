"""The index rebuild at sign-in: progress reported, the same tokens as saving writes, indexes kept."""

from __future__ import annotations

import random
from datetime import date, datetime

from sqlalchemy import func, inspect, select

from station.db.rows import NameTokenRow
from station.domain.codes import Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts, Origin
from station.domain.name_index import household_tokens
from station.services import search_index
from station.services.demo import make_household
from station.services.registration import register_household
from station.services.search import search


def _tokens(ctx) -> set[tuple[str, str]]:
    with ctx.db.reader() as uow:
        return {(t, h) for t, h in uow.session.execute(select(NameTokenRow.token, NameTokenRow.household_id))}


def test_rebuild_reports_progress_and_writes_what_saving_writes(ctx, monkeypatch) -> None:
    monkeypatch.setattr(search_index, "BATCH", 2)
    names = [("عبد الرحمن", "Abdul Rahman"), ("شیرین", "Şîrîn"), ("محمود", "Mahmoud"), ("حسين", "Hussein"),
             ("أبو بكر", "Abubakr")]
    for ar, lat in names:
        draft = HouseholdDraft(members=(MemberDraft(NameParts(ar, "علي"), NameParts(lat, "Ali"), Sex.MALE,
                                                    Relationship.HEAD, age_years=33),),
                               origin=Origin("Erbil", "", ""))
        with ctx.db.uow() as uow:
            register_household(uow, ctx.actor, draft)
    saved = _tokens(ctx)
    assert any(t.startswith("^") for t, _ in saved) and any(t.startswith("~") for t, _ in saved)
    steps: list[tuple[int, int]] = []
    assert search_index.rebuild(ctx.db, lambda done, total: steps.append((done, total))) == 5
    # reading and computing per 2 households (the first half), then writing (the second half)
    assert steps[:3] == [(2, 10), (4, 10), (5, 10)] and steps[-1] == (10, 10)
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)
    assert _tokens(ctx) == saved
    with ctx.db.reader() as uow:
        indexes = {ix["name"] for ix in inspect(uow.session.connection()).get_indexes("name_tokens")}
        assert "ix_name_tokens_household_token" in indexes  # dropped while writing, built again
        assert uow.session.scalar(select(func.count()).select_from(NameTokenRow)) == len(saved)
        assert len(search(uow, ctx.actor, "Abdulrahman Ali")) == 1
    assert search_index.ensure_current(ctx.db) == 0  # the mark says current: nothing to do


def test_the_rebuilds_cached_tokens_are_those_of_name_index() -> None:
    """The rebuild composes a person's tokens from cached pieces: the same sets as household_tokens."""
    rng = random.Random(4)
    tokens = search_index._Tokens()
    for _ in range(300):
        draft = make_household(rng, date(2026, 11, 30), datetime(2026, 11, 30, 12, 0))
        people = [(*m.name_ar.parts(), *m.name_lat.parts()) for m in draft.members]
        numbers = [d.number for m in draft.members for d in m.documents]
        origin = "mosul ninewa al-hadba"
        assert tokens.household(people, numbers, origin) == household_tokens(people, numbers, origin)
    assert tokens.household([], [], "") == household_tokens([], [], "")
