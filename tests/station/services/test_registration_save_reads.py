"""A desk's open and save read and write no more than they need (issue 18: each under 50 ms at 200,000 people):
a household is read in one statement (members, documents and needs joined), a correction that leaves the
documents, needs and names alone rewrites none of them and reads no search tokens back, and what is stored
and shown is the same as before."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from station.db.rows import DocumentRow, NeedRow
from station.domain.codes import SpecificNeed
from station.domain.model import HouseholdDraft, HouseholdView, Need
from station.services.registration import correct_household, get_household, register_household
from tests.factories import family_of_five
from ui.registration.household_form import member_draft_of


@contextmanager
def _statements(engine: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()).lower())

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _draft(view: HouseholdView) -> HouseholdDraft:
    return HouseholdDraft(members=tuple(member_draft_of(view)), origin=view.origin, arrival_point=view.arrival_point,
                          notes=view.notes, arrived_at=view.arrived_at, id=view.id, expected_version=view.version)


def _stored(ctx: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with ctx.db.reader() as uow:
        s = uow.session
        docs = [(d.id, d.individual_id, d.doc_type, d.number, d.issuing_country, d.expiry, d.source)
                for d in s.scalars(select(DocumentRow).order_by(DocumentRow.id))]
        needs = [(n.id, n.individual_id, n.code, n.note) for n in s.scalars(select(NeedRow).order_by(NeedRow.id))]
    return docs, needs


def test_a_household_is_read_in_one_statement_with_its_documents_and_needs(sqlite_ctx: Any) -> None:
    ctx = sqlite_ctx
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, family_of_five())
    with ctx.db.reader() as uow, _statements(ctx.db.engine) as seen:
        view = get_household(uow, ctx.actor, saved.id)
    selects = [s for s in seen if s.startswith("select")]
    assert len(selects) == 2, selects  # the household joined with members, documents, needs; then photos
    assert view == saved  # the same members, documents and needs, in the same order
    assert view.members[0].documents and view.members[0].needs and view.members[4].needs


def test_a_correction_of_the_notes_rewrites_no_document_need_or_token(sqlite_ctx: Any) -> None:
    ctx = sqlite_ctx
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, family_of_five())
    before = _stored(ctx)
    with ctx.db.uow() as uow, _statements(ctx.db.engine) as seen:
        view = correct_household(uow, ctx.actor, dataclasses.replace(_draft(saved), notes="moved to tent 4"))
    assert not [s for s in seen if "documents" in s.split(" where ")[0] and not s.startswith("select")], seen
    assert not [s for s in seen if "specific_needs" in s.split(" where ")[0] and not s.startswith("select")], seen
    assert not [s for s in seen if "name_tokens" in s], seen  # the names stayed: tokens neither read nor written
    assert _stored(ctx) == before  # documents and needs as they were, ids included
    assert view.notes == "moved to tent 4" and view.members == saved.members


def test_a_changed_need_or_name_is_written(sqlite_ctx: Any) -> None:
    ctx = sqlite_ctx
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, family_of_five())
    draft = _draft(saved)
    head = dataclasses.replace(draft.members[0], needs=(Need(SpecificNeed.TRACING, "son found in Erbil"),))
    with ctx.db.uow() as uow, _statements(ctx.db.engine) as seen:
        view = correct_household(uow, ctx.actor, dataclasses.replace(draft, members=(head, *draft.members[1:])))
    assert view.members[0].needs == (Need(SpecificNeed.TRACING, "son found in Erbil"),)
    assert not [s for s in seen if "name_tokens" in s]  # a need is not a name
    son = dataclasses.replace(draft.members[2], name_lat=dataclasses.replace(draft.members[2].name_lat, given="Yusuf"))
    with ctx.db.uow() as uow, _statements(ctx.db.engine) as seen:
        view = correct_household(uow, ctx.actor, dataclasses.replace(
            _draft(view), members=(*_draft(view).members[:2], son, *_draft(view).members[3:])))
    assert [s for s in seen if s.startswith("insert into name_tokens")]  # the new spelling is searchable
    with ctx.db.reader() as uow:
        assert get_household(uow, ctx.actor, saved.id) == view
