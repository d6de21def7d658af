"""Small builders for drafts used across tests."""

from __future__ import annotations

from datetime import date, timedelta

from station import clock
from station.domain.codes import DocumentType, Relationship, Sex, SpecificNeed
from station.domain.model import Document, HouseholdDraft, MemberDraft, NameParts, Need, Origin


def member(
    given_ar: str = "فاطمة", given_lat: str = "Fatima", *, family_ar: str = "الجبوري",
    family_lat: str = "Al-Jubouri", sex: Sex = Sex.FEMALE, rel: Relationship = Relationship.HEAD,
    birth: date | None = date(1990, 5, 17), age: int | None = None, **kw: object,
) -> MemberDraft:
    return MemberDraft(
        name_ar=NameParts(given_ar, "أحمد", "علي", family_ar),
        name_lat=NameParts(given_lat, "Ahmed", "Ali", family_lat),
        sex=sex, relationship=rel, birth_date=birth, age_years=age, nationality="IRQ", **kw,  # type: ignore[arg-type]
    )


def family_of_five(today: date | None = None) -> HouseholdDraft:
    """The seed's first household; the baby was born six days before `today` (the real date when not given)."""
    born = (today or clock.local_today(zone=clock.system_zone())) - timedelta(days=6)
    return HouseholdDraft(
        members=(
            member(documents=(Document(DocumentType.UNIFIED_ID, "199012345678", "IRQ", date(2030, 1, 1)),),
                   needs=(Need(SpecificNeed.TRACING, "searching for injured son"),)),
            member("زينب", "Zainab", rel=Relationship.DAUGHTER, birth=date(2012, 3, 1)),
            member("يوسف", "Yousef", sex=Sex.MALE, rel=Relationship.SON, birth=None, age=9),
            member("مريم", "Maryam", rel=Relationship.DAUGHTER, birth=None, age=4),
            member("نور", "Nour", rel=Relationship.DAUGHTER, birth=born,
                   needs=(Need(SpecificNeed.SERIOUS_MEDICAL, "born six days ago"),)),
        ),
        origin=Origin("Ninewa", "Mosul", "Hammam al-Alil"),
        arrival_point="Khazir checkpoint",
    )
