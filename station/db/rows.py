"""Tables as typed SQLAlchemy 2 models (`*Row`). Portable: the same schema runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from station.db.sealed import SealedBytes

UUID_LEN = 36


class Base(DeclarativeBase):
    pass


class MetaRow(Base):
    """Small key/value facts about this database: station identity, schema stamp, counters."""

    __tablename__ = "station_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SequenceRow(Base):
    """Per-station counter for registration numbers (incremented inside the saving transaction)."""

    __tablename__ = "sequences"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)


class AccountRow(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)  # PostgreSQL sites
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class HouseholdRow(Base):
    __tablename__ = "households"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(24), unique=True)
    site_code: Mapped[str] = mapped_column(String(8))
    station_number: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer, index=True)  # a partial registration number typed (0008)
    arrived_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    origin_governorate: Mapped[str] = mapped_column(String(128), default="")
    origin_district: Mapped[str] = mapped_column(String(128), default="")
    origin_place: Mapped[str] = mapped_column(String(256), default="")
    origin_key: Mapped[str] = mapped_column(String(512), default="")  # folded for search
    arrival_point: Mapped[str] = mapped_column(String(128), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    size: Mapped[int] = mapped_column(Integer, default=0)
    head_name_ar: Mapped[str] = mapped_column(String(512), default="")
    head_name_lat: Mapped[str] = mapped_column(String(512), default="")
    card_issue: Mapped[int] = mapped_column(Integer, default=0)  # current valid ration-card issue, 0 = none
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_by: Mapped[str] = mapped_column(String(64))

    members: Mapped[list[IndividualRow]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="IndividualRow.position"
    )


class IndividualRow(Base):
    __tablename__ = "individuals"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    given_ar: Mapped[str] = mapped_column(String(128), default="")
    father_ar: Mapped[str] = mapped_column(String(128), default="")
    grandfather_ar: Mapped[str] = mapped_column(String(128), default="")
    family_ar: Mapped[str] = mapped_column(String(128), default="")
    given_lat: Mapped[str] = mapped_column(String(128), default="")
    father_lat: Mapped[str] = mapped_column(String(128), default="")
    grandfather_lat: Mapped[str] = mapped_column(String(128), default="")
    family_lat: Mapped[str] = mapped_column(String(128), default="")
    sex: Mapped[str] = mapped_column(String(1))
    relationship_to_head: Mapped[str] = mapped_column(String(24))
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    birth_date_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    nationality: Mapped[str] = mapped_column(String(3), default="")
    marital_status: Mapped[str] = mapped_column(String(16), default="unknown")
    field_sources: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    household: Mapped[HouseholdRow] = relationship(back_populates="members")
    documents: Mapped[list[DocumentRow]] = relationship(cascade="all, delete-orphan", order_by="DocumentRow.id")
    needs: Mapped[list[NeedRow]] = relationship(cascade="all, delete-orphan", order_by="NeedRow.id")


class NameTokenRow(Base):
    """Folded name and origin tokens for fast, portable prefix search (index range scan on both engines)."""

    __tablename__ = "name_tokens"
    # Byte-order collation on PostgreSQL too, so a prefix is one contiguous index range on both engines.
    token: Mapped[str] = mapped_column(
        String(128).with_variant(String(128, collation="C"), "postgresql"), primary_key=True
    )
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), primary_key=True)
    # (household, token): deleting a household's tokens, and checking "does this household have a word
    # starting with ..." while walking the register, are both one short index range.
    # SQLite: WITHOUT ROWID, the primary key is the table (each row stored twice, not three times; 0007).
    __table_args__ = (Index("ix_name_tokens_household_token", "household_id", "token"),
                      {"sqlite_with_rowid": False})


class DocumentRow(Base):
    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    individual_id: Mapped[str] = mapped_column(ForeignKey("individuals.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[str] = mapped_column(String(24))
    number: Mapped[str] = mapped_column(String(64))
    issuing_country: Mapped[str] = mapped_column(String(3), default="")
    expiry: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(8), default="manual")
    image_jpeg: Mapped[bytes | None] = mapped_column(SealedBytes, nullable=True)  # sealed: site key


class NeedRow(Base):
    __tablename__ = "specific_needs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    individual_id: Mapped[str] = mapped_column(ForeignKey("individuals.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")


class PhotoRow(Base):
    """The portrait of one individual (JPEG, about 600x800), sealed with the site key (station.db.sealed)."""

    __tablename__ = "photos"
    individual_id: Mapped[str] = mapped_column(
        ForeignKey("individuals.id", ondelete="CASCADE"), primary_key=True
    )
    jpeg: Mapped[bytes] = mapped_column(SealedBytes)  # sealed with the site key (station.db.sealed)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    quality: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    taken_by: Mapped[str] = mapped_column(String(64))


class PrintRecordRow(Base):
    """Every wristband or ration card sent to a printer (or saved as PDF) and accepted."""

    __tablename__ = "print_records"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    individual_id: Mapped[str | None] = mapped_column(String(UUID_LEN), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # wristband | card
    issue_number: Mapped[int] = mapped_column(Integer, default=0)
    reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    printer: Mapped[str] = mapped_column(String(128), default="")
    job_ref: Mapped[str] = mapped_column(String(64), default="")
    printed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    printed_by: Mapped[str] = mapped_column(String(64))


class AuditEventRow(Base):
    """Hash-chained audit trail: each event carries the hash of the one before it."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("station", "seq", name="uq_audit_station_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(UUID_LEN), unique=True)
    station: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    entity_type: Mapped[str] = mapped_column(String(32), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


Index("ix_households_status_arrived", HouseholdRow.status, HouseholdRow.arrived_at)


class DistributionRow(Base):
    """One hand-out of relief items to a household (or one member), recorded at the station that gave it."""

    __tablename__ = "distributions"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    individual_id: Mapped[str | None] = mapped_column(String(UUID_LEN), nullable=True)
    item: Mapped[str] = mapped_column(String(32))  # e.g. food_parcel, hygiene_kit, blanket
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    # The numbered round ticked on the back of the ration card; None for a hand-out outside rounds
    # (water and a blanket on arrival).
    round_no: Mapped[int | None] = mapped_column(Integer, nullable=True)
    station: Mapped[str] = mapped_column(String(16), default="")
    distributed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    distributed_by: Mapped[str] = mapped_column(String(64))


Index("ix_documents_number", DocumentRow.number)  # duplicate check at save: same document number on file


class TracingCaseRow(Base):
    """A person sought by a member of a registered household (family tracing). Travels in packs."""

    __tablename__ = "tracing_cases"
    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    station: Mapped[str] = mapped_column(String(16), default="")  # where the case was opened
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    given_ar: Mapped[str] = mapped_column(String(128), default="")
    father_ar: Mapped[str] = mapped_column(String(128), default="")
    grandfather_ar: Mapped[str] = mapped_column(String(128), default="")
    family_ar: Mapped[str] = mapped_column(String(128), default="")
    given_lat: Mapped[str] = mapped_column(String(128), default="")
    father_lat: Mapped[str] = mapped_column(String(128), default="")
    grandfather_lat: Mapped[str] = mapped_column(String(128), default="")
    family_lat: Mapped[str] = mapped_column(String(128), default="")
    sex: Mapped[str] = mapped_column(String(1), default="X")
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    birth_date_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(512), default="")
    last_seen_place: Mapped[str] = mapped_column(String(256), default="")
    last_seen_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    circumstances: Mapped[str] = mapped_column(Text, default="")
    # Not foreign keys: a case imported from another station may name a household not merged here yet.
    seeker_household_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    seeker_individual_id: Mapped[str] = mapped_column(String(UUID_LEN), default="")
    seeker_registration_number: Mapped[str] = mapped_column(String(24), default="")
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    found_individual_id: Mapped[str] = mapped_column(String(UUID_LEN), default="")
    found_registration_number: Mapped[str] = mapped_column(String(24), default="")
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class TracingAlertRow(Base):
    """A possible match between a case and a registered person, for a supervisor to confirm or dismiss.

    One row per (case, person) ever: a dismissed pair stays dismissed, so it never comes back.
    """

    __tablename__ = "tracing_alerts"
    __table_args__ = (UniqueConstraint("case_id", "individual_id", name="uq_tracing_alert_pair"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("tracing_cases.id", ondelete="CASCADE"), index=True)
    individual_id: Mapped[str] = mapped_column(ForeignKey("individuals.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[list[str | int]]] = mapped_column(JSON, default=list)  # [code, value]
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open|confirmed|dismissed
    source: Mapped[str] = mapped_column(String(16), default="registration")  # registration|import|case
    raised_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class PersonKeyRow(Base):
    """Blocking keys of one person (pairs of sound-alike name-part keys), to find candidates fast."""

    __tablename__ = "person_keys"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    individual_id: Mapped[str] = mapped_column(ForeignKey("individuals.id", ondelete="CASCADE"), primary_key=True)
    __table_args__ = (Index("ix_person_keys_individual", "individual_id"),)


class TracingKeyRow(Base):
    """The same blocking keys for the person a tracing case seeks."""

    __tablename__ = "tracing_keys"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("tracing_cases.id", ondelete="CASCADE"), primary_key=True)
    __table_args__ = (Index("ix_tracing_keys_case", "case_id"),)


class DuplicateDecisionRow(Base):
    """A clerk's word on two records that looked alike: the same person (linked) or not (remembered)."""

    __tablename__ = "duplicate_decisions"
    __table_args__ = (UniqueConstraint("individual_a", "individual_b", name="uq_duplicate_pair"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    individual_a: Mapped[str] = mapped_column(String(UUID_LEN), index=True)  # the smaller id of the pair
    individual_b: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # same | different
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[str] = mapped_column(String(64))


class SiteKeyWrapRow(Base):
    """A PostgreSQL site's image key, wrapped for one administrator under their name and passphrase
    (station/security/site_key.py): a joining desk unwraps it; the server alone opens nothing."""

    __tablename__ = "site_key_wraps"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    wrapped: Mapped[str] = mapped_column(Text)  # JSON: Argon2id parameters, nonce, sealed key, key id
    for_hash: Mapped[str] = mapped_column(String(256), default="")  # the account's password hash it was made for
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class SiteAuthorityRow(Base):
    """A PostgreSQL site's authority, one signed statement a row, in order (the anchor first): who may do
    what, signed by an administrator's key (station/security/authority.py, station/services/trail_site.py)."""

    __tablename__ = "site_authority"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # anchor | account | recovery
    statement: Mapped[str] = mapped_column(Text)  # JSON: {"body", "by", "sig"}
    added_at: Mapped[datetime] = mapped_column(DateTime)


class SiteHeadRow(Base):
    """The newest audit event of one desk of a site, signed by whoever wrote it."""

    __tablename__ = "site_heads"
    station: Mapped[str] = mapped_column(String(16), primary_key=True)
    statement: Mapped[str] = mapped_column(Text)


class AccountKeyRow(Base):
    """An account's signing key on a site, wrapped under its name and passphrase: the same key at every desk."""

    __tablename__ = "account_keys"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    pub: Mapped[str] = mapped_column(String(64))
    wrapped: Mapped[str] = mapped_column(Text)  # JSON: Argon2id parameters, nonce, sealed key
    for_hash: Mapped[str] = mapped_column(String(256), default="")  # the password hash it was made for
    updated_at: Mapped[datetime] = mapped_column(DateTime)
