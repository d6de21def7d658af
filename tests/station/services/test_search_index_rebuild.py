"""The index rebuild at sign-in: progress reported, the same tokens as saving writes, indexes kept."""

from __future__ import annotations

from sqlalchemy import func, inspect, select

from station.db.rows import NameTokenRow
from station.domain.codes import Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts, Origin
from station.services import search_index
from station.services.registration import register_household
from station.services.search import search


def _tokens(ctx) -> set[tuple[str, str]]:
    with ctx.db.reader() as uow:
        return set(uow.session.execute(select(NameTokenRow.token, NameTokenRow.household_id)).tuples())


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
    assert steps == [(2, 5), (4, 5), (5, 5)]
    assert _tokens(ctx) == saved
    with ctx.db.reader() as uow:
        indexes = {ix["name"] for ix in inspect(uow.session.connection()).get_indexes("name_tokens")}
        assert "ix_name_tokens_household_token" in indexes  # dropped while writing, built again
        assert uow.session.scalar(select(func.count()).select_from(NameTokenRow)) == len(saved)
        assert len(search(uow, ctx.actor, "Abdulrahman Ali")) == 1
    assert search_index.ensure_current(ctx.db) == 0  # the mark says current: nothing to do
