"""Printing service: jobs from the database, records only after acceptance, reprints supersede, signed codes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from station.db.rows import AuditEventRow, HouseholdRow, MetaRow, PrintRecordRow
from station.domain.roles import Actor, Role
from station.errors import ConflictError, PermissionDenied, StationError
from station.printing import payload
from station.services import audit
from station.services import printing as svc
from tests.station.printing.print_helpers import add_household


def _card_job(ctx, hh, reason: str = "", actor=None, kind: str = "card"):
    with ctx.db.uow() as uow:
        return svc.prepare_cards(uow, actor or ctx.actor, [hh.registration_number], kind=kind, reason=reason)


def test_site_key_created_once_and_kept(sqlite_ctx) -> None:
    with sqlite_ctx.db.uow() as uow:
        k1 = svc.site_card_key(uow)
    with sqlite_ctx.db.uow() as uow:
        k2 = svc.site_card_key(uow)
        stored = uow.session.get(MetaRow, "site_card_key").value
    assert k1 == k2 and len(k1) == 32 and stored == k1.hex()


def test_prepare_writes_nothing_record_moves_issue(sqlite_ctx) -> None:
    hh = add_household(sqlite_ctx)
    job = _card_job(sqlite_ctx, hh)
    assert job.pdf.startswith(b"%PDF") and job.page_mm == (85.6, 54.0)
    assert job.items[0].issue == 1 and not job.is_reprint
    assert hh.registration_number not in job.title  # no personal data in the spooler's file name
    with sqlite_ctx.db.uow() as uow:
        assert uow.session.get(HouseholdRow, hh.id).card_issue == 0
        assert uow.session.scalars(select(PrintRecordRow)).all() == []
    with sqlite_ctx.db.uow() as uow:
        svc.record_printed(uow, sqlite_ctx.actor, job, printer="StationPDF", job_ref="StationPDF-7")
    with sqlite_ctx.db.uow() as uow:
        assert uow.session.get(HouseholdRow, hh.id).card_issue == 1
        rec = uow.session.scalars(select(PrintRecordRow)).one()
        assert (rec.kind, rec.issue_number, rec.reprint, rec.printer, rec.job_ref) == (
            "card", 1, False, "StationPDF", "StationPDF-7")
        actions = [e.action for e in uow.session.scalars(select(AuditEventRow))]
        assert "print.card" in actions
        assert all(r.ok for r in audit.verify_all(uow))


def test_reprint_needs_permission_and_reason_and_supersedes(sqlite_ctx) -> None:
    hh = add_household(sqlite_ctx)
    first = _card_job(sqlite_ctx, hh)
    with sqlite_ctx.db.uow() as uow:
        svc.record_printed(uow, sqlite_ctx.actor, first, printer="pdf")
    clerk = Actor("clerk1", Role.CLERK, sqlite_ctx.actor.station)
    with pytest.raises(PermissionDenied):
        _card_job(sqlite_ctx, hh, reason="lost", actor=clerk)
    with pytest.raises(StationError) as err:
        _card_job(sqlite_ctx, hh, reason="  ")
    assert err.value.code == "printing.error.reason_required"
    second = _card_job(sqlite_ctx, hh, reason="card lost", kind="sheet")
    assert second.items[0].issue == 2 and second.is_reprint and second.page_mm == (210.0, 297.0)
    with sqlite_ctx.db.uow() as uow:
        svc.record_printed(uow, sqlite_ctx.actor, second, printer="pdf")
    old_code = payload.card_payload(_key(sqlite_ctx), hh.registration_number, 1)
    new_code = payload.card_payload(_key(sqlite_ctx), hh.registration_number, 2)
    with sqlite_ctx.db.reader() as uow:
        old = svc.verify_card_payload(uow, old_code)
        new = svc.verify_card_payload(uow, new_code)
        rec = uow.session.scalars(select(PrintRecordRow).where(PrintRecordRow.reprint.is_(True))).one()
        ev = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "print.card_reprint")).one()
    assert (old.valid, old.superseded, old.reason, old.current_issue) == (False, True, "printing.check.superseded", 2)
    assert (new.valid, new.issue, new.reason) == (True, 2, "printing.check.valid")
    assert rec.reason == "card lost" and ev.details["issue"] == 2 and ev.details["reason"] == "card lost"


def test_stale_job_cannot_be_recorded_twice(sqlite_ctx) -> None:
    hh = add_household(sqlite_ctx)
    a = _card_job(sqlite_ctx, hh)
    b = _card_job(sqlite_ctx, hh)  # prepared at the same time elsewhere
    with sqlite_ctx.db.uow() as uow:
        svc.record_printed(uow, sqlite_ctx.actor, a, printer="pdf")
    with pytest.raises(ConflictError), sqlite_ctx.db.uow() as uow:
        svc.record_printed(uow, sqlite_ctx.actor, b, printer="pdf")
    with sqlite_ctx.db.reader() as uow:
        assert uow.session.get(HouseholdRow, hh.id).card_issue == 1
        assert len(uow.session.scalars(select(PrintRecordRow)).all()) == 1


def _key(ctx) -> bytes:
    with ctx.db.uow() as uow:
        return svc.site_card_key(uow)


def test_verify_rejects_forged_unknown_and_unprinted(sqlite_ctx) -> None:
    hh = add_household(sqlite_ctx)
    key = _key(sqlite_ctx)
    with sqlite_ctx.db.reader() as uow:
        assert svc.verify_card_payload(uow, "hello").reason == "printing.check.format"
        forged = payload.card_payload(b"\x01" * 32, hh.registration_number, 1)
        assert svc.verify_card_payload(uow, forged).reason == "printing.check.mac"
        tampered = payload.card_payload(key, hh.registration_number, 1)[:-1] + "A"
        if tampered == payload.card_payload(key, hh.registration_number, 1):
            tampered = tampered[:-1] + "B"
        assert svc.verify_card_payload(uow, tampered).valid is False
        assert svc.verify_card_payload(uow, payload.card_payload(key, "MKH-02-999999-X", 1)).reason == (
            "printing.check.unknown")
        assert svc.verify_card_payload(uow, payload.card_payload(key, hh.registration_number, 1)).reason == (
            "printing.check.no_card")
        band = svc.verify_card_payload(uow, payload.wristband_payload(key, hh.registration_number, 2))
        assert (band.valid, band.kind, band.position) == (True, "wristband", 2)
        assert not svc.verify_card_payload(uow, payload.wristband_payload(key, hh.registration_number, 9)).valid


def test_wristbands_one_per_member_reprint_detected(sqlite_ctx) -> None:
    hh = add_household(sqlite_ctx)
    with sqlite_ctx.db.uow() as uow:
        job = svc.prepare_wristbands(uow, sqlite_ctx.actor, [hh.id])
    assert len(job.items) == 3 and not job.is_reprint
    assert job.page_mm == (25.4, 279.0)
    with sqlite_ctx.db.uow() as uow:
        svc.record_printed(uow, sqlite_ctx.actor, job, printer="pdf")
    one = [hh.members[1].id]
    with pytest.raises(StationError), sqlite_ctx.db.uow() as uow:
        svc.prepare_wristbands(uow, sqlite_ctx.actor, [hh.id], member_ids=one)  # reprint needs a reason
    with sqlite_ctx.db.uow() as uow:
        again = svc.prepare_wristbands(uow, sqlite_ctx.actor, [hh.id], member_ids=one, reason="torn")
    assert [i.individual_id for i in again.items] == one and again.is_reprint
    with sqlite_ctx.db.reader() as uow:
        assert uow.session.get(HouseholdRow, hh.id).card_issue == 0  # wristbands do not touch the card issue


def test_inactive_or_missing_household_refused(sqlite_ctx) -> None:
    hh = add_household(sqlite_ctx, with_photo=False)
    from station.domain.codes import HouseholdStatus
    from station.services.registration import set_status

    with sqlite_ctx.db.uow() as uow:
        set_status(uow, sqlite_ctx.actor, hh.id, HouseholdStatus.DEPARTED, "left")
    with pytest.raises(StationError) as err:
        _card_job(sqlite_ctx, hh)
    assert err.value.code == "printing.error.household_inactive"
    with pytest.raises(StationError):
        _card_job(sqlite_ctx, replace(hh, registration_number="MKH-02-000777-Q"))
