"""Distribution records (relief items handed out), carried in end-of-day export packs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "distributions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("individual_id", sa.String(length=36), nullable=True),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("station", sa.String(length=16), nullable=False),
        sa.Column("distributed_at", sa.DateTime(), nullable=False),
        sa.Column("distributed_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("distributions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_distributions_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_distributions_distributed_at"), ["distributed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("distributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distributions_distributed_at"))
        batch_op.drop_index(batch_op.f("ix_distributions_household_id"))
    op.drop_table("distributions")
