"""Merging a duplicate household closes it, links it to the kept one, and loses nothing; scans are audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from station.db.rows import AuditEventRow
from station.domain.codes import HouseholdStatus
from station.errors import StationError
from station.services import audit
from station.services.duplicates import merge_duplicate
from station.services.registration import get_household, register_household
from station.services.scans import record_scan
from tests.factories import family_of_five


def test_merge_duplicate(ctx) -> None:
    with ctx.db.uow() as uow:
        keep = register_household(uow, ctx.actor, family_of_five())
        dup = register_household(uow, ctx.actor, family_of_five())
    with ctx.db.uow() as uow:
        merge_duplicate(uow, ctx.actor, keep.id, dup.id, "same family registered at both desks")
    with ctx.db.reader() as uow:
        merged = get_household(uow, ctx.actor, dup.id)
        kept = get_household(uow, ctx.actor, keep.id)
        ev = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "household.merge")).one()
        assert all(r.ok for r in audit.verify_all(uow))
    assert merged.status is HouseholdStatus.MERGED and merged.size == 5  # nothing deleted
    assert keep.registration_number in merged.notes and merged.version == 2
    assert kept.status is HouseholdStatus.ACTIVE
    assert ev.details["kept"] == keep.registration_number and ev.entity_id == dup.id
    for bad in ((keep.id, keep.id, "x"), (keep.id, dup.id, "again"), (dup.id, keep.id, "back"), (keep.id, dup.id, " ")):
        with pytest.raises(StationError) as err, ctx.db.uow() as uow:
            merge_duplicate(uow, ctx.actor, *bad)
        assert err.value.code == "error.merge_invalid"


def test_scan_is_audited_without_values(ctx) -> None:
    with ctx.db.uow() as uow:
        record_scan(uow, ctx.actor, kind="document", fmt="TD1", valid=False, failed_checks=1)
    with ctx.db.reader() as uow:
        ev = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "scan.document")).one()
    assert ev.details == {"format": "TD1", "valid": False, "failed_checks": 1} and ev.actor == "admin"


def test_merged_duplicates_card_no_longer_verifies(ctx) -> None:
    from station.services import printing

    with ctx.db.uow() as uow:
        keep = register_household(uow, ctx.actor, family_of_five())
        dup = register_household(uow, ctx.actor, family_of_five())
    with ctx.db.uow() as uow:
        job = printing.prepare_cards(uow, ctx.actor, [dup.id])
        printing.record_printed(uow, ctx.actor, job, printer="pdf", job_ref=job.job_id)
    from station.printing.payload import card_payload

    with ctx.db.reader() as uow:  # the text the printed QR code carries
        payload = card_payload(printing.site_card_key(uow), dup.registration_number, job.items[0].issue)
        assert printing.verify_card_payload(uow, payload).valid
    with ctx.db.uow() as uow:
        merge_duplicate(uow, ctx.actor, keep.id, dup.id, "registered twice")
    with ctx.db.reader() as uow:
        check = printing.verify_card_payload(uow, payload)
    assert not check.valid and check.reason == "printing.check.closed"  # no second ration on the duplicate
