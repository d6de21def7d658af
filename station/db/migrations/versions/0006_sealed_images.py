"""Portraits and document images sealed with the site key (issue 15: a database dump shows no faces).

Until this revision `photos.jpeg` and `documents.image_jpeg` held the JPEG as it is (on PostgreSQL readable
by anyone holding a dump). This revision seals every plain value under the key that the engine running the
migration holds (station.db.sealed); values already sealed are left alone, so a run cut short is simply run
again. An engine without a key (a server URL with no password) leaves the values as they are. The
downgrade opens them again. Rows go in chunks, so a large register never sits in memory at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:50:00
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Dialect

from station.db import sealed

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_CHUNK = 200  # about 8 MB of portraits at a time
# Raw bytes (LargeBinary, not the sealing column type): the migration sees the values as stored.
_TABLES = (
    (sa.table("photos", sa.column("individual_id", sa.String(36)), sa.column("jpeg", sa.LargeBinary())),
     "individual_id", "jpeg"),
    (sa.table("documents", sa.column("id", sa.String(36)), sa.column("image_jpeg", sa.LargeBinary())),
     "id", "image_jpeg"),
)


def _rewrite(change: Callable[[Dialect, bytes], bytes]) -> None:
    conn = op.get_bind()
    dialect = conn.dialect
    if not sealed.has_key(dialect):
        return
    for table, key_name, value_name in _TABLES:
        key_col, value_col = table.c[key_name], table.c[value_name]
        ids = list(conn.execute(sa.select(key_col).where(value_col.is_not(None)).order_by(key_col)).scalars())
        update = (sa.update(table).where(key_col == sa.bindparam("k")).values({value_name: sa.bindparam("v")}))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            changes = []
            for k, value in conn.execute(sa.select(key_col, value_col).where(key_col.in_(chunk))):
                new = change(dialect, bytes(value))
                if new != value:
                    changes.append({"k": k, "v": new})
            if changes:
                conn.execute(update, changes)


def upgrade() -> None:
    _rewrite(sealed.seal)


def downgrade() -> None:
    _rewrite(sealed.unseal)
