"""Turn a read document into member-form fields, each marked with where it came from and whether a check
digit vouches for it. Qt-free; the registration form (and the demo in ui/scanning) consume `MemberFields`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from station.domain.codes import DocumentType, FieldSource, Sex
from station.scanning.mrz.parse import MrzResult


class Check(StrEnum):
    PASSED = "passed"  # a check digit holds
    REPAIRED = "repaired"  # a check digit chose between look-alikes: confirm by eye
    FAILED = "failed"  # a check digit failed or the value is impossible: never accept silently
    NONE = "none"  # nothing checks this field (names, nationality, sex)


@dataclass(frozen=True)
class FieldValue:
    value: str
    source: FieldSource
    check: Check = Check.NONE

    @property
    def verified(self) -> bool:
        return self.check is Check.PASSED

    @property
    def needs_attention(self) -> bool:
        return self.check in (Check.FAILED, Check.REPAIRED)


# Member-form field names (MemberDraft and its Document) the values map to.
FIELDS = ("surname", "given_names", "sex", "birth_date", "nationality", "document_type", "document_number",
          "document_expiry", "issuing_country", "national_id")


@dataclass(frozen=True)
class MemberFields:
    values: dict[str, FieldValue] = field(default_factory=dict)
    valid: bool = False  # the whole zone passed

    def get(self, name: str) -> FieldValue | None:
        return self.values.get(name)

    def sex(self) -> Sex:
        v = self.values.get("sex")
        return Sex(v.value) if v and v.value in ("M", "F") else Sex.UNKNOWN

    def birth_date(self) -> date | None:
        v = self.values.get("birth_date")
        return date.fromisoformat(v.value) if v and v.value else None

    def field_sources(self) -> dict[str, str]:
        """For MemberDraft.field_sources."""
        return {k: v.source.value for k, v in self.values.items()}


def document_type(code: str, fmt: str) -> DocumentType:
    """ICAO document code to our DocumentType: P -> passport; I/ID/A/C cards -> national ID."""
    if code.startswith("P"):
        return DocumentType.PASSPORT
    if code.startswith(("I", "A", "C")) and fmt in ("TD1", "TD2"):
        return DocumentType.NATIONAL_ID
    return DocumentType.OTHER


def from_mrz(m: MrzResult) -> MemberFields:
    f, c = m.fields, m.field_checks
    src = FieldSource.MRZ

    def fv(value: str, key: str) -> FieldValue:
        return FieldValue(value, src, Check(c.get(key, "none")))

    vals = {
        "surname": fv(f.get("surname", ""), "surname"),
        "given_names": fv(f.get("given_names", ""), "given_names"),
        "sex": fv(f.get("sex", "X"), "sex"),
        "birth_date": fv(f.get("birth_date", ""), "birth_date"),
        "nationality": fv(f.get("nationality", ""), "nationality"),
        "document_type": FieldValue(document_type(f.get("document_code", ""), m.format).value, src,
                                    Check(c.get("document_code", "none"))),
        "document_number": fv(f.get("document_number", ""), "document_number"),
        "document_expiry": fv(f.get("expiry_date", ""), "expiry_date"),
        "issuing_country": fv(f.get("issuing_state", ""), "issuing_state"),
    }
    # National ID numbers often sit in the optional data (Iraqi cards: TD1 line 1).
    opt = f.get("optional_data", "")
    if opt:
        vals["national_id"] = fv(opt, "optional_data")
    return MemberFields(vals, m.valid)
