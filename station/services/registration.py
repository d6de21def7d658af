"""Register a household, correct it, read it back by id or registration number, mark it departed."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import joinedload

from station import clock
from station.db.rows import (
    DocumentRow,
    HouseholdRow,
    IndividualRow,
    NameTokenRow,
    NeedRow,
    PhotoRow,
    SequenceRow,
)
from station.db.uow import UnitOfWork
from station.domain.codes import HouseholdStatus, Relationship
from station.domain.model import HouseholdDraft, HouseholdView, MemberDraft
from station.domain.name_index import household_tokens, name_tokens  # noqa: F401 (name_tokens: as before)
from station.domain.regno import RegNo, RegNoError
from station.domain.roles import Actor, Permission
from station.domain.text import clean_name, search_tokens
from station.domain.validation import ValidationFailed, validate_household
from station.errors import ConflictError, NotFound, StationError
from station.services import audit, tracing_checks
from station.services.authz import require
from station.services.views import diff, household_view, snapshot


def estimated_birth_date(age_years: int, on: date) -> date:
    """Birth date for a stated age: the same day and month, `age_years` earlier (kept flagged as estimated)."""
    try:
        return on.replace(year=on.year - age_years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - age_years, day=28)


def _next_regno(uow: UnitOfWork, actor: Actor) -> RegNo:
    site, _, number = actor.station.partition("-")
    counter = uow.session.get(SequenceRow, f"household:{actor.station}", with_for_update=True)
    if counter is None:
        counter = SequenceRow(name=f"household:{actor.station}", next_value=1)
        uow.session.add(counter)
    seq = counter.next_value
    counter.next_value = seq + 1
    return RegNo(site, int(number), seq)


def _apply_member(row: IndividualRow, m: MemberDraft, position: int, arrived: date, now: datetime) -> None:
    row.position = position
    row.given_ar, row.father_ar, row.grandfather_ar, row.family_ar = (clean_name(p) for p in m.name_ar.parts())
    row.given_lat, row.father_lat, row.grandfather_lat, row.family_lat = (
        clean_name(p) for p in m.name_lat.parts()
    )
    row.sex = m.sex.value
    row.relationship_to_head = m.relationship.value
    if m.birth_date is not None:
        row.birth_date, row.birth_date_estimated = m.birth_date, False
    elif m.age_years is not None:
        row.birth_date, row.birth_date_estimated = estimated_birth_date(m.age_years, arrived), True
    row.nationality = m.nationality.strip().upper()[:3]
    row.marital_status = m.marital_status.value
    row.field_sources = dict(m.field_sources)
    row.updated_at = now
    # Documents and needs as stored are left alone when the draft has them unchanged (a correction of the
    # notes rewrote every member's documents and needs: deleted, inserted again, flushed through the ORM).
    docs = [(d.id, d.doc_type.value, clean_name(d.number).upper(), d.issuing_country.strip().upper()[:3], d.expiry,
             d.source.value) for d in m.documents]
    if docs != [(d.id, d.doc_type, d.number, d.issuing_country, d.expiry, d.source) for d in row.documents]:
        row.documents = [DocumentRow(id=i or str(uuid.uuid4()), doc_type=t, number=n, issuing_country=c, expiry=e,
                                     source=src) for i, t, n, c, e, src in docs]
    needs = [(n.code.value, n.note.strip()) for n in m.needs]
    if needs != [(n.code, n.note) for n in row.needs]:
        row.needs = [NeedRow(code=code, note=note) for code, note in needs]


def _apply(row: HouseholdRow, draft: HouseholdDraft, actor: Actor, now: datetime) -> None:
    row.origin_governorate = clean_name(draft.origin.governorate)
    row.origin_district = clean_name(draft.origin.district)
    row.origin_place = clean_name(draft.origin.place)
    row.arrival_point = clean_name(draft.arrival_point)
    row.notes = draft.notes.strip()
    if draft.arrived_at is not None:
        row.arrived_at = clock.to_db(clock.minute(clock.from_local(draft.arrived_at)))
    existing = {m.id: m for m in row.members}
    members: list[IndividualRow] = []
    for pos, m in enumerate(draft.members, start=1):
        ind = existing.get(m.id) if m.id else None
        if ind is None:
            ind = IndividualRow(id=str(uuid.uuid4()), created_at=now)
        _apply_member(ind, m, pos, clock.to_local(row.arrived_at).date(), now)
        members.append(ind)
    row.members = members
    head = next((m for m in members if m.relationship_to_head == Relationship.HEAD.value), members[0])
    row.head_name_ar = " ".join(p for p in (head.given_ar, head.father_ar, head.grandfather_ar, head.family_ar) if p)
    row.head_name_lat = " ".join(
        p for p in (head.given_lat, head.father_lat, head.grandfather_lat, head.family_lat) if p
    )
    row.size = len(members)
    row.origin_key = " ".join(sorted(search_tokens(row.origin_governorate, row.origin_district, row.origin_place)))
    row.updated_at = now
    row.updated_by = actor.username


def _token_inputs(row: HouseholdRow) -> tuple[object, ...]:
    """What a household's search tokens are made of (index_tokens): names, document numbers, origin."""
    return (tuple((m.given_ar, m.father_ar, m.grandfather_ar, m.family_ar, m.given_lat, m.father_lat,
                   m.grandfather_lat, m.family_lat, tuple(d.number for d in m.documents)) for m in row.members),
            row.origin_key)


