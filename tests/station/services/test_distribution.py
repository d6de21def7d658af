"""Relief hand-outs: one per item and round, nothing for closed households, every hand-out audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from station.db.rows import AuditEventRow, DistributionRow
from station.domain.codes import HouseholdStatus, ReliefItem
from station.errors import ConflictError, StationError
from station.i18n import tr
from station.services import audit, distribution
from station.services.registration import register_household, set_status
from tests.factories import family_of_five


def _rows(ctx) -> int:
    with ctx.db.reader() as uow:
        return uow.session.scalar(select(func.count()).select_from(DistributionRow)) or 0


def test_one_handout_per_item_and_round(ctx) -> None:
    with ctx.db.uow() as uow:
        hh = register_household(uow, ctx.actor, family_of_five())
        other = register_household(uow, ctx.actor, family_of_five())
        assert distribution.current_round(uow) is None
        distribution.open_round(uow, ctx.actor, 1)
    with ctx.db.uow() as uow:
        counted = distribution.record_handout(uow, ctx.actor, hh.id, {ReliefItem.FOOD_PARCEL: 1,
                                                                      ReliefItem.HYGIENE_KIT: 2}, in_round=True)
    assert counted == 1 and _rows(ctx) == 2
    # The same family back in the queue: refused as a whole, nothing written, the message names the round.
    with pytest.raises(ConflictError) as err, ctx.db.uow() as uow:
        distribution.record_handout(uow, ctx.actor, hh.id, {ReliefItem.BLANKET: 1, ReliefItem.FOOD_PARCEL: 1},
                                    in_round=True)
    assert err.value.code == "distribution.error.already" and err.value.params["round"] == 1
    assert err.value.params["items"] == tr("code.relief.food_parcel")  # a label, not the code; no blanket yet
    assert _rows(ctx) == 2
    with ctx.db.uow() as uow:  # another item of the same round, and another household, are fine
        distribution.record_handout(uow, ctx.actor, hh.id, {ReliefItem.BLANKET: 1}, in_round=True)
        distribution.record_handout(uow, ctx.actor, other.id, {ReliefItem.FOOD_PARCEL: 1}, in_round=True)
        # water on arrival is outside rounds and may be handed out again
        for _ in range(2):
            assert distribution.record_handout(uow, ctx.actor, hh.id, {ReliefItem.WATER: 6}, in_round=False) is None
        distribution.open_round(uow, ctx.actor, 2)
    with ctx.db.uow() as uow:  # the next round starts afresh
        assert distribution.record_handout(uow, ctx.actor, hh.id, {ReliefItem.FOOD_PARCEL: 1}, in_round=True) == 2
    with ctx.db.reader() as uow:
        got = distribution.history(uow, ctx.actor, hh.id)
        assert distribution.round_counts(uow, 1) == {"food_parcel": 2, "hygiene_kit": 1, "blanket": 1}
        events = list(uow.session.scalars(select(AuditEventRow).where(
            AuditEventRow.action.in_(["distribution.record", "distribution.round"])).order_by(AuditEventRow.seq)))
        assert all(r.ok for r in audit.verify_all(uow))
    assert (got[0].item, got[0].quantity, got[0].round_no) == (ReliefItem.FOOD_PARCEL, 1, 2)  # newest first
    assert sorted((h.item.value, h.round_no or 0) for h in got) == [
        ("blanket", 1), ("food_parcel", 1), ("food_parcel", 2), ("hygiene_kit", 1), ("water", 0), ("water", 0)]
    assert all(h.by == ctx.actor.username and h.station == ctx.actor.station for h in got)
    records = [e for e in events if e.action == "distribution.record"]
    assert len(records) == 6 and records[0].details == {"round": 1, "items": {"food_parcel": 1, "hygiene_kit": 2}}
    assert [e.details["round"] for e in events if e.action == "distribution.round"] == [[None, 1], [1, 2]]


def test_bad_handouts_are_refused_with_nothing_written(ctx) -> None:
    with ctx.db.uow() as uow:
        hh = register_household(uow, ctx.actor, family_of_five())
    cases = [
        ({ReliefItem.WATER: 0}, False, "distribution.error.nothing"),
        ({}, False, "distribution.error.nothing"),
        ({ReliefItem.WATER: 100}, False, "distribution.error.quantity"),
        ({ReliefItem.WATER: -1}, False, "distribution.error.quantity"),
        ({ReliefItem.FOOD_PARCEL: 1}, True, "distribution.error.no_round"),  # no round open yet
    ]
    for items, in_round, code in cases:
        with pytest.raises(StationError) as err, ctx.db.uow() as uow:
            distribution.record_handout(uow, ctx.actor, hh.id, items, in_round=in_round)
        assert err.value.code == code
    for bad in (0, 1000):
        with pytest.raises(StationError) as err, ctx.db.uow() as uow:
            distribution.open_round(uow, ctx.actor, bad)
        assert err.value.code == "distribution.error.round_range"
    with ctx.db.uow() as uow:
        set_status(uow, ctx.actor, hh.id, HouseholdStatus.DEPARTED, "moved to Erbil")
    with pytest.raises(ConflictError) as err, ctx.db.uow() as uow:
        distribution.record_handout(uow, ctx.actor, hh.id, {ReliefItem.WATER: 1}, in_round=False)
    assert err.value.code == "distribution.error.closed"
    assert _rows(ctx) == 0


def test_status_changes_need_a_reason_and_merged_stays_merged(ctx) -> None:
    from station.services.duplicates import merge_duplicate

    with ctx.db.uow() as uow:
        hh = register_household(uow, ctx.actor, family_of_five())
        dup = register_household(uow, ctx.actor, family_of_five())
        merge_duplicate(uow, ctx.actor, hh.id, dup.id, "registered twice")
    bad = [(hh.id, HouseholdStatus.DEPARTED, "  ", "error.reason_required"),
           (hh.id, HouseholdStatus.ACTIVE, "already here", "error.status_change_invalid"),
           (hh.id, HouseholdStatus.MERGED, "no", "error.status_change_invalid"),
           (dup.id, HouseholdStatus.ACTIVE, "undo the merge", "error.status_change_invalid")]
    for hid, status, reason, code in bad:
        with pytest.raises(StationError) as err, ctx.db.uow() as uow:
            set_status(uow, ctx.actor, hid, status, reason)
        assert err.value.code == code
    with ctx.db.uow() as uow:  # departed, then back on site
        set_status(uow, ctx.actor, hh.id, HouseholdStatus.DEPARTED, "moved to Erbil")
        set_status(uow, ctx.actor, hh.id, HouseholdStatus.ACTIVE, "came back")
    with ctx.db.reader() as uow:
        changes = [e.details["changes"]["status"] for e in uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "household.status").order_by(AuditEventRow.seq))]
    assert changes == [["active", "departed"], ["departed", "active"]]


def test_two_desks_handing_out_at_once_give_once(ctx) -> None:
    """Desk A has recorded but not yet committed when desk B tries: B waits for A, then is refused."""
    import threading
    import time

    with ctx.db.uow() as uow:
        hh = register_household(uow, ctx.actor, family_of_five())
        distribution.open_round(uow, ctx.actor, 1)
    a_recorded, outcome = threading.Event(), {}

    def desk_b() -> None:
        a_recorded.wait(10)
        try:
            with ctx.db.uow() as uow:
                distribution.record_handout(uow, ctx.actor, hh.id, {ReliefItem.FOOD_PARCEL: 1}, in_round=True)
            outcome["b"] = "recorded"
        except ConflictError as exc:
            outcome["b"] = exc.code

    b = threading.Thread(target=desk_b)
    b.start()
    with ctx.db.uow() as uow:
        distribution.record_handout(uow, ctx.actor, hh.id, {ReliefItem.FOOD_PARCEL: 1}, in_round=True)
        a_recorded.set()
        time.sleep(0.5)  # B is now waiting for A's lock (without it, B would not see A's row and insert too)
    b.join(20)
    assert outcome == {"b": "distribution.error.already"}
    assert _rows(ctx) == 1


def test_a_repeat_outside_rounds_is_flagged_within_the_window() -> None:
    from datetime import UTC, datetime, timedelta

    from station.domain.codes import ReliefItem
    from station.services.distribution import Handout, recent_repeats

    now = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
    given = [Handout(ReliefItem.WATER, 2, None, (now - timedelta(minutes=1)).replace(tzinfo=None), "amina", "MKH-01"),
             Handout(ReliefItem.BLANKET, 1, 3, now.replace(tzinfo=None), "amina", "MKH-01")]
    assert recent_repeats(given, {ReliefItem.WATER: 2}, now) == [(ReliefItem.WATER, 1)]
    assert recent_repeats(given, {ReliefItem.BLANKET: 1}, now) == []  # in a round: refused elsewhere, not asked
    assert recent_repeats(given, {ReliefItem.WATER: 2}, now + timedelta(hours=2)) == []
