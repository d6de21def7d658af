"""A card printed at 00:30 in Baghdad is dated that day, and the wristband shows the local arrival day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium

from station import settings
from station.services import printing as svc
from station.services.registration import correct_household, get_household
from tests.station.printing.print_helpers import add_household


def _text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def test_card_and_wristband_carry_the_local_day_after_midnight(sqlite_ctx, home: Path) -> None:
    settings.update(settings.StationSettings, home, time_zone="Asia/Baghdad")
    hh = add_household(sqlite_ctx, with_photo=False)
    # 00:20 on 10 March in Baghdad is 21:20 UTC on 9 March: the clerk types the local time
    arrived = datetime(2026, 3, 10, 0, 20)  # noqa: DTZ001 - a clerk's typed time: naive is the station's local time
    with sqlite_ctx.db.uow() as uow:
        view = get_household(uow, sqlite_ctx.actor, hh.id)
        draft = _draft_of(view, arrived)
        view = correct_household(uow, sqlite_ctx.actor, draft)
    assert view.arrived_at.replace(tzinfo=None) == arrived and view.arrived_at.utcoffset().total_seconds() == 3 * 3600
    with sqlite_ctx.db.uow() as uow:
        card = svc.prepare_cards(uow, sqlite_ctx.actor, [hh.registration_number],
                                 now=datetime(2026, 3, 9, 21, 30, tzinfo=UTC))  # 00:30 local
        band = svc.prepare_wristbands(uow, sqlite_ctx.actor, [hh.registration_number])
    assert "2026-03-10" in _text(card.pdf) and "2026-03-09" not in _text(card.pdf)
    assert "2026-03-10" in _text(band.pdf) and "2026-03-09" not in _text(band.pdf)


def _draft_of(view, arrived: datetime):
    from station.domain.model import HouseholdDraft, MemberDraft

    members = tuple(MemberDraft(id=m.id, name_ar=m.name_ar, name_lat=m.name_lat, sex=m.sex,
                                relationship=m.relationship, birth_date=m.birth_date, nationality=m.nationality,
                                marital_status=m.marital_status, documents=m.documents, needs=m.needs)
                    for m in view.members)
    return replace(HouseholdDraft(members=members, origin=view.origin, arrival_point=view.arrival_point,
                                  notes=view.notes, id=view.id, expected_version=view.version), arrived_at=arrived)