def _people_inputs(row: HouseholdRow) -> tuple[object, ...]:
    """What the members' person keys and the tracing checks read (tracing_checks.household_indexed): each
    member's names, sex and birth date, and the household's origin."""
    return (tuple((m.id, m.given_ar, m.father_ar, m.grandfather_ar, m.family_ar, m.given_lat, m.father_lat,
                   m.grandfather_lat, m.family_lat, m.sex, m.birth_date, bool(m.birth_date_estimated))
                  for m in row.members),
            row.origin_governorate, row.origin_district, row.origin_place)


def index_tokens(uow: UnitOfWork, row: HouseholdRow, *, tokens_unchanged: bool = False,
                 people_unchanged: bool = False) -> None:
    """Write the household's search tokens (station.domain.name_index), no ORM objects: only the tokens
    that changed. A save that leaves the names alone (notes, a need, the origin's spelling kept) writes
    none: each of a household's ~35 tokens lies on its own page of a large index, twice (token, household),
    and rewriting them all was most of a correction's commit at 200,000 people. `tokens_unchanged`: the
    caller saw that what the tokens are made of did not change (_token_inputs), so they are neither
    computed nor read back. `people_unchanged`: nor did what the person keys and the tracing checks read
    (_people_inputs: a note, a need, a document's expiry), so neither runs: the keys on file are those the
    members' names make, and a tracing case registered since was checked against the whole register then."""
    if tokens_unchanged:
        if not people_unchanged:
            tracing_checks.household_indexed(uow, row)
        return
    s = uow.session
    tokens = household_tokens(
        ((m.given_ar, m.father_ar, m.grandfather_ar, m.family_ar,
          m.given_lat, m.father_lat, m.grandfather_lat, m.family_lat) for m in row.members),
        (d.number for m in row.members for d in m.documents), row.origin_key)
    held = set(s.scalars(select(NameTokenRow.token).where(NameTokenRow.household_id == row.id)))
    gone = sorted(held - tokens)
    for start in range(0, len(gone), 500):
        s.execute(delete(NameTokenRow).where(NameTokenRow.household_id == row.id,
                                             NameTokenRow.token.in_(gone[start:start + 500])))
    new = sorted(tokens - held)
    if new:
        s.execute(insert(NameTokenRow), [{"token": t, "household_id": row.id} for t in new])
    tracing_checks.household_indexed(uow, row)  # person keys for duplicate checks; alerts for tracing cases


def _validate(draft: HouseholdDraft, today: date) -> None:
    problems = validate_household(draft, today)
    if problems:
        raise ValidationFailed(problems)


def _photo_ids(uow: UnitOfWork, row: HouseholdRow) -> set[str]:
    ids = [m.id for m in row.members]
    if not ids:
        return set()
    return set(uow.session.scalars(select(PhotoRow.individual_id).where(PhotoRow.individual_id.in_(ids))))


def register_household(uow: UnitOfWork, actor: Actor, draft: HouseholdDraft) -> HouseholdView:
    require(actor, Permission.REGISTER)
    now = audit.utcnow()
    _validate(draft, clock.local_today())
    regno = _next_regno(uow, actor)
    row = HouseholdRow(
        id=str(uuid.uuid4()), registration_number=str(regno), site_code=regno.site,
        station_number=regno.station, sequence=regno.sequence,
        arrived_at=clock.minute(now),  # naive UTC like every instant; _apply takes the clerk's time if given
        status=HouseholdStatus.ACTIVE.value, version=1, card_issue=0,
        created_at=now, created_by=actor.username, updated_at=now, updated_by=actor.username,
    )
    _apply(row, draft, actor, now)
    uow.session.add(row)
    uow.session.flush()
    index_tokens(uow, row)
    audit.record(uow, actor, "household.create", "household", row.id,
                 {"registration_number": row.registration_number, "new": snapshot(row)})
    return household_view(row, set())


