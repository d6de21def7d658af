"""Validation of drafts: returns a list of problems (field path + error code), never UI text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from station.domain.codes import Relationship, Sex, sex_implied_by
from station.domain.model import HouseholdDraft, MemberDraft

MAX_AGE = 120
MAX_MEMBERS = 40


@dataclass(frozen=True)
class Problem:
    field: str  # e.g. "members[2].birth_date"
    code: str  # catalogue key, e.g. "error.age_too_high"


class ValidationFailed(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = problems


def parse_date(text: str) -> date:
    """Accept YYYY-MM-DD or DD/MM/YYYY (digits in any script); ValueError('error.date_invalid')."""
    from station.domain.text import normalize_digits

    raw = normalize_digits(text).strip().replace(".", "/").replace("-", "/")
    parts = [p for p in raw.split("/") if p]
    try:
        if len(parts) == 3 and len(parts[0]) == 4:
            y, m, d = (int(p) for p in parts)
        elif len(parts) == 3 and len(parts[2]) == 4:
            d, m, y = (int(p) for p in parts)
        else:
            raise ValueError
        return date(y, m, d)
    except ValueError:
        raise ValueError("error.date_invalid") from None


def validate_member(member: MemberDraft, prefix: str, today: date) -> list[Problem]:
    problems: list[Problem] = []
    if not member.name_ar.given.strip() and not member.name_lat.given.strip():
        problems.append(Problem(f"{prefix}.given", "error.name_required"))
    if member.birth_date is not None:
        if member.birth_date > today:
            problems.append(Problem(f"{prefix}.birth_date", "error.date_future"))
        elif today.year - member.birth_date.year > MAX_AGE:
            problems.append(Problem(f"{prefix}.birth_date", "error.age_too_high"))
    elif member.age_years is not None:
        if member.age_years < 0:
            problems.append(Problem(f"{prefix}.age", "error.age_negative"))
        elif member.age_years > MAX_AGE:
            problems.append(Problem(f"{prefix}.age", "error.age_too_high"))
    else:
        problems.append(Problem(f"{prefix}.birth_date", "error.birth_or_age_required"))
    implied = sex_implied_by(member.relationship)
    if implied is not None and member.sex in (Sex.FEMALE, Sex.MALE) and member.sex is not implied:
        problems.append(Problem(f"{prefix}.relationship", "error.relationship_sex"))
    for j, doc in enumerate(member.documents):
        if not doc.number.strip():
            problems.append(Problem(f"{prefix}.documents[{j}].number", "error.document_number_required"))
    return problems


def validate_household(draft: HouseholdDraft, today: date) -> list[Problem]:
    problems: list[Problem] = []
    if not draft.members:
        problems.append(Problem("members", "error.no_members"))
    if len(draft.members) > MAX_MEMBERS:
        problems.append(Problem("members", "error.too_many_members"))
    heads = [m for m in draft.members if m.relationship is Relationship.HEAD]
    if draft.members and len(heads) != 1:
        problems.append(Problem("members", "error.one_head_required"))
    if draft.arrived_at is not None and draft.arrived_at.date() > today:
        problems.append(Problem("arrived_at", "error.date_future"))
    for i, member in enumerate(draft.members):
        problems.extend(validate_member(member, f"members[{i}]", today))
    return problems
