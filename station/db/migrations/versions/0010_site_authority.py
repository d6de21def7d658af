"""A PostgreSQL site's signed roles and trail (issue 15): the site's authority, its signed heads and each
account's signing key, wrapped under its passphrase.

On a laptop the authority (signed grants, the anchor) and the signed heads of the trail live in files beside
the database. A site's desks share one server, so its authority lives there: `site_authority` holds the
signed statements in order (the anchor first; each desk pins the anchor's public key in its own folder),
`site_heads` the newest event of each desk, signed by whoever wrote it, and `account_keys` each account's
signing key wrapped under its name and passphrase (station/security/site_authority.py), so that the account
signs with the same key at every desk. Created on SQLite too (the schema is the same on both); nothing
writes them there.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_authority",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        if_not_exists=True,
    )
    op.create_table(
        "site_heads",
        sa.Column("station", sa.String(16), primary_key=True),
        sa.Column("statement", sa.Text(), nullable=False),
        if_not_exists=True,
    )
    op.create_table(
        "account_keys",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("pub", sa.String(64), nullable=False),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.Column("for_hash", sa.String(256), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        if_not_exists=True,
    )


def downgrade() -> None:
    for name in ("account_keys", "site_heads", "site_authority"):
        op.drop_table(name, if_exists=True)
