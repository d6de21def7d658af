"""Edit, delete or insert audit rows with raw SQL behind the station's back: verify names the first bad event."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select, text

from station.db.rows import AuditEventRow
from station.domain.roles import Role
from station.services import audit
from station.services.station import StationContext


def _fill(ctx: StationContext, n: int = 8) -> list[dict[str, Any]]:
    with ctx.db.uow() as uow:
        for i in range(n):
            audit.record(uow, ctx.actor, "test.event", "thing", f"t{i}", {"i": i, "name": "سارة"})
    return _rows(ctx)


def _rows(ctx: StationContext) -> list[dict[str, Any]]:
    with ctx.db.engine.connect() as conn:
        res = conn.execute(text("SELECT * FROM audit_events WHERE station = :s ORDER BY seq"),
                           {"s": ctx.station_code})
        return [dict(r._mapping) for r in res]


def _sql(ctx: StationContext, sql: str, **params: object) -> None:
    with ctx.db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _report(ctx: StationContext) -> audit.ChainReport:
    with ctx.db.reader() as uow:
        (report,) = audit.verify_all(uow)
    return report


def _insert(ctx: StationContext, seq: int, prev_hash: str, *, good_hash: bool) -> str:
    event_id = str(uuid.uuid4())
    at = audit.utcnow()
    details = {"forged": True}
    h = audit.event_hash(prev_hash, event_id=event_id, station=ctx.station_code, seq=seq, at=at, actor="admin",
                         action="household.create", entity_type="household", entity_id="x",
                         details=details) if good_hash else "f" * 64
    _sql(ctx, "INSERT INTO audit_events (event_id, station, seq, at, actor, action, entity_type, entity_id, "
              "details, prev_hash, hash) VALUES (:e, :s, :q, :at, 'admin', 'household.create', 'household', 'x', "
              ":d, :p, :h)",
         e=event_id, s=ctx.station_code, q=seq, at=at, d=json.dumps(details), p=prev_hash, h=h)
    return event_id


def test_untouched_chain_verifies(ctx: StationContext) -> None:
    rows = _fill(ctx)
    report = _report(ctx)
    assert report.ok and report.events == len(rows) and report.problem is None


@pytest.mark.parametrize(("column", "value"), [
    ("details", json.dumps({"i": 99, "name": "سارة"})), ("actor", "somebody"), ("action", "test.other"),
    ("entity_id", "t99"), ("at", datetime(2020, 1, 1, 12, 0)),  # noqa: DTZ001 - naive UTC, as the database stores it
])
def test_edited_row_is_named(ctx: StationContext, column: str, value: object) -> None:
    rows = _fill(ctx)
    victim = rows[4]
    _sql(ctx, f"UPDATE audit_events SET {column} = :v WHERE event_id = :e", v=value, e=victim["event_id"])
    r = _report(ctx)
    assert (r.ok, r.problem, r.first_bad_seq, r.first_bad_event_id) == (
        False, "changed", victim["seq"], victim["event_id"])


def test_edited_row_with_recomputed_hash_is_named(ctx: StationContext) -> None:
    """The forger knows the hash formula and rewrites one event's hash: its successor's link names it."""
    rows = _fill(ctx)
    with ctx.db.reader() as uow:
        v = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.event_id == rows[3]["event_id"])).one()
        new_hash = audit.event_hash(v.prev_hash, event_id=v.event_id, station=v.station, seq=v.seq, at=v.at,
                                    actor="somebody", action=v.action, entity_type=v.entity_type,
                                    entity_id=v.entity_id, details=v.details)
    _sql(ctx, "UPDATE audit_events SET actor = 'somebody', hash = :h WHERE event_id = :e", h=new_hash,
         e=v.event_id)
    r = _report(ctx)
    assert (r.problem, r.first_bad_seq, r.first_bad_event_id) == ("changed", v.seq, v.event_id)


def test_deleted_row_in_the_middle(ctx: StationContext) -> None:
    rows = _fill(ctx)
    _sql(ctx, "DELETE FROM audit_events WHERE event_id = :e", e=rows[2]["event_id"])
    r = _report(ctx)
    assert (r.problem, r.first_bad_seq, r.first_bad_event_id) == ("removed", rows[2]["seq"], rows[3]["event_id"])


def test_deleted_rows_then_renumbered(ctx: StationContext) -> None:
    rows = _fill(ctx)
    _sql(ctx, "DELETE FROM audit_events WHERE event_id = :e", e=rows[2]["event_id"])
    for row in rows[3:]:
        _sql(ctx, "UPDATE audit_events SET seq = seq - 1 WHERE event_id = :e", e=row["event_id"])
    r = _report(ctx)
    assert (r.problem, r.first_bad_seq, r.first_bad_event_id) == ("removed", rows[2]["seq"], rows[3]["event_id"])


def test_deleted_last_rows(ctx: StationContext) -> None:
    rows = _fill(ctx)
    _sql(ctx, "DELETE FROM audit_events WHERE seq >= :q AND station = :s", q=rows[-2]["seq"], s=ctx.station_code)
    r = _report(ctx)
    assert (r.problem, r.first_bad_seq) == ("removed", rows[-2]["seq"])


def test_deleted_last_row_names_it(ctx: StationContext) -> None:
    rows = _fill(ctx)
    _sql(ctx, "DELETE FROM audit_events WHERE event_id = :e", e=rows[-1]["event_id"])
    r = _report(ctx)
    assert (r.problem, r.first_bad_seq, r.first_bad_event_id) == ("removed", rows[-1]["seq"], rows[-1]["event_id"])


def test_everything_deleted(ctx: StationContext) -> None:
    _fill(ctx)
    _sql(ctx, "DELETE FROM audit_events")
    with ctx.db.reader() as uow:
        (r,) = audit.verify_all(uow)
    assert (r.ok, r.problem, r.first_bad_seq) == (False, "removed", 1)


@pytest.mark.parametrize("good_hash", [False, True])
def test_row_appended_at_the_end(ctx: StationContext, good_hash: bool) -> None:
    rows = _fill(ctx)
    forged = _insert(ctx, rows[-1]["seq"] + 1, rows[-1]["hash"], good_hash=good_hash)
    r = _report(ctx)
    assert (r.problem, r.first_bad_seq, r.first_bad_event_id) == ("inserted", rows[-1]["seq"] + 1, forged)


@pytest.mark.parametrize("good_hash", [False, True])
def test_row_inserted_in_the_middle_with_renumbering(ctx: StationContext, good_hash: bool) -> None:
    rows = _fill(ctx)
    k = rows[3]["seq"]
    for row in reversed(rows[3:]):  # make room: shift later events up by one
        _sql(ctx, "UPDATE audit_events SET seq = seq + 1 WHERE event_id = :e", e=row["event_id"])
    forged = _insert(ctx, k, rows[2]["hash"], good_hash=good_hash)
    r = _report(ctx)
    assert (r.problem, r.first_bad_seq, r.first_bad_event_id) == ("inserted", k, forged)


def test_swapped_rows(ctx: StationContext) -> None:
    rows = _fill(ctx)
    a, b = rows[2], rows[3]
    _sql(ctx, "UPDATE audit_events SET seq = -1 WHERE event_id = :e", e=a["event_id"])
    _sql(ctx, "UPDATE audit_events SET seq = :q WHERE event_id = :e", q=a["seq"], e=b["event_id"])
    _sql(ctx, "UPDATE audit_events SET seq = :q WHERE event_id = :e", q=b["seq"], e=a["event_id"])
    r = _report(ctx)
    assert not r.ok and r.first_bad_seq == a["seq"] and r.first_bad_event_id == b["event_id"]


def test_events_from_the_station_keep_verifying(sqlite_ctx: StationContext) -> None:
    """Lock, unlock, sign-out and account events all extend the same intact chain."""
    from station.services import accounts
    from station.services import station as st

    accounts.create_account(sqlite_ctx, "sara", Role.CLERK, "sara passphrase 1")
    st.lock_session(sqlite_ctx, "shortcut")
    st.unlock_session(sqlite_ctx, "admin", "correct horse battery staple")
    r = _report(sqlite_ctx)
    assert r.ok and r.events >= 5


def test_two_transactions_of_one_station_append_in_turn(ctx) -> None:
    """A background export and a save of the same station: the second waits and takes the next seq."""
    import threading
    import time

    with ctx.db.uow() as uow:
        audit.record(uow, ctx.actor, "session.lock")  # the head marker exists from the first event on
    first_done, errors = threading.Event(), []

    def second() -> None:
        first_done.wait(10)
        try:
            with ctx.db.uow() as uow:
                audit.record(uow, ctx.actor, "export.pack", "station", ctx.actor.station)
        except Exception as exc:  # the test reports any failure of the second writer
            errors.append(repr(exc))

    t = threading.Thread(target=second)
    t.start()
    with ctx.db.uow() as uow:
        audit.record(uow, ctx.actor, "household.update", "household", "x")
        first_done.set()
        time.sleep(0.5)  # the second transaction is now trying to append
    t.join(20)
    assert errors == []
    with ctx.db.reader() as uow:
        rows = uow.session.execute(select(AuditEventRow.seq, AuditEventRow.action).where(
            AuditEventRow.station == ctx.actor.station).order_by(AuditEventRow.seq)).all()
        assert all(r.ok for r in audit.verify_all(uow))
    actions = [a for _s, a in rows]
    assert actions[-2:] == ["household.update", "export.pack"]
    assert [s for s, _a in rows] == list(range(rows[0][0], rows[0][0] + len(rows)))
