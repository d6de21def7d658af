"""Migration 0008: a registration number typed in part is found through an index on the sequence, not by
reading every household (each keystroke of "MKH-02-000123" in the register's search box)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select

from station.db.migrate import _config
from station.db.rows import HouseholdRow
from station.services.register_rows import SUMMARY_COLUMNS
from station.services.registration import register_household
from station.services.search import search
from tests.factories import family_of_five


def _indexes(ctx) -> set[str]:  # type: ignore[no-untyped-def]
    with ctx.db.engine.connect() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE tbl_name = 'households'")}


def _plan(ctx, sequence: int) -> str:  # type: ignore[no-untyped-def]
    """SQLite's plan for the partial-number lookup."""
    q = select(*SUMMARY_COLUMNS).where(HouseholdRow.sequence == sequence, HouseholdRow.site_code == "MKH")
    with ctx.db.engine.connect() as conn:
        sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
        return " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))


def test_a_partial_registration_number_reads_the_sequence_index(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    with ctx.db.uow() as uow:
        numbers = [register_household(uow, ctx.actor, family_of_five()).registration_number for _ in range(3)]
    assert "ix_households_sequence" in _plan(ctx, 2)
    with ctx.db.reader() as uow:
        assert [h.registration_number for h in search(uow, ctx.actor, "MKH-2")] == [numbers[1]]
        assert [h.registration_number for h in search(uow, ctx.actor, "000003")] == [numbers[2]]
    cfg = _config()
    with ctx.db.engine.begin() as conn:  # down to 0007 and up again: the index goes and comes back
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    assert "ix_households_sequence" not in _indexes(ctx)
    with ctx.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert "ix_households_sequence" in _indexes(ctx)
