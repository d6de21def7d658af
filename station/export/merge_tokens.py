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
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, delete, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from station.db.rows import NameTokenRow

ROWS_PER_INSERT = 5000  # one executemany per table and chunk: bounded statement size on both engines
IDS_PER_IN = 500  # ids per IN (...) list
_TOKENS: Table = NameTokenRow.__table__  # type: ignore[assignment]
_TOKEN_KEYS = ("token", "household_id")


def chunks(items: Sequence[Any], n: int) -> list[Sequence[Any]]:
    return [items[i : i + n] for i in range(0, len(items), n)]


@dataclass
class Prepared:
    """Rows of one table made ready for the driver (`prepare_rows`): on SQLite the statement and the rows as
    bound parameter tuples (dates as text, JSON, sealed images: every bind processor applied), elsewhere the
    rows as given. Built in any thread (no connection needed): the import's read-ahead thread does it."""

    table: Table
    rows: Sequence[dict[str, Any]]
    sql: str | None = None
    params: list[tuple[Any, ...]] | None = None


def prepare_rows(dialect: Dialect, table: Table, rows: Sequence[dict[str, Any]]) -> Prepared:
    """`rows` (dicts of column key -> value, every row with the keys of the first) made ready for
    `insert_prepared`. A row missing a key raises KeyError."""
    plan = _plan(dialect, table, tuple(rows[0])) if rows else None
    if plan is None:
        return Prepared(table, rows)
    sql, names, procs = plan
    getter = itemgetter(*names)
    if len(names) == 1:
        params: list[tuple[Any, ...]] = [(getter(r),) for r in rows]
    else:
        params = [getter(r) for r in rows]
    if procs:
        params = [_processed(values, procs) for values in params]
    return Prepared(table, rows, sql, params)


def insert_prepared(conn: Connection, prepared: Prepared) -> None:
    """Insert rows prepared for this connection's engine (its dialect), in order, one executemany per chunk:
    what `conn.execute(insert(table), rows)` writes."""
    if prepared.sql is None or prepared.params is None:
        for part in chunks(prepared.rows, ROWS_PER_INSERT):
            conn.execute(insert(prepared.table), list(part))
        return
    for params in chunks(prepared.params, ROWS_PER_INSERT):
        conn.exec_driver_sql(prepared.sql, list(params))


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts of column key -> value, every row with the keys of the first) into `table`, in
    order: what `conn.execute(insert(table), rows)` writes. A row missing a key raises KeyError."""
    if rows:
        insert_prepared(conn, prepare_rows(conn.dialect, table, rows))


def _processed(values: tuple[Any, ...], procs: list[tuple[int, Processor]]) -> tuple[Any, ...]:
    out = list(values)
    for i, proc in procs:
        out[i] = proc(out[i])
    return tuple(out)


Processor = Callable[[Any], Any]


def _plan(engine: Dialect | Connection, table: Table, keys: tuple[str, ...]
          ) -> tuple[str, tuple[str, ...], list[tuple[int, Processor]]] | None:
    """(SQL, the row keys in the statement's order, [(position, bind processor)]) for SQLite; None where
    SQLAlchemy's own executemany is used: other engines, or a statement that needs values the rows do not
    carry (a column default computed at insert time). `engine`: a dialect, or a connection (its dialect)."""
    dialect = engine.dialect if isinstance(engine, Connection) else engine
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


def prepare_tokens(dialect: Dialect, households: Sequence[tuple[str, set[str]]]) -> Prepared:
    """The name_tokens rows of households given as (id, tokens), made ready for the driver."""
    rows = sorted(token_pairs(households))  # in key order: one walk along the primary key, not random pages
    return prepare_tuples(dialect, _TOKENS, _TOKEN_KEYS, rows)


def prepare_tuples(dialect: Dialect, table: Table, keys: tuple[str, ...], rows: list[tuple[Any, ...]]
                   ) -> Prepared:
    """Rows given as tuples of the columns `keys` (plain values no bind processor changes: text), made
    ready for the driver without a dict per row where the statement takes them as they are."""
    plan = _plan(dialect, table, keys)
    if plan is None or plan[1:] != (keys, []):  # not plain columns in this order
        return prepare_rows(dialect, table, [dict(zip(keys, r, strict=True)) for r in rows])
    return Prepared(table, [], plan[0], rows)


def write_tokens(s: Session, households: Sequence[tuple[str, set[str]]] | Prepared,
                 replaced: Sequence[str]) -> None:
    """The search tokens of a batch of households (id, the tokens registration.index_tokens writes for it;
    or those rows as `prepare_tokens` made them): one DELETE per chunk of the households `replaced` (on file
    before this batch), one executemany per chunk of rows, no ORM objects and no autoflush. A household
    given twice is refused by the table's key."""
    for part in chunks(replaced, IDS_PER_IN):
        s.execute(delete(_TOKENS).where(_TOKENS.c.household_id.in_(part))
                  .execution_options(synchronize_session=False))
    conn = s.connection()
    insert_prepared(conn, households if isinstance(households, Prepared)
                    else prepare_tokens(conn.dialect, households))
