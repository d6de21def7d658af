"""An index on households.sequence (issue 18): a registration number typed in part ("MKH-4", "000123")
is looked up by its sequence; without the index each keystroke read every household (50 ms at 200,000
people, on the GUI's register refresh). A small index: one entry per household.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_INDEX = "ix_households_sequence"


def upgrade() -> None:
    # IF NOT EXISTS: a schema already at head (tests stamp an older revision over it) migrates again
    op.create_index(_INDEX, "households", ["sequence"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="households", if_exists=True)
