"""The office import's bulk writes (issue 18): a pack's rows and search tokens straight to the driver.

A pack of 200,000 households is about two million rows. SQLAlchemy's executemany of a Core insert builds
each row's parameters through its generic machinery (construct_params, one processor lookup per value):
on SQLite that was a tenth of an import's CPU. Here the statement is compiled once per table and batch, each
column's bind processor (dates as SQLite text, JSON, booleans, sealed images) is looked up once, and the
rows go to the driver as tuples: the same values SQLAlchemy would send, without the per-row bookkeeping.
Other engines (PostgreSQL) take SQLAlchemy's own executemany, which batches rows itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, delete, insert
from sqlalchemy.orm import Session

from station.db.rows import NameTokenRow

ROWS_PER_INSERT = 5000  # one executemany per table and chunk: bounded statement size on both engines
IDS_PER_IN = 500  # ids per IN (...) list
_TOKENS: Table = NameTokenRow.__table__  # type: ignore[assignment]
_TOKEN_KEYS = ("token", "household_id")


def chunks(items: Sequence[Any], n: int) -> list[Sequence[Any]]:
    return [items[i : i + n] for i in range(0, len(items), n)]


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts of column key -> value, every row with the keys of the first) into `table`, in
    order: what `conn.execute(insert(table), rows)` writes. A row missing a key raises KeyError."""
    if not rows:
        return
    plan = _plan(conn, table, tuple(rows[0]))
    if plan is None:
        for part in chunks(rows, ROWS_PER_INSERT):
            conn.execute(insert(table), list(part))
        return
    sql, names, procs = plan
    getter = itemgetter(*names)
    for part in chunks(rows, ROWS_PER_INSERT):
        if len(names) == 1:
            params: list[tuple[Any, ...]] = [(getter(r),) for r in part]
        else:
            params = [getter(r) for r in part]
        if procs:
            params = [_processed(values, procs) for values in params]
        conn.exec_driver_sql(sql, params)


def _processed(values: tuple[Any, ...], procs: list[tuple[int, Processor]]) -> tuple[Any, ...]:
    out = list(values)
    for i, proc in procs:
        out[i] = proc(out[i])
    return tuple(out)


Processor = Callable[[Any], Any]


def _plan(conn: Connection, table: Table, keys: tuple[str, ...]
          ) -> tuple[str, tuple[str, ...], list[tuple[int, Processor]]] | None:
    """(SQL, the row keys in the statement's order, [(position, bind processor)]) for SQLite; None where
    SQLAlchemy's own executemany is used: other engines, or a statement that needs values the rows do not
    carry (a column default computed at insert time)."""
    dialect = conn.dialect
    if dialect.name != "sqlite":
        return None
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    names = compiled.positiontup
    if (not compiled.positional or not names or compiled.escaped_bind_names or not set(names) <= set(keys)
            or not all(n in table.c for n in names)):
        return None
    procs: list[tuple[int, Processor]] = []
    for i, name in enumerate(names):
        col_type = table.c[name].type
        proc = col_type.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            procs.append((i, proc))
    return str(compiled), tuple(names), procs


def token_pairs(households: Iterable[tuple[str, set[str]]]) -> list[tuple[str, str]]:
    """The name_tokens rows, as (token, household id), of households given as (id, tokens), household by
    household and each one's tokens in order."""
    return [(t, hid) for hid, tokens in households for t in sorted(tokens)]


def write_tokens(s: Session, households: Sequence[tuple[str, set[str]]], replaced: Sequence[str]) -> None:
    """The search tokens of a batch of households (id, the tokens registration.index_tokens writes for it):
    one DELETE per chunk of the households `replaced` (on file before this batch), one executemany per
    chunk of rows, no ORM objects and no autoflush. A household given twice is refused by the table's key."""
    for part in chunks(replaced, IDS_PER_IN):
        s.execute(delete(_TOKENS).where(_TOKENS.c.household_id.in_(part))
                  .execution_options(synchronize_session=False))
    conn = s.connection()
    rows = token_pairs(households)
    plan = _plan(conn, _TOKENS, _TOKEN_KEYS)
    if plan is None or plan[1:] != (_TOKEN_KEYS, []):  # not two plain text columns in this order
        insert_rows(conn, _TOKENS, [dict(zip(_TOKEN_KEYS, r, strict=True)) for r in rows])
        return
    for part in chunks(rows, ROWS_PER_INSERT):  # tuples as the driver takes them: no dict per row
        conn.exec_driver_sql(plan[0], list(part))
