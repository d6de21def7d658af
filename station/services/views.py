"""Turn table rows into frozen domain views (services never hand out live ORM objects)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from station import clock
from station.db.rows import HouseholdRow, IndividualRow
from station.domain.codes import (
    DocumentType,
    FieldSource,
    HouseholdStatus,
    MaritalStatus,
    Relationship,
    Sex,
    SpecificNeed,
)
from station.domain.model import (
    Document,
    HouseholdSummary,
    HouseholdView,
    MemberView,
    NameParts,
    Need,
    Origin,
)
from station.domain.roles import Actor, Role

# Need to know: protection needs (unaccompanied and separated children, survivors of violence, women at
# risk) and every need's note are named only to supervisors and administrators. Lists leave them out for a
# clerk; the member form hides them from a clerk once the member is saved (kept as they are when the clerk
# saves). Nothing prints a needs mark on wristbands or cards (station.printing.profiles).
PROTECTION_NEEDS = frozenset({SpecificNeed.UNACCOMPANIED_CHILD, SpecificNeed.SEPARATED_CHILD,
                              SpecificNeed.SURVIVOR_OF_VIOLENCE, SpecificNeed.WOMAN_AT_RISK})
_SEE_PROTECTION = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def sees_protection(actor: Actor) -> bool:
    """May this person see protection needs and need notes?"""
    return actor.role in _SEE_PROTECTION


def shown_needs(needs: Iterable[Need], sees: bool) -> tuple[Need, ...]:
    """The needs a list may name to someone: all of them (with notes) when `sees`, else the others, without notes."""
    if sees:
        return tuple(needs)
    return tuple(Need(n.code) for n in needs if n.code not in PROTECTION_NEEDS)


def member_view(row: IndividualRow, has_photo: bool) -> MemberView:
    return MemberView(
        id=row.id,
        position=row.position,
        name_ar=NameParts(row.given_ar, row.father_ar, row.grandfather_ar, row.family_ar),
        name_lat=NameParts(row.given_lat, row.father_lat, row.grandfather_lat, row.family_lat),
        sex=Sex(row.sex),
        relationship=Relationship(row.relationship_to_head),
        birth_date=row.birth_date,
        birth_date_estimated=row.birth_date_estimated,
        nationality=row.nationality,
        marital_status=MaritalStatus(row.marital_status),
        documents=tuple(
            Document(DocumentType(d.doc_type), d.number, d.issuing_country, d.expiry, FieldSource(d.source), d.id)
            for d in row.documents
        ),
        needs=tuple(Need(SpecificNeed(n.code), n.note) for n in row.needs),
        field_sources=dict(row.field_sources or {}),
        has_photo=has_photo,
    )


def household_view(row: HouseholdRow, photo_ids: set[str]) -> HouseholdView:
    return HouseholdView(
        id=row.id,
        registration_number=row.registration_number,
        arrived_at=clock.to_local(row.arrived_at),
        origin=Origin(row.origin_governorate, row.origin_district, row.origin_place),
        arrival_point=row.arrival_point,
        notes=row.notes,
        status=HouseholdStatus(row.status),
        version=row.version,
        members=tuple(member_view(m, m.id in photo_ids) for m in row.members),
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def summary(row: HouseholdRow) -> HouseholdSummary:
    return HouseholdSummary(
        id=row.id,
        registration_number=row.registration_number,
        arrived_at=clock.to_local(row.arrived_at),
        head_name_ar=row.head_name_ar,
        head_name_lat=row.head_name_lat,
        size=row.size,
        origin=Origin(row.origin_governorate, row.origin_district, row.origin_place).text(),
        status=HouseholdStatus(row.status),
    )


def snapshot(row: HouseholdRow) -> dict[str, Any]:
    """A plain dict of a household and its members, for the audit trail's old/new values."""
    return {
        "origin": [row.origin_governorate, row.origin_district, row.origin_place],
        "arrival_point": row.arrival_point,
        "arrived_at": clock.as_utc(row.arrived_at).isoformat(timespec="minutes"),
        "notes": row.notes,
        "status": row.status,
        "members": {
            m.id: {
                "position": m.position,
                "name_ar": [m.given_ar, m.father_ar, m.grandfather_ar, m.family_ar],
                "name_lat": [m.given_lat, m.father_lat, m.grandfather_lat, m.family_lat],
                "sex": m.sex,
                "relationship": m.relationship_to_head,
                "birth_date": m.birth_date.isoformat() if m.birth_date else None,
                "estimated": m.birth_date_estimated,
                "nationality": m.nationality,
                "marital_status": m.marital_status,
                "documents": sorted(
                    [d.doc_type, d.number, d.issuing_country, d.expiry.isoformat() if d.expiry else None]
                    for d in m.documents
                ),
                "needs": sorted([n.code, n.note] for n in m.needs),
            }
            for m in row.members
        },
    }


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Only what changed: {key: [old, new]}; members compared one by one."""
    out: dict[str, Any] = {}
    for key in sorted(set(old) | set(new)):
        if key == "members":
            continue
        if old.get(key) != new.get(key):
            out[key] = [old.get(key), new.get(key)]
    om, nm = old.get("members", {}), new.get("members", {})
    members: dict[str, Any] = {}
    for mid in sorted(set(om) | set(nm)):
        a, b = om.get(mid), nm.get(mid)
        if a is None or b is None:
            members[mid] = [a, b]
        elif a != b:
            members[mid] = {k: [a.get(k), b.get(k)] for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
    if members:
        out["members"] = members
    return out
