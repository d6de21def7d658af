"""Coded categories: sex, relationship, marital status, document types, specific needs, household status,
relief items.

Values are stable strings stored in the database and exported; labels come from the catalogue
(key `code.<enum>.<value>`).
"""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "X"


class Relationship(StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    SON = "son"
    DAUGHTER = "daughter"
    FATHER = "father"
    MOTHER = "mother"
    BROTHER = "brother"
    SISTER = "sister"
    GRANDCHILD = "grandchild"
    GRANDPARENT = "grandparent"
    NEPHEW_NIECE = "nephew_niece"
    IN_LAW = "in_law"
    OTHER_RELATIVE = "other_relative"
    NOT_RELATED = "not_related"


def sex_implied_by(relationship: Relationship) -> Sex | None:
    """The sex a relationship word implies (a son is male), or None where it says nothing (spouse, head)."""
    return _IMPLIED_SEX.get(relationship)


_IMPLIED_SEX = {
    Relationship.SON: Sex.MALE, Relationship.FATHER: Sex.MALE, Relationship.BROTHER: Sex.MALE,
    Relationship.DAUGHTER: Sex.FEMALE, Relationship.MOTHER: Sex.FEMALE, Relationship.SISTER: Sex.FEMALE,
}


class MaritalStatus(StrEnum):
    SINGLE = "single"
    MARRIED = "married"
    WIDOWED = "widowed"
    DIVORCED = "divorced"
    SEPARATED = "separated"
    UNKNOWN = "unknown"


class DocumentType(StrEnum):
    NATIONAL_ID = "national_id"
    UNIFIED_ID = "unified_id"  # Iraqi unified national card
    CIVIL_STATUS_ID = "civil_status_id"
    PASSPORT = "passport"
    BIRTH_CERTIFICATE = "birth_certificate"
    FAMILY_BOOK = "family_book"
    RESIDENCY_CARD = "residency_card"
    OTHER = "other"


class SpecificNeed(StrEnum):
    """Vulnerability categories (after the UNHCR specific-needs codes, simplified for a checkpoint)."""

    UNACCOMPANIED_CHILD = "unaccompanied_child"
    SEPARATED_CHILD = "separated_child"
    PREGNANT = "pregnant"
    NEW_MOTHER = "new_mother"  # lactating / recently gave birth
    SERIOUS_MEDICAL = "serious_medical"
    INJURED = "injured"
    DISABILITY = "disability"
    OLDER_AT_RISK = "older_at_risk"
    WOMAN_AT_RISK = "woman_at_risk"
    SINGLE_PARENT = "single_parent"
    SURVIVOR_OF_VIOLENCE = "survivor_of_violence"
    TRACING = "tracing"  # searching for a missing relative
    OTHER = "other"


class HouseholdStatus(StrEnum):
    ACTIVE = "active"
    DEPARTED = "departed"
    MERGED = "merged"
    INACTIVE = "inactive"


class ReliefItem(StrEnum):
    """What a distribution hands out (one line of the hand-out list; quantities are counted separately)."""

    WATER = "water"
    FOOD_PARCEL = "food_parcel"
    HYGIENE_KIT = "hygiene_kit"
    DIGNITY_KIT = "dignity_kit"  # women's hygiene and clothing
    BABY_KIT = "baby_kit"
    BLANKET = "blanket"
    MATTRESS = "mattress"
    NFI_KIT = "nfi_kit"  # household non-food items: kitchen set, jerrycan, lamp
    OTHER = "other"


class FieldSource(StrEnum):
    """Where a field's value came from: typed, read from an MRZ, or from a barcode."""

    MANUAL = "manual"
    MRZ = "mrz"
    BARCODE = "barcode"
