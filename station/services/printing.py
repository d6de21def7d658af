"""Print wristbands and ration cards for households: build the job, record it once accepted, verify codes.

The flow keeps the database out of the printer's way:
1. `prepare_*` reads the household(s) and returns a `PrintJob` holding the PDF (nothing is written);
2. the caller sends the PDF (station.printing.spool) or saves it as a file, outside any transaction;
3. only when the job was accepted does `record_printed` write the print records, move the household's
   `card_issue` on (so every earlier card scans as superseded) and append the audit events.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from station import clock
from station.db.rows import HouseholdRow, MetaRow, PrintRecordRow
from station.db.uow import UnitOfWork
from station.domain.codes import HouseholdStatus
from station.domain.model import HouseholdView, MemberView
from station.domain.roles import Actor, Permission
from station.errors import ConflictError, StationError
from station.printing import payload as codes
from station.printing.card import render_cards
from station.printing.content import CardContent, WristbandContent, labels
from station.printing.geometry import A4_H, A4_W, CR80_H, CR80_W
from station.printing.profiles import PrintSettings, load_print_settings
from station.printing.sheet import render_sheets
from station.printing.wristband import render_wristbands
from station.services import audit, photos
from station.services.authz import require
from station.services.registration import find_by_regno, get_household

SITE_KEY = "site_card_key"
KINDS = ("wristband", "card", "sheet")


@dataclass(frozen=True)
class JobItem:
    household_id: str
    registration_number: str
    kind: str  # "wristband" | "card"
    issue: int  # card issue this print creates (0 for wristbands)
    individual_id: str | None
    reprint: bool


@dataclass(frozen=True)
class PrintJob:
    """A rendered document ready for a printer; `title` carries no personal data (cups-pdf names files by it)."""

    job_id: str
    kind: str  # "wristband" | "card" | "sheet"
    pdf: bytes
    page_mm: tuple[float, float]  # (width, height) of a page as the printer must receive it
    items: tuple[JobItem, ...]
    reason: str
    title: str

    @property
    def is_reprint(self) -> bool:
        return any(i.reprint for i in self.items)


@dataclass(frozen=True)
class CardCheck:
    valid: bool
    regno: str
    issue: int  # card issue read from the code (0 for a wristband)
    superseded: bool
    reason: str  # message key, see station/resources/translations/printing.*.json
    kind: str = "card"
    position: int = 0  # wristband: member position
    current_issue: int = 0


# --- site key --------------------------------------------------------------------------------------------


def site_card_key(uow: UnitOfWork) -> bytes:
    """The key signing card codes, created on first use (32 random bytes, hex in the encrypted database)."""
    row = uow.session.get(MetaRow, SITE_KEY)
    if row is None:
        row = MetaRow(key=SITE_KEY, value=secrets.token_hex(32))
        uow.session.add(row)
        uow.session.flush()
    return bytes.fromhex(row.value)


# --- building jobs ---------------------------------------------------------------------------------------


def _names(m: MemberView) -> tuple[str, str]:
    return m.name_ar.full(), m.name_lat.full()


def _household(uow: UnitOfWork, actor: Actor, ref: str) -> HouseholdView:
    """A household by id or by registration number."""
    try:
        uuid.UUID(ref)
    except ValueError:
        return find_by_regno(uow, actor, ref)
    return get_household(uow, actor, ref)


def _printed_individuals(uow: UnitOfWork, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    rows = uow.session.scalars(
        select(PrintRecordRow.individual_id).where(
            PrintRecordRow.kind == "wristband", PrintRecordRow.individual_id.in_(list(ids))
        )
    )
    return {r for r in rows if r}


def _authorise(actor: Actor, reprint: bool, reason: str) -> None:
    if reprint:
        require(actor, Permission.REPRINT)
        if not reason.strip():
            raise StationError("printing.error.reason_required")
    else:
        require(actor, Permission.PRINT_FIRST)


def _check_active(hh: HouseholdView) -> None:
    if hh.status is not HouseholdStatus.ACTIVE:
        raise StationError("printing.error.household_inactive")
    if not hh.members:
        raise StationError("printing.error.no_members")


def prepare_wristbands(
    uow: UnitOfWork, actor: Actor, households: Sequence[str], *, member_ids: Sequence[str] | None = None,
    reason: str = "", settings: PrintSettings | None = None, today: date | None = None,
) -> PrintJob:
    """Wristbands for every member (or the given members) of the households (ids or registration numbers)."""
    settings = settings or load_print_settings()
    key = site_card_key(uow)
    contents: list[WristbandContent] = []
    items: list[JobItem] = []
    for ref in households:
        hh = _household(uow, actor, ref)
        _check_active(hh)
        members = [m for m in hh.members if member_ids is None or m.id in member_ids]
        printed = _printed_individuals(uow, [m.id for m in members])
        for m in members:
            local, latin = _names(m)
            contents.append(WristbandContent(
                registration_number=hh.registration_number, position=m.position, name_local=local,
                name_latin=latin, household_size=hh.size, arrived_on=hh.arrived_at.date(),
                payload=codes.wristband_payload(key, hh.registration_number, m.position),
            ))
            items.append(JobItem(hh.id, hh.registration_number, "wristband", 0, m.id, m.id in printed))
    if not items:
        raise StationError("printing.error.no_members")
    _authorise(actor, any(i.reprint for i in items), reason)
    layout = settings.wristband_layout()
    pdf = render_wristbands(contents, labels(settings.local_language), layout)
    job_id = uuid.uuid4().hex[:12]
    return PrintJob(job_id, "wristband", pdf, (layout.width, layout.length), tuple(items), reason.strip(),
                    f"station-wristband-{job_id}")


def prepare_cards(
    uow: UnitOfWork, actor: Actor, households: Sequence[str], *, kind: str = "card", reason: str = "",
    settings: PrintSettings | None = None, today: date | None = None, now: datetime | None = None,
) -> PrintJob:
    """Ration cards (kind "card": CR80 pages; "sheet": A4 sheets of ten) for the households.

    Each card carries issue `card_issue + 1`: printing it supersedes every earlier card of its household.
    """
    if kind not in ("card", "sheet"):
        raise ValueError(kind)
    settings = settings or load_print_settings()
    key = site_card_key(uow)
    today = today or clock.local_today(now)  # the date of issue is a day of the station's calendar
    contents: list[CardContent] = []
    items: list[JobItem] = []
    for ref in households:
        hh = _household(uow, actor, ref)
        _check_active(hh)
        row = uow.session.get(HouseholdRow, hh.id)
        assert row is not None
        issue = row.card_issue + 1
        head = hh.head
        assert head is not None
        local, latin = _names(head)
        portrait = photos.load_portrait(uow, actor, head.id) if head.has_photo else None
        contents.append(CardContent(
            registration_number=hh.registration_number, issue=issue, name_local=local, name_latin=latin,
            household_size=hh.size, issued_on=today,
            payload=codes.card_payload(key, hh.registration_number, issue), portrait_jpeg=portrait,
        ))
        items.append(JobItem(hh.id, hh.registration_number, "card", issue, None, row.card_issue > 0))
    if not items:
        raise StationError("printing.error.no_members")
    _authorise(actor, any(i.reprint for i in items), reason)
    lab = labels(settings.local_language, settings.organisation)
    job_id = uuid.uuid4().hex[:12]
    if kind == "card":
        pdf = render_cards(contents, lab, settings.card_layout(), backs=settings.card_backs)
        page = (CR80_W, CR80_H)
    else:
        pdf = render_sheets(contents, lab, sheet=settings.sheet_layout(), layout=settings.card_layout(),
                            backs=settings.sheet_backs)
        page = (A4_W, A4_H)
    return PrintJob(job_id, kind, pdf, page, tuple(items), reason.strip(), f"station-{kind}-{job_id}")


# --- recording -------------------------------------------------------------------------------------------


def record_printed(uow: UnitOfWork, actor: Actor, job: PrintJob, *, printer: str, job_ref: str = "") -> None:
    """Write the print records once the printer (or the PDF file) accepted the job.

    A card moves its household's `card_issue` to the printed issue; if another print got there first
    (the household's issue moved on since the job was prepared) a ConflictError is raised and nothing
    is written, so two stations can never both believe their card is the valid one.
    """
    _authorise(actor, job.is_reprint, job.reason)
    now = audit.utcnow()
    for item in job.items:
        if item.kind == "card":
            row = uow.session.get(HouseholdRow, item.household_id, with_for_update=True)
            if row is None or row.card_issue != item.issue - 1:
                raise ConflictError("error.edited_elsewhere")
            row.card_issue = item.issue
            # The card issue is part of the household's record: a new version, so merging at the office
            # keeps the newest issue (and superseded cards are recognised there too).
            row.version += 1
            row.updated_at = now
            row.updated_by = actor.username
        uow.session.add(PrintRecordRow(
            id=str(uuid.uuid4()), household_id=item.household_id, individual_id=item.individual_id,
            kind=item.kind, issue_number=item.issue, reprint=item.reprint, reason=job.reason,
            printer=printer[:128], job_ref=job_ref[:64], printed_at=now, printed_by=actor.username,
        ))
        action = f"print.{item.kind}" + ("_reprint" if item.reprint else "")
        details: dict[str, object] = {"registration_number": item.registration_number, "printer": printer,
                                      "job": job_ref, "document": job.kind}
        if item.kind == "card":
            details["issue"] = item.issue
        if item.individual_id:
            details["individual_id"] = item.individual_id
        if item.reprint:
            details["reason"] = job.reason
        audit.record(uow, actor, action, "household", item.household_id, details)
    uow.session.flush()


def save_pdf(job: PrintJob, path: Path) -> None:
    """Write the job as a PDF file (owner-only permissions: it holds names and portraits)."""
    from station.fsutil import atomic_write_bytes

    try:
        atomic_write_bytes(path, job.pdf)
        path.chmod(0o600)
    except OSError:
        raise StationError("printing.error.pdf_write") from None


# --- verifying scanned codes -----------------------------------------------------------------------------


def verify_card_payload(uow: UnitOfWork, text: str) -> CardCheck:
    """Check a scanned card or wristband code: well formed, signed with this site's key, not superseded."""
    parsed = codes.parse(text)
    if parsed is None:
        return CardCheck(False, "", 0, False, "printing.check.format")
    issue = parsed.number if parsed.kind == "card" else 0
    position = parsed.number if parsed.kind == "wristband" else 0
    base: dict[str, Any] = {"regno": parsed.regno, "issue": issue, "kind": parsed.kind, "position": position}
    if not codes.mac_ok(site_card_key(uow), parsed):
        return CardCheck(False, superseded=False, reason="printing.check.mac", **base)
    row = uow.session.scalar(select(HouseholdRow).where(HouseholdRow.registration_number == parsed.regno))
    if row is None:
        return CardCheck(False, superseded=False, reason="printing.check.unknown", **base)
    if row.status in (HouseholdStatus.MERGED.value, HouseholdStatus.DEPARTED.value):
        # A duplicate's card (or a departed household's) must not draw a second ration.
        return CardCheck(False, superseded=False, current_issue=row.card_issue,
                         reason="printing.check.closed", **base)
    if parsed.kind == "wristband":
        ok = any(m.position == position for m in row.members)
        return CardCheck(ok, superseded=False, current_issue=row.card_issue,
                         reason="printing.check.valid_wristband" if ok else "printing.check.no_member", **base)
    if row.card_issue == 0:
        return CardCheck(False, superseded=False, reason="printing.check.no_card", **base)
    if issue != row.card_issue:
        older = issue < row.card_issue
        return CardCheck(False, superseded=older, current_issue=row.card_issue,
                         reason="printing.check.superseded" if older else "printing.check.not_issued", **base)
    return CardCheck(True, superseded=False, current_issue=row.card_issue, reason="printing.check.valid", **base)
