"""Audit table model (no view): paging and filters; the dialog refuses clerks and reports a broken chain."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from station.domain.roles import Actor, Role
from station.errors import PermissionDenied
from station.services import audit
from station.services.audit import AuditFilter
from station.services.station import StationContext
from ui.audit.dialog import AuditDialog
from ui.audit.model import COL_ACTION, COL_ENTITY, COL_SEQ, EVENT_ROLE, AuditTableModel, context_loader


@pytest.fixture
def trail(sqlite_ctx: StationContext) -> StationContext:
    with sqlite_ctx.db.uow() as uow:
        for i in range(25):
            who = "sara" if i % 2 else sqlite_ctx.actor
            audit.record(uow, who, "household.create" if i < 20 else "print.card", "household", f"h{i}",
                         {"i": i}, station=sqlite_ctx.station_code)
    return sqlite_ctx


def test_model_pages_newest_first(trail: StationContext) -> None:
    m = AuditTableModel(context_loader(trail), page_size=10)
    m.refresh(AuditFilter(action="household."))
    assert m.rowCount() == 10 and m.page.total == 20 and m.columnCount() == 7
    assert m.data(m.index(0, COL_ENTITY)) == "household:h19"
    m.next_page()
    m.next_page()
    assert m.page.offset == 10 and m.data(m.index(9, COL_ENTITY)) == "household:h0"  # second call: no page 3
    m.previous_page()
    assert m.page.offset == 0
    ev = m.data(m.index(0, 0), EVENT_ROLE)
    assert isinstance(ev, audit.AuditEvent) and ev.details == {"i": 19}
    assert m.headerData(COL_ACTION, Qt.Orientation.Horizontal) == "What"
    assert m.headerData(0, Qt.Orientation.Horizontal).startswith("When (UTC")  # the zone is named


def test_model_filters(trail: StationContext) -> None:
    m = AuditTableModel(context_loader(trail), page_size=100)
    m.refresh(AuditFilter(actor="sara", action="print.card"))
    assert [m.data(m.index(r, COL_ENTITY)) for r in range(m.rowCount())] == ["household:h23", "household:h21"]
    m.refresh(AuditFilter(entity_id="h7"))
    assert m.rowCount() == 1 and m.data(m.index(0, COL_SEQ)) != ""
    today = audit.utcnow().date()  # the events were just recorded: today in UTC (the zone is explicit)
    m.refresh(AuditFilter(since=today, until=today, action="print.", zone=UTC))
    assert m.page.total == 5
    m.refresh(AuditFilter(until=today.replace(year=today.year - 1), zone=UTC))
    assert m.page.total == 0


def test_dialog_for_supervisor_and_verify(qtbot: QtBot, trail: StationContext) -> None:
    sup = dataclasses.replace(trail, actor=Actor("lead", Role.SUPERVISOR, trail.station_code))
    d = AuditDialog(sup, page_size=10)
    qtbot.addWidget(d)
    assert d.model.rowCount() == 10 and d.next.isEnabled() and not d.prev.isEnabled()
    d.action.setCurrentText("print.")
    d.apply.click()
    assert d.model.page.total == 5 and not d.next.isEnabled()
    d.verify_button.click()
    assert "chain intact" in d.verify_result.text()
    with trail.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'x' WHERE seq = 5"))
    d.verify_button.click()
    assert "event 5" in d.verify_result.text() and "changed" in d.verify_result.text()


def test_dialog_refuses_clerk(qtbot: QtBot, trail: StationContext) -> None:
    clerk = dataclasses.replace(trail, actor=Actor("sara", Role.CLERK, trail.station_code))
    with pytest.raises(PermissionDenied):
        AuditDialog(clerk)
    with pytest.raises(PermissionDenied):
        AuditTableModel(context_loader(clerk)).refresh(AuditFilter())


def test_model_shows_local_time_and_names_the_zone(trail: StationContext) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from station.db.rows import AuditEventRow

    with trail.db.engine.begin() as conn:  # stored as naive UTC: 21:30 UTC is 00:30 the next day in Baghdad
        conn.execute(AuditEventRow.__table__.update().values(at=datetime(2026, 3, 9, 21, 30)))  # noqa: DTZ001 - naive UTC, as the database stores it
    m = AuditTableModel(context_loader(trail), page_size=5, zone=ZoneInfo("Asia/Baghdad"))
    m.refresh(AuditFilter())
    everything = m.page.total
    m.refresh(AuditFilter(since=date(2026, 3, 10)))
    assert m.page.total == everything and m.data(m.index(0, 0)) == "2026-03-10 00:30:00"
    assert m.headerData(0, Qt.Orientation.Horizontal) == "When (UTC+03:00)"
    m.refresh(AuditFilter(until=date(2026, 3, 9)))
    assert m.page.total == 0  # 9 March ended at 21:00 UTC in Baghdad
