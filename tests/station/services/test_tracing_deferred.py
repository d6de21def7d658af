"""A desk's save notes the tracing cases its people may match; they are confirmed after the commit
(station.services.tracing_deferred), raising exactly the alerts an immediate check raises."""

from __future__ import annotations

from sqlalchemy import select

from station.db.rows import MetaRow, TracingAlertRow
from station.services import tracing, tracing_checks
from station.services.registration import register_household
from station.services.tracing_deferred import confirm_pending, defer_confirmation
from tests.station.services.test_tracing import ON, household, open_son_case, the_son


def _alerts(ctx) -> list[tuple[str, str]]:
    with ctx.db.reader() as uow:
        return sorted((a.case_id, a.individual_id) for a in uow.session.scalars(select(TracingAlertRow)))


def _notes(ctx) -> list[str]:
    with ctx.db.reader() as uow:
        return [m.key for m in uow.session.scalars(select(MetaRow).where(MetaRow.key.like("tracing_pending:%")))]


def test_a_deferred_check_raises_after_the_commit_what_an_immediate_one_raises(ctx) -> None:
    _seeker, case_id = open_son_case(ctx)
    with ctx.db.uow() as uow:
        defer_confirmation(uow)
        son = register_household(uow, ctx.actor, household(the_son()))
    assert _alerts(ctx) == []  # not yet: noted with the save, in its transaction
    assert _notes(ctx) == [tracing_checks.PENDING_PREFIX + case_id]
    assert confirm_pending(ctx.db, on=ON) == 1
    assert _alerts(ctx) == [(case_id, son.members[0].id)]
    assert _notes(ctx) == []
    assert confirm_pending(ctx.db, on=ON) == 0  # once
    # the same household saved without deferring raises the same alert at once (a fresh station)
    with ctx.db.uow() as uow:
        again = register_household(uow, ctx.actor, household(the_son()))
    assert len(_alerts(ctx)) == 2 and (case_id, again.members[0].id) in _alerts(ctx)


def test_a_note_left_by_a_crash_is_confirmed_later_and_a_closed_case_is_not(ctx) -> None:
    _seeker, case_id = open_son_case(ctx)
    with ctx.db.uow() as uow:
        defer_confirmation(uow)
        register_household(uow, ctx.actor, household(the_son()))
    with ctx.db.uow() as uow:  # the case closed before the note was confirmed
        tracing.close_case(uow, ctx.actor, case_id, "found by the family")
    assert confirm_pending(ctx.db, on=ON) == 0
    assert _alerts(ctx) == [] and _notes(ctx) == []


def test_people_unlike_the_case_leave_no_note(ctx) -> None:
    open_son_case(ctx)
    with ctx.db.uow() as uow:
        defer_confirmation(uow)
        register_household(uow, ctx.actor, household(the_son(age_years=60)))  # the name, 42 years older
    assert _notes(ctx) == []
