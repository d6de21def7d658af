"""Alembic environment: always run with a live connection handed in by station.db.migrate."""

from __future__ import annotations

from alembic import context

from station.db.rows import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - offline SQL generation is not used
    raise RuntimeError("station migrations run through station.db.migrate only")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
