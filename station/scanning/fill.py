"""Turn a read document into member-form fields, each marked with where it came from and whether a check
digit vouches for it. Qt-free; the registration form (and the demo in ui/scanning) consume `MemberFields`,
and `member_from_document` puts them into a member draft with the source markers the form obeys.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from station.domain.codes import DocumentType, FieldSource, Sex
from station.domain.model import Document, MemberDraft, NameParts
from station.scanning.mrz.parse import MrzResult

UNVERIFIED = ":unverified"  # appended to a field source: the form makes the clerk retype the value


class Check(StrEnum):
    PASSED = "passed"  # verified: the covering check holds as read and the characters were read surely
    REPAIRED = "repaired"  # a check digit chose between look-alikes: confirm by eye
    FAILED = "failed"  # a check digit failed or the value is impossible: never accept silently
    NONE = "none"  # read, please confirm: nothing vouches for it strongly enough


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

    def source_marker(self) -> str:
        """The form's field-source value: anything not verified carries UNVERIFIED (retype it)."""
        return self.source.value + ("" if self.verified else UNVERIFIED)


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


# Member-form field key -> the document field it is filled from.
FORM_KEYS = {"given_lat": "given_names", "family_lat": "surname", "sex": "sex", "birth_date": "birth_date",
             "nationality": "nationality", "doc_type": "document_type", "doc_number": "document_number",
             "doc_country": "issuing_country", "doc_expiry": "document_expiry"}


def member_from_document(member: MemberDraft, fields: MemberFields) -> tuple[MemberDraft, dict[str, str]]:
    """`member` with what the document says filled in, and the field sources for the form.

    The document stored is the one the document names: its printed number (the MRZ document number), not
    the national ID a TD1 card may carry in its optional data. That national ID is added as a document of
    its own only when it is verified, since the form has no field in which the clerk could confirm it.
    Every source of a value that is not verified ends in UNVERIFIED, so the form asks for it to be retyped.
    """
    def val(name: str) -> str:
        fv = fields.get(name)
        return fv.value if fv else ""

    surname, given = val("surname").title(), val("given_names").title()
    parts = given.split(" ") if given else []
    latin = NameParts(given=parts[0] if parts else member.name_lat.given,
                      father=" ".join(parts[1:2]) or member.name_lat.father,
                      grandfather=" ".join(parts[2:]) or member.name_lat.grandfather,
                      family=surname or member.name_lat.family)
    doc_type = DocumentType(val("document_type")) if val("document_type") else DocumentType.OTHER
    number = val("document_number")
    expiry = date.fromisoformat(val("document_expiry")) if val("document_expiry") else None
    doc = Document(doc_type, number, val("issuing_country").replace("<", ""), expiry, FieldSource.MRZ)
    docs = [doc]
    national = fields.get("national_id")
    if national is not None and national.verified and national.value and national.value != number:
        docs.append(Document(DocumentType.NATIONAL_ID, national.value, doc.issuing_country, None, FieldSource.MRZ))
    rest = member.documents[1:]
    docs += [d for d in rest if (d.doc_type, d.number) not in {(x.doc_type, x.number) for x in docs}]
    sex = fields.sex()
    filled = replace(member, name_lat=latin, sex=sex if sex is not Sex.UNKNOWN else member.sex,
                     birth_date=fields.birth_date() or member.birth_date,
                     age_years=None if fields.birth_date() else member.age_years,
                     nationality=val("nationality").replace("<", "") or member.nationality,
                     documents=tuple(docs))
    sources = {k: v for k, v in member.field_sources.items() if k not in FORM_KEYS}
    for form_key, read_key in FORM_KEYS.items():
        fv = fields.get(read_key)
        if fv is None or not fv.value or (read_key == "sex" and sex is Sex.UNKNOWN):
            continue
        sources[form_key] = fv.source_marker()
    given_src = sources.get("given_lat")
    if given_src:  # an MRZ's given names often carry the father's and grandfather's names too
        for key, part in (("father_lat", parts[1:2]), ("grandfather_lat", parts[2:])):
            if part:
                sources[key] = given_src
    return filled, sources
