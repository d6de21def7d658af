"""Households' arrival time stored as an instant in UTC, like every other time the station records.

Until this revision `households.arrived_at` held the station's wall-clock time (naive, local). This
revision converts each value from the station's time zone (handed in by station.db.migrate as the
attribute "zone"; the computer's zone when none is given) to naive UTC. Households that were merged
from other stations' packs are converted with this station's zone too: the packs of that time carried
no zone, and the stations of one operation share one. Household state seals (trail_guard) cover the
stored value; they came with 0004, which no release carried, so no station in the field holds a seal
over a local arrival time (the released 0.1.0 is schema 0003, tests/data/schemas/0003).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:40:00
"""

from __future__ import annotations

from datetime import UTC, tzinfo

import sqlalchemy as sa
from alembic import context, op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_households = sa.table("households", sa.column("id", sa.String(36)), sa.column("arrived_at", sa.DateTime()))
_CHUNK = 5000


def _zone() -> tzinfo:
    zone: tzinfo | None = context.config.attributes.get("zone")
    if zone is not None:
        return zone
    from station.clock import system_zone

    return system_zone()


def _convert(to_utc: bool) -> None:
    zone = _zone()
    conn = op.get_bind()
    rows = conn.execute(sa.select(_households.c.id, _households.c.arrived_at)).all()
    changes = []
    for hid, arrived in rows:
        if to_utc:
            new = arrived.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
        else:
            new = arrived.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
        changes.append({"hid": hid, "arrived": new})
    update = (sa.update(_households).where(_households.c.id == sa.bindparam("hid"))
              .values(arrived_at=sa.bindparam("arrived")))
    for start in range(0, len(changes), _CHUNK):
        conn.execute(update, changes[start:start + _CHUNK])


def upgrade() -> None:
    _convert(to_utc=True)


def downgrade() -> None:
    _convert(to_utc=False)
