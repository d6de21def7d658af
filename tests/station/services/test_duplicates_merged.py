"""A household merged into another (a duplicate registration) lives on in the one kept: its people are
offered neither by the duplicate check at save nor to a new tracing case."""

from __future__ import annotations

from station.services import tracing
from station.services.duplicates import check_member_duplicates, merge_duplicate
from station.services.registration import register_household
from tests.station.services.test_tracing import MOSUL, ON, household, open_son_case, the_son


def _offered(ctx) -> set[str]:
    with ctx.db.reader() as uow:
        return {c.household_id for c in check_member_duplicates(uow, ctx.actor, the_son(), MOSUL, on=ON, limit=5)}


def test_a_merged_duplicate_is_not_offered_again(ctx) -> None:
    with ctx.db.uow() as uow:
        kept = register_household(uow, ctx.actor, household(the_son()))
        twice = register_household(uow, ctx.actor, household(the_son()))  # the same son, registered again
    assert _offered(ctx) == {kept.id, twice.id}
    with ctx.db.uow() as uow:
        merge_duplicate(uow, ctx.actor, kept.id, twice.id, "the same family registered twice")
    assert _offered(ctx) == {kept.id}
    _seeker, case_id = open_son_case(ctx)
    with ctx.db.reader() as uow:
        alerts = tracing.list_alerts(uow, ctx.actor)
    assert [(a.case.id, a.candidate.household_id) for a in alerts] == [(case_id, kept.id)]
