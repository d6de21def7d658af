"""Unit of work: one session and one transaction per service call; commit on success, roll back on error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from station.db.checkpoint import BackgroundCheckpoint
from station.errors import StationError


class UnitOfWork:
    def __init__(self, factory: sessionmaker[Session], after_commit: Callable[[], None] | None = None) -> None:
        self._factory = factory
        self._after_commit = after_commit
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                self.session.commit()
                if self._after_commit is not None:
                    self._after_commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()

    def flush(self) -> None:
        self.session.flush()


class Database:
    """An engine plus a session factory; hands out units of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        writer = engine.execution_options(sqlite_begin="IMMEDIATE") if engine.dialect.name == "sqlite" else engine
        self._writer = sessionmaker(writer, expire_on_commit=False)
        self._reader = sessionmaker(engine, expire_on_commit=False)
        # SQLite: the write-ahead log is copied into the file while nobody saves (station.db.checkpoint)
        self.checkpoint = BackgroundCheckpoint(engine) if engine.dialect.name == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def uow(self) -> UnitOfWork:
        """A unit of work that may write (takes the write lock at its first statement on SQLite)."""
        return UnitOfWork(self._writer, self.checkpoint.nudge if self.checkpoint is not None else None)

    def reader(self) -> UnitOfWork:
        """A read-only unit of work (never waits for a writer in WAL mode)."""
        return UnitOfWork(self._reader)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.uow() as uow:
            yield uow.session

    def dispose(self) -> None:
        """Close every connection; on SQLite first let the query planner refresh the statistics it needs
        (`PRAGMA optimize`, as SQLite recommends before closing), which keeps searches fast as the file grows."""
        if self.checkpoint is not None:
            self.checkpoint.stop()
        if self.dialect == "sqlite":
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA analysis_limit=400")  # bounded work on a large file
                    conn.exec_driver_sql("PRAGMA optimize=0x10002")  # every table, not only this connection's
                    conn.commit()  # ANALYZE writes sqlite_stat1 inside the connection's transaction
            except (SQLAlchemyError, StationError):  # closing must not fail over an optimisation
                pass  # (a full disk, or a damaged file the connect check refuses)
        self.engine.dispose()
