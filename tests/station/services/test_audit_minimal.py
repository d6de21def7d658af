"""The audit trail keeps who, what, when and which record, but no copy of the person's record (issue 15)."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import select

from station.db.rows import AuditEventRow
from station.services import audit
from station.services.registration import correct_household, get_household
from tests.station.printing.print_helpers import add_household
from tests.station.services.test_registration import _draft_for


def test_no_names_documents_or_needs_in_the_trail(sqlite_ctx) -> None:
    saved = add_household(sqlite_ctx, with_photo=False)
    with sqlite_ctx.db.reader() as uow:
        view = get_household(uow, sqlite_ctx.actor, saved.id)
    draft = _draft_for(view)
    m0 = draft.members[0]
    draft = replace(draft, members=(replace(m0, name_lat=replace(m0.name_lat, given="Fatimah")), *draft.members[1:]))
    with sqlite_ctx.db.uow() as uow:
        correct_household(uow, sqlite_ctx.actor, draft)
    with sqlite_ctx.db.reader() as uow:
        events = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.entity_id == saved.id)).all()
        assert {e.action for e in events} >= {"household.create", "household.update"}
        trail = json.dumps([e.details for e in events], ensure_ascii=False)
        for personal in ("Fatima", "Jubouri", "فاطمة", "ئاوێزان", "Awezan", "1985-03-01"):
            assert personal not in trail, personal
        update = next(e for e in events if e.action == "household.update")
        assert update.details["registration_number"] == saved.registration_number  # which record
        assert update.details["changes"]["members"] == {saved.members[0].id: ["name_lat"]}  # what
        assert update.actor == "admin" and update.at is not None  # who, when
        assert all(r.ok for r in audit.verify_all(uow))
