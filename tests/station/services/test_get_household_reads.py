"""Opening a household reads it in a fixed number of statements, whatever its size (issue 18: the desk opens a
household well under 50 ms at 200,000 people); the view is the same as before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import event

from station.services.registration import get_household, register_household
from tests.factories import family_of_five


@contextmanager
def _statements(engine: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_get_household_reads_in_a_fixed_number_of_statements(sqlite_ctx: Any) -> None:
    ctx = sqlite_ctx
    five = family_of_five()
    two = replace(five, members=five.members[:2])
    with ctx.db.uow() as uow:
        small = register_household(uow, ctx.actor, two)
        large = register_household(uow, ctx.actor, five)
    counts = {}
    for saved in (small, large):
        with ctx.db.reader() as uow, _statements(ctx.db.engine) as seen:
            view = get_household(uow, ctx.actor, saved.id)
        counts[saved.size] = len(seen)
        assert view == saved  # the same view as the save handed back: members, documents, needs in order
    assert counts[2] == counts[5] <= 5, counts  # household, members, documents, needs, photos
