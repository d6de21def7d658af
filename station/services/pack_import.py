"""Import packs at the office: check, decrypt and merge each pack in one transaction (all or nothing)."""

from __future__ import annotations

import gc
import json
import logging
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError

from station import clock
from station.db.engine import CACHE_KIB, WAL_CHECKPOINT_PAGES
from station.db.rows import MetaRow
from station.db.uow import Database, UnitOfWork
from station.domain.roles import Actor, Permission
from station.errors import StationError
from station.export.chains import chain_links
from station.export.container import ReadState, Record, read_records
from station.export.crypto import open_chunks, read_header, stream_key
from station.export.merge import Batch, Merger, MergeStats
from station.export.read_ahead import ReadAhead
from station.services import (
    audit,
    matching,
    pack_origin,
    pack_trail,
    retention,
    tracing,
    tracing_checks,
    trail_guard,
)
from station.services.authz import require

log = logging.getLogger(__name__)
PASSPHRASE_ENV = "STATION_OFFICE_KEY_PASSPHRASE"
IMPORT_CACHE_KIB = 262_144  # page cache while a pack is merged (the connection's usual size is restored after)
MAX_PACK_BYTES = 64 * 2**30
_PACK_KEY = "import.pack."

Progress = Callable[[int, int], None]  # bytes read, file size


class AlreadyImported(StationError):
    pass


@dataclass(frozen=True)
class ImportResult:
    file: str
    pack_id: str
    station: str
    already_imported: bool
    stats: MergeStats
    chains: dict[str, str]  # station -> "complete" | "incomplete" (earlier packs not imported yet)


class _ProgressReader:
    def __init__(self, fh: Any, size: int, progress: Progress | None) -> None:
        self.fh, self.size, self.progress, self.done, self._last = fh, size, progress, 0, 0

    def read(self, n: int = -1) -> bytes:
        data: bytes = self.fh.read(n)
        self.done += len(data)
        if self.progress and self.done - self._last >= 4 * 2**20:
            self._last = self.done
            self.progress(self.done, self.size)
        return data


def import_pack(
    db: Database, actor: Actor, path: Path, private: X25519PrivateKey, progress: Progress | None = None,
    *, allow_synthetic: bool = False, enrol: bool = True,
) -> ImportResult:
    """Verify, decrypt and merge one pack. Refused packs change nothing; a pack seen before adds nothing.

    A pack from a demo station (header `synthetic`) is refused unless `allow_synthetic` (a training office).
    A pack must be signed by its station (pack_origin); a station seen for the first time is enrolled (its
    key pinned) unless `enrol=False`, which accepts only stations enrolled before."""
    require(actor, Permission.IMPORT)
    fh, size = open_pack_file(Path(path))
    if size > MAX_PACK_BYTES:
        fh.close()
        raise StationError("export.error.hostile")
    state = ReadState()
    try:
        src = _ProgressReader(fh, size, None)  # progress is told in this thread, batch by batch
        header = read_header(src)  # type: ignore[arg-type]
        key = stream_key(header, private)
        with db.uow() as uow:
            merger = Merger(uow, on_households=_households_merged, on_case=tracing.apply_snapshot,
                            prepare=matching.key_batch)
            records = read_records(open_chunks(src, header, key), state)  # type: ignore[arg-type]
            intake = _Intake(records, merger, state, clock.station_zone())
            with _import_cache(uow), _no_cycle_collection(), ReadAhead(intake.run) as batches:
                for batch in batches:  # read, checked and grouped in the read-ahead thread, merged here
                    if batch is _FIRST:
                        _refuse_if_known(uow, state, allow_synthetic)
                    else:
                        merger.merge_batch(batch)
                    if progress:
                        progress(src.done, size)
                _refuse_if_known(uow, state, allow_synthetic)
                # signed by its station (issue 15)
                signed_by, trust = pack_origin.check_origin(uow.session, state, enrol=enrol)
                stats = merger.finish()
            chains = {}
            for station in sorted(stats.stations):
                links_ok, complete = chain_links(uow.session, station)
                if not links_ok:
                    raise StationError("export.error.audit_tampered")
                chains[station] = "complete" if complete else "incomplete"
            pack_trail.check(uow.session, state, trust)  # its trail neither rewritten nor rolled back
            summary = {"file": Path(path).name, "station": state.header.get("station"),
                       "households": stats.households_added + stats.households_updated,
                       "audit_added": stats.audit_added, "range": state.header.get("range")}
            uow.session.add(MetaRow(key=_PACK_KEY + state.header["pack_id"],
                                    value=json.dumps(summary, default=str)))
            audit.record(uow, actor, "import.pack", "station", str(state.header.get("station", "")), {
                "pack_id": state.header["pack_id"], "added": stats.households_added,
                "updated": stats.households_updated, "kept_local": stats.households_kept_local,
                "portraits": stats.portraits, "prints": stats.prints, "audit_added": stats.audit_added,
                "chains": chains, "signed_by": signed_by,
                "origin": pack_origin.enrolled(uow.session, str(state.header.get("station", ""))),
            })
    except AlreadyImported:
        retention.write_ack(Path(path), state.header)  # the stick goes back acknowledged all the same
        return ImportResult(Path(path).name, state.header["pack_id"], str(state.header.get("station", "")),
                            True, MergeStats(), {})
    except pack_trail.TrailRefused as exc:
        _record_refusal(db, actor, exc)
        raise
    except StationError as exc:
        refusal = (pack_trail.conflict_refusal(db, Path(path), private, exc.code)
                   if exc.code in pack_trail.CONFLICTS else None)
        if refusal is None:
            raise
        _record_refusal(db, actor, refusal)
        raise refusal from None
    except (MemoryError, RecursionError):
        raise StationError("export.error.hostile") from None
    finally:
        fh.close()
    retention.write_ack(Path(path), state.header)  # `<pack>.ack` beside the pack: the station may purge
    if progress:
        progress(size, size)
    return ImportResult(Path(path).name, state.header["pack_id"], str(state.header.get("station", "")),
                        False, stats, chains)


