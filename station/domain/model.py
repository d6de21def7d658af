"""Household and individual records as plain frozen dataclasses: what services take and return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from station.domain.codes import (
    DocumentType,
    FieldSource,
    HouseholdStatus,
    MaritalStatus,
    Relationship,
    Sex,
    SpecificNeed,
)


@dataclass(frozen=True)
class NameParts:
    """Given, father's, grandfather's and family/tribe name, as used in Iraq and Syria."""

    given: str = ""
    father: str = ""
    grandfather: str = ""
    family: str = ""

    def full(self) -> str:
        return " ".join(p for p in (self.given, self.father, self.grandfather, self.family) if p)

    def parts(self) -> tuple[str, str, str, str]:
        return (self.given, self.father, self.grandfather, self.family)


@dataclass(frozen=True)
class Document:
    doc_type: DocumentType
    number: str
    issuing_country: str = ""  # ICAO 3-letter code, e.g. IRQ, SYR
    expiry: date | None = None
    source: FieldSource = FieldSource.MANUAL
    id: str | None = None


@dataclass(frozen=True)
class Need:
    code: SpecificNeed
    note: str = ""


@dataclass(frozen=True)
class Origin:
    governorate: str = ""
    district: str = ""
    place: str = ""  # town or village, free text

    def text(self) -> str:
        return ", ".join(p for p in (self.place, self.district, self.governorate) if p)


@dataclass(frozen=True)
class MemberDraft:
    """One member as typed into the form; `id` is set when editing an existing member."""

    name_ar: NameParts
    name_lat: NameParts
    sex: Sex
    relationship: Relationship
    birth_date: date | None = None
    age_years: int | None = None  # used when the birth date is not known
    nationality: str = ""
    marital_status: MaritalStatus = MaritalStatus.UNKNOWN
    documents: tuple[Document, ...] = ()
    needs: tuple[Need, ...] = ()
    field_sources: dict[str, str] = field(default_factory=dict)  # field name -> FieldSource value
    id: str | None = None


@dataclass(frozen=True)
class HouseholdDraft:
    members: tuple[MemberDraft, ...]
    origin: Origin = Origin()
    arrival_point: str = ""
    notes: str = ""
    arrived_at: datetime | None = None  # default: now; aware (naive is read as the station's local time)
    id: str | None = None  # set when correcting an existing household
    expected_version: int | None = None  # optimistic lock when correcting


@dataclass(frozen=True)
class MemberView:
    id: str
    position: int
    name_ar: NameParts
    name_lat: NameParts
    sex: Sex
    relationship: Relationship
    birth_date: date | None
    birth_date_estimated: bool
    nationality: str
    marital_status: MaritalStatus
    documents: tuple[Document, ...]
    needs: tuple[Need, ...]
    field_sources: dict[str, str]
    has_photo: bool

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


@dataclass(frozen=True)
class HouseholdView:
    id: str
    registration_number: str
    arrived_at: datetime  # aware, in the station's time zone (stored as UTC)
    origin: Origin
    arrival_point: str
    notes: str
    status: HouseholdStatus
    version: int
    members: tuple[MemberView, ...]
    created_by: str
    updated_at: datetime
    updated_by: str

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def head(self) -> MemberView | None:
        for m in self.members:
            if m.relationship is Relationship.HEAD:
                return m
        return self.members[0] if self.members else None


@dataclass(frozen=True)
class HouseholdSummary:
    """One line of the register."""

    id: str
    registration_number: str
    arrived_at: datetime  # aware, in the station's time zone (stored as UTC)
    head_name_ar: str
    head_name_lat: str
    size: int
    origin: str
    status: HouseholdStatus
    approximate: bool = False  # found by a sound-alike name (Muhammad for Mohammed), not by the exact words
