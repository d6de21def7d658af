"""A correction writes only the search tokens and person keys that changed: a save that leaves the names alone
writes none (at 200,000 people each of a household's tokens dirtied its own index page, twice), and what
a save leaves is what a rebuild of the whole index makes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import delete, event, select

from station.db.rows import MetaRow, NameTokenRow, PersonKeyRow
from station.domain.model import HouseholdDraft, NameParts
from station.services import matching, search_index
from station.services.registration import correct_household, get_household, register_household
from tests.factories import family_of_five
from ui.registration.household_form import member_draft_of


def _index(ctx) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    with ctx.db.reader() as uow:
        s = uow.session
        return ({(t, h) for t, h in s.execute(select(NameTokenRow.token, NameTokenRow.household_id))},
                {(k, i) for k, i in s.execute(select(PersonKeyRow.key, PersonKeyRow.individual_id))})


@contextmanager
def _writes(ctx) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """The INSERT and DELETE statements sent to the two index tables meanwhile."""
    seen: list[str] = []

    def note(_conn, _cursor, statement: str, *_a) -> None:  # type: ignore[no-untyped-def]
        head = " ".join(statement.split()[:3]).lower()
        if head.startswith(("insert", "delete")) and ("name_tokens" in head or "person_keys" in head):
            seen.append(head)

    event.listen(ctx.db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", note)


def _corrected(ctx, household_id: str, change) -> None:  # type: ignore[no-untyped-def]
    with ctx.db.reader() as uow:
        view = get_household(uow, ctx.actor, household_id)
    draft = HouseholdDraft(members=tuple(member_draft_of(view)), origin=view.origin, arrival_point=view.arrival_point,
                           notes=view.notes, arrived_at=view.arrived_at, id=view.id, expected_version=view.version)
    with ctx.db.uow() as uow:
        correct_household(uow, ctx.actor, change(draft))


def test_a_correction_writes_only_the_index_entries_that_changed(ctx) -> None:  # type: ignore[no-untyped-def]
    with ctx.db.uow() as uow:
        hid = register_household(uow, ctx.actor, family_of_five()).id
    before = _index(ctx)
    with _writes(ctx) as seen:
        _corrected(ctx, hid, lambda d: dataclasses.replace(d, notes="moved to tent 4"))
    assert seen == [] and _index(ctx) == before  # the names stayed: nothing written

    def renamed(d: HouseholdDraft) -> HouseholdDraft:
        son = dataclasses.replace(d.members[2], name_lat=NameParts("Yusuf", "Ahmad", "", "Al-Jubouri"),
                                  name_ar=NameParts("يوسف", "احمد", "", "الجبوري"))
        return dataclasses.replace(d, members=(*d.members[:2], son, *d.members[3:]))

    with _writes(ctx) as seen:
        _corrected(ctx, hid, renamed)
    tokens, keys = _index(ctx)
    assert seen and tokens != before[0] and keys != before[1]
    assert len(seen) < 12  # the changes only, not every entry again
    search_index.rebuild(ctx.db)  # both indexes made again from the records: the same entries
    with ctx.db.uow() as uow:
        uow.session.execute(delete(MetaRow).where(MetaRow.key == matching.VERSION_KEY))
    assert matching.ensure_current(ctx.db) == 5
    assert _index(ctx) == (tokens, keys)


@contextmanager
def _reads_of_keys(ctx) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Statements meanwhile that read the person keys or the tracing cases' keys."""
    seen: list[str] = []

    def note(_conn, _cursor, statement: str, *_a) -> None:  # type: ignore[no-untyped-def]
        low = " ".join(statement.lower().split())
        if low.startswith("select") and ("from person_keys" in low or "from tracing_keys" in low):
            seen.append(low[:80])

    event.listen(ctx.db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", note)


def test_the_person_keys_and_tracing_checks_run_only_when_what_they_read_changed(ctx) -> None:  # type: ignore[no-untyped-def]
    with ctx.db.uow() as uow:
        hid = register_household(uow, ctx.actor, family_of_five()).id
    with _reads_of_keys(ctx) as seen:
        _corrected(ctx, hid, lambda d: dataclasses.replace(d, notes="moved to tent 4"))
    assert seen == []  # a note: neither the keys nor the tracing cases are looked at

    def born_earlier(d: HouseholdDraft) -> HouseholdDraft:  # the names (and so the tokens) stay
        child = d.members[3]
        older = dataclasses.replace(child, birth_date=None, age_years=(child.age_years or 5) + 3)
        return dataclasses.replace(d, members=(*d.members[:3], older, *d.members[4:]))

    with _reads_of_keys(ctx) as seen:
        _corrected(ctx, hid, born_earlier)
    assert any("person_keys" in s for s in seen) and any("tracing_keys" in s for s in seen)