def _record_refusal(db: Database, actor: Actor, refusal: pack_trail.TrailRefused) -> None:
    """A signed pack refused for its station's trail: on the office's own trail (the import rolled back).
    The refusal is said all the same when it cannot be written (a full disk)."""
    try:
        with db.uow() as uow:
            audit.record(uow, actor, pack_trail.REFUSED, "station", refusal.station, refusal.details)
    except (StationError, SQLAlchemyError, OSError):
        log.warning("pack refusal not recorded in the audit trail")


_FIRST: Batch = ("first", [], None)  # the pack's first record is read: its header is known


class _Intake:
    """The read-ahead thread's part of an import: read, decrypt, check and group the records; the batches go
    to the importing thread (station.export.read_ahead), which alone touches the database. The last batch
    stays in the merger, merged by `finish()` after the pack's origin is checked, as in one thread."""

    def __init__(self, records: Iterator[Record], merger: Merger, state: ReadState, zone: tzinfo) -> None:
        self.records, self.merger, self.state, self.zone = records, merger, state, zone

    def run(self, put: Callable[[Batch], None]) -> None:
        self.merger.batch_ready = put
        first = True
        for rec in self.records:
            if first:
                put(_FIRST)  # a pack imported before (or synthetic) is refused before anything is merged
                # a pack from before migration 0005 carries wall-clock arrivals: read them in our zone
                if self.state.header.get("arrival_times") != "utc":
                    self.merger.arrival_zone = self.zone
                first = False
            self.merger.feed(rec)


