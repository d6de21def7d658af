"""Family tracing (cases, alerts), person blocking keys for matching, duplicate decisions, document index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_NAMES = ("given_ar", "father_ar", "grandfather_ar", "family_ar", "given_lat", "father_lat", "grandfather_lat",
          "family_lat")


def upgrade() -> None:
    op.create_table(
        "tracing_cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("station", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        *(sa.Column(n, sa.String(length=128), nullable=False) for n in _NAMES),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("birth_date_estimated", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=512), nullable=False),
        sa.Column("last_seen_place", sa.String(length=256), nullable=False),
        sa.Column("last_seen_on", sa.Date(), nullable=True),
        sa.Column("circumstances", sa.Text(), nullable=False),
        sa.Column("seeker_household_id", sa.String(length=36), nullable=False),
        sa.Column("seeker_individual_id", sa.String(length=36), nullable=False),
        sa.Column("seeker_registration_number", sa.String(length=24), nullable=False),
        sa.Column("consent_to_share", sa.Boolean(), nullable=False),
        sa.Column("found_individual_id", sa.String(length=36), nullable=False),
        sa.Column("found_registration_number", sa.String(length=24), nullable=False),
        sa.Column("closed_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_tracing_cases_status", "tracing_cases", ["status"])
    op.create_index("ix_tracing_cases_seeker_household_id", "tracing_cases", ["seeker_household_id"])
    op.create_table(
        "tracing_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("individual_id", sa.String(length=36), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["tracing_cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["individual_id"], ["individuals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "individual_id", name="uq_tracing_alert_pair"),
    )
    op.create_index("ix_tracing_alerts_case_id", "tracing_alerts", ["case_id"])
    op.create_index("ix_tracing_alerts_individual_id", "tracing_alerts", ["individual_id"])
    op.create_index("ix_tracing_alerts_status", "tracing_alerts", ["status"])
    op.create_table(
        "person_keys",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("individual_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["individual_id"], ["individuals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "individual_id"),
    )
    op.create_index("ix_person_keys_individual", "person_keys", ["individual_id"])
    op.create_table(
        "tracing_keys",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["tracing_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "case_id"),
    )
    op.create_index("ix_tracing_keys_case", "tracing_keys", ["case_id"])
    op.create_table(
        "duplicate_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("individual_a", sa.String(length=36), nullable=False),
        sa.Column("individual_b", sa.String(length=36), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("individual_a", "individual_b", name="uq_duplicate_pair"),
    )
    op.create_index("ix_duplicate_decisions_individual_a", "duplicate_decisions", ["individual_a"])
    op.create_index("ix_duplicate_decisions_individual_b", "duplicate_decisions", ["individual_b"])
    op.create_index("ix_documents_number", "documents", ["number"])
    # person_keys of people already on file are filled at start-up by station.services.matching.ensure_current.


def downgrade() -> None:
    op.drop_index("ix_documents_number", table_name="documents")
    for table in ("duplicate_decisions", "tracing_keys", "person_keys", "tracing_alerts", "tracing_cases"):
        op.drop_table(table)
