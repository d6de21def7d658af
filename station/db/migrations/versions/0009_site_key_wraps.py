"""A PostgreSQL site's own image key, wrapped per administrator (issue 15).

Images on a site server were sealed under a key derived from the server's password; a site now has a random
key of its own, held sealed on each desk and, on the server, only wrapped under each administrator's name and
passphrase (station/security/site_key.py), so that a joining desk can receive it. This table holds those
wrapped copies. Created on SQLite too (the schema is the same on both); nothing writes it there.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 03:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_key_wraps",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.Column("for_hash", sa.String(256), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_table("site_key_wraps", if_exists=True)