@contextmanager
def _import_cache(uow: UnitOfWork) -> Iterator[None]:
    """A larger page cache for this transaction (SQLite): the search-token and person-key indexes take
    random inserts all over; with the connection's usual 32 MB they no longer fit from about 10,000
    households on, and every insert reads and writes pages again (tests/perf/test_import_speed.py: 20,000
    households' tokens took 51 s of CPU with 32 MB, 15 s with 256 MB). Memory stays bounded by this size.

    And no automatic checkpoint at this transaction's commit: the whole pack is in the log by then, and
    copying it into the file there (a 269 MB pack: 1 s of CPU and several of disk) made the office wait for
    work the station's background checkpoint (station.db.checkpoint, nudged by this commit) does right after,
    in its own thread, overlapping whatever comes next (the next pack). The log is as durable as the file
    (synchronous=FULL). The connection's usual threshold is restored when it goes back to the pool."""
    sqlite = uow.session.get_bind().dialect.name == "sqlite"
    if sqlite:
        conn = uow.session.connection()
        if not event.contains(conn.engine.pool, "checkin", _autocheckpoint_restored):
            event.listen(conn.engine.pool, "checkin", _autocheckpoint_restored)
        conn.info[_NO_AUTOCHECKPOINT] = True
        uow.session.execute(text(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}"))
        uow.session.execute(text("PRAGMA wal_autocheckpoint=0"))
    try:
        yield
    finally:
        if sqlite:
            uow.session.execute(text(f"PRAGMA cache_size=-{CACHE_KIB}"))


_NO_AUTOCHECKPOINT = "station.import.no_autocheckpoint"


def _autocheckpoint_restored(dbapi_conn: Any, record: Any) -> None:
    """Pool check-in: the usual automatic checkpoint again on a connection an import turned it off on."""
    if record.info.pop(_NO_AUTOCHECKPOINT, False):
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        finally:
            cur.close()


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a pack is merged, as it was found after. A batch is a million
    short-lived dicts and tuples (rows, checked values, tokens): each automatic collection walked them all
    again, 8-9% of an import's CPU (py-spy, 5,000 households), more as the batch and the heap grow. Nothing
    is leaked: reference counting frees the rows, and cycles made meanwhile are collected once it resumes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _households_merged(uow: UnitOfWork, ids: list[str], keyed: object) -> None:
    """The merger's hook, once per batch of households added or updated (rows written, not yet committed):
    sealed at commit like any household written here (trail_guard), then the tracing checks of the whole
    batch: person keys and alerts, which say "import". `keyed`: the batch's people and keys worked out in
    the read-ahead thread (Merger's `prepare`: matching.key_batch) when every household was new, else None."""
    s = uow.session
    trail_guard.households_written(s, ids)
    s.info[tracing_checks.IMPORTING] = True
    tracing_checks.households_indexed(s, ids, keyed=keyed if isinstance(keyed, matching.KeyedBatch) else None)


def open_pack_file(path: Path) -> tuple[BinaryIO, int]:
    """Open a pack for reading, refusing at once anything but a regular file.

    The type is checked before opening (a named pipe would block `open()` forever, a device could be read
    without end), and again on the open descriptor, which is opened non-blocking so that a file swapped
    for a pipe in between cannot hang either.
    """
    name = path.name
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise StationError("fault.pack_not_a_file", file=name)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        raise StationError("export.error.pack_unreadable", file=name) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StationError("fault.pack_not_a_file", file=name)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb", buffering=1 << 20), info.st_size


def _refuse_if_known(uow: Any, state: ReadState, allow_synthetic: bool = False) -> None:
    pack_id = state.header.get("pack_id", "")
    if not isinstance(pack_id, str) or not 1 <= len(pack_id) <= 40:
        raise StationError("export.error.damaged")
    if state.header.get("synthetic") and not allow_synthetic:
        raise StationError("fault.pack_synthetic", station=str(state.header.get("station", ""))[:16])
    if uow.session.get(MetaRow, _PACK_KEY + pack_id) is not None:
        raise AlreadyImported("export.already_imported")


def import_packs(
    db: Database, actor: Actor, paths: list[Path], private: X25519PrivateKey,
    progress: Callable[[int, int, int], None] | None = None, *, allow_synthetic: bool = False,
) -> list[ImportResult]:
    """Import several packs one after the other (each all-or-nothing). Stops at the first refused pack."""
    results = []
    for i, path in enumerate(paths):
        cb = (lambda done, size, i=i: progress(i, done, size)) if progress else None
        results.append(import_pack(db, actor, path, private, cb, allow_synthetic=allow_synthetic))
    return results