def _load(uow: UnitOfWork, household_id: str) -> HouseholdRow:
    row = uow.session.get(HouseholdRow, household_id)
    if row is None:
        raise NotFound("error.household_not_found")
    return row


def correct_household(uow: UnitOfWork, actor: Actor, draft: HouseholdDraft) -> HouseholdView:
    """Save corrections to an existing household (optimistic lock on `expected_version`)."""
    if draft.id is None:
        raise StationError("error.household_not_found")
    row = _load_whole(uow, draft.id)  # members, documents and needs in one statement (the snapshot reads all)
    require(actor, Permission.EDIT_AFTER_PRINT if row.card_issue > 0 else Permission.EDIT_BEFORE_PRINT)
    if draft.expected_version is not None and draft.expected_version != row.version:
        raise ConflictError("error.edited_elsewhere")
    now = audit.utcnow()
    _validate(draft, clock.local_today())
    before, inputs, people = snapshot(row), _token_inputs(row), _people_inputs(row)
    _apply(row, draft, actor, now)
    row.version += 1
    uow.session.flush()
    index_tokens(uow, row, tokens_unchanged=_token_inputs(row) == inputs,
                 people_unchanged=_people_inputs(row) == people)
    changes = diff(before, snapshot(row))
    audit.record(uow, actor, "household.update", "household", row.id,
                 {"registration_number": row.registration_number, "version": row.version, "changes": changes})
    return household_view(row, _photo_ids(uow, row))


def _load_whole(uow: UnitOfWork, household_id: str) -> HouseholdRow:
    """The household with its members, their documents and needs, in one statement (joined: a household
    is a few members with a document or a need or two each). Loading each list on first use took two
    statements per member; one statement per kind of row (`selectinload`) still cost 10 ms of CPU at the
    desk for each open and each save, against under 4 ms joined (the ORM's work per statement)."""
    members = joinedload(HouseholdRow.members)
    row = uow.session.scalars(select(HouseholdRow).where(HouseholdRow.id == household_id)
                              .options(members.joinedload(IndividualRow.documents),
                                       members.joinedload(IndividualRow.needs))).unique().one_or_none()
    if row is None:
        raise NotFound("error.household_not_found")
    return row


def get_household(uow: UnitOfWork, actor: Actor, household_id: str) -> HouseholdView:
    require(actor, Permission.SEARCH)
    row = _load_whole(uow, household_id)
    return household_view(row, _photo_ids(uow, row))


def find_by_regno(uow: UnitOfWork, actor: Actor, text: str) -> HouseholdView:
    """Open a household by its registration number; a wrong check character is refused, not guessed."""
    require(actor, Permission.SEARCH)
    try:
        regno = RegNo.parse(text)
    except RegNoError as exc:
        raise StationError(f"error.{exc.code}") from None
    row = uow.session.scalar(select(HouseholdRow).where(HouseholdRow.registration_number == str(regno)))
    if row is None:
        raise NotFound("error.household_not_found")
    return household_view(row, _photo_ids(uow, row))


def set_status(uow: UnitOfWork, actor: Actor, household_id: str, status: HouseholdStatus, reason: str) -> None:
    """Mark a household departed (or back on site) with a reason; merging has its own service and is final."""
    require(actor, Permission.MARK_DEPARTED)
    if not reason.strip():
        raise StationError("error.reason_required")
    if status not in (HouseholdStatus.ACTIVE, HouseholdStatus.DEPARTED, HouseholdStatus.INACTIVE):
        raise StationError("error.status_change_invalid")
    row = _load(uow, household_id)
    old = row.status
    if old == status.value or old == HouseholdStatus.MERGED.value:
        raise ConflictError("error.status_change_invalid")
    row.status = status.value
    row.version += 1
    row.updated_at = audit.utcnow()
    row.updated_by = actor.username
    audit.record(uow, actor, "household.status", "household", row.id,
                 {"changes": {"status": [old, status.value]}, "reason": reason})
