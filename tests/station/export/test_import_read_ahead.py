"""The office import in two threads (station.export.read_ahead): the read-ahead thread reads, decrypts, checks and
groups the pack while the importing thread merges; a failure in either thread, early or late in the pack,
leaves the office database exactly as it was and no thread behind, and memory stays bounded."""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from station.db.rows import AuditEventRow, HouseholdRow, MetaRow, NameTokenRow, PersonKeyRow, PhotoRow
from station.errors import StationError
from station.export import crypto, merge
from station.export.read_ahead import ReadAhead
from station.services import export as ex
from station.services import pack_import as im
from station.services.registration import register_household
from station.services.station import StationContext
from tests.factories import family_of_five

from .conftest import OfficeKeys, jpeg

HOUSEHOLDS = 6


def _state(ctx: StationContext) -> list[int]:
    """Households, portraits, search tokens, person keys, audit events, pack markers: all an import writes."""
    with ctx.db.reader() as uow:
        s = uow.session
        found = [s.scalar(select(func.count()).select_from(model)) or 0
                 for model in (HouseholdRow, PhotoRow, NameTokenRow, PersonKeyRow, AuditEventRow)]
        packs = select(func.count()).select_from(MetaRow).where(MetaRow.key.like("import.pack.%"))
        return [*found, s.scalar(packs) or 0]


def _threads_left() -> list[str]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = [t.name for t in threading.enumerate() if t.name == "pack-read-ahead"]
        if not left:
            return []
        time.sleep(0.05)
    return left


@pytest.fixture
def many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Packs written in 4 KB chunks: a pack of a few households is dozens of sealed chunks."""
    monkeypatch.setattr(crypto, "CHUNK", 4096)


def _desk_pack(make_station: Any, tmp_path: Path) -> Path:
    desk = make_station("MKH", 2)
    with desk.db.uow() as uow:
        for _ in range(HOUSEHOLDS):
            register_household(uow, desk.actor, family_of_five())
    from station.db.rows import IndividualRow
    from station.services import audit

    with desk.db.uow() as uow:  # portraits, so the pack's images are read and sealed too
        for i, iid in enumerate(uow.session.scalars(select(IndividualRow.id)).all()[:8]):
            uow.session.add(PhotoRow(individual_id=iid, jpeg=jpeg(i), width=60, height=80, quality={},
                                     override_reason="", taken_at=audit.utcnow(), taken_by="admin"))
    out = tmp_path / "usb"
    out.mkdir()
    return ex.export_pack(desk.db, desk.actor, out).path


def _chunk_offsets(pack: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each sealed chunk's ciphertext in a pack file."""
    hlen = struct.unpack(">I", pack[len(crypto.MAGIC) + 2 : len(crypto.MAGIC) + 6])[0]
    pos, out = len(crypto.MAGIC) + 6 + hlen, []
    while pos < len(pack):
        (n,) = struct.unpack(">I", pack[pos : pos + 4])
        out.append((pos + 4, n))
        pos += 4 + n
    return out


def test_a_tampered_chunk_late_in_the_pack_leaves_nothing_written(
        make_station: Any, office_keys: OfficeKeys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        many_chunks: None) -> None:
    monkeypatch.setattr(merge, "GROUPS_PER_BATCH", 2)  # batches are merged before the damage is read
    pack = _desk_pack(make_station, tmp_path)
    office = make_station("OFF", 1)
    before = _state(office)
    merged: list[int] = []
    real = merge.Merger.merge_batch

    def counting(self: merge.Merger, batch: merge.Batch) -> None:
        merged.append(len(batch[1]))
        real(self, batch)

    monkeypatch.setattr(merge.Merger, "merge_batch", counting)
    data = bytearray(pack.read_bytes())
    chunks = _chunk_offsets(bytes(data))
    assert len(chunks) > 10
    offset, length = chunks[-2]  # the last chunk but one: nearly the whole pack is merged before it
    data[offset + length // 2] ^= 0x01
    pack.write_bytes(bytes(data))
    with pytest.raises(StationError) as err:
        im.import_pack(office.db, office.actor, pack, office_keys.private)
    assert err.value.code == "export.error.damaged"
    assert len(merged) >= 2  # batches were merged into the transaction before the damaged chunk was read
    assert _state(office) == before
    assert _threads_left() == []


def test_an_error_in_the_read_ahead_thread_aborts_the_whole_import(
        make_station: Any, office_keys: OfficeKeys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merge, "GROUPS_PER_BATCH", 2)
    pack = _desk_pack(make_station, tmp_path)
    office = make_station("OFF", 1)
    before = _state(office)
    real_feed, fed, merged, where = merge.Merger.feed, [0], [0], []
    real_merge = merge.Merger.merge_batch

    def failing_feed(self: merge.Merger, rec: Any) -> None:
        where.append(threading.current_thread().name)
        if rec.part == "households":
            fed[0] += 1
            if fed[0] == HOUSEHOLDS:  # the last household: earlier batches are merged by now
                raise StationError("export.error.hostile")
        real_feed(self, rec)

    def counting(self: merge.Merger, batch: merge.Batch) -> None:
        merged[0] += 1
        real_merge(self, batch)

    monkeypatch.setattr(merge.Merger, "feed", failing_feed)
    monkeypatch.setattr(merge.Merger, "merge_batch", counting)
    with pytest.raises(StationError) as err:
        im.import_pack(office.db, office.actor, pack, office_keys.private)
    assert err.value.code == "export.error.hostile"
    assert set(where) == {"pack-read-ahead"}  # the pack is read in the read-ahead thread
    assert merged[0] >= 2
    assert _state(office) == before
    assert _threads_left() == []
    got = im.import_pack(office.db, office.actor, pack, office_keys.private)  # not marked as imported
    assert got.stats.households_added == HOUSEHOLDS and not got.already_imported


def test_an_error_in_the_importing_thread_stops_the_read_ahead(
        make_station: Any, office_keys: OfficeKeys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        many_chunks: None) -> None:
    monkeypatch.setattr(merge, "GROUPS_PER_BATCH", 1)
    pack = _desk_pack(make_station, tmp_path)
    office = make_station("OFF", 1)
    before = _state(office)
    fed = [0]
    real_feed = merge.Merger.feed

    def counting_feed(self: merge.Merger, rec: Any) -> None:
        fed[0] += rec.part == "households"
        real_feed(self, rec)

    def failing_merge(self: merge.Merger, batch: merge.Batch) -> None:
        time.sleep(0.2)  # the read-ahead thread runs ahead until the hand-over is full
        raise StationError("export.error.inconsistent")

    monkeypatch.setattr(merge.Merger, "feed", counting_feed)
    monkeypatch.setattr(merge.Merger, "merge_batch", failing_merge)
    with pytest.raises(StationError) as err:
        im.import_pack(office.db, office.actor, pack, office_keys.private)
    assert err.value.code == "export.error.inconsistent"
    assert _threads_left() == []
    # one batch merging, one waiting, one being read (plus the household that closes it): no further
    assert fed[0] <= 4 < HOUSEHOLDS
    assert _state(office) == before


def test_a_pack_imported_before_is_refused_before_it_is_read_through(
        make_station: Any, office_keys: OfficeKeys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merge, "GROUPS_PER_BATCH", 1)
    pack = _desk_pack(make_station, tmp_path)
    office = make_station("OFF", 1)
    assert im.import_pack(office.db, office.actor, pack, office_keys.private).stats.households_added == HOUSEHOLDS
    before = _state(office)
    fed = [0]
    real_feed = merge.Merger.feed

    def counting_feed(self: merge.Merger, rec: Any) -> None:
        fed[0] += rec.part == "households"
        real_feed(self, rec)

    monkeypatch.setattr(merge.Merger, "feed", counting_feed)
    again = im.import_pack(office.db, office.actor, pack, office_keys.private)
    assert again.already_imported
    assert fed[0] < HOUSEHOLDS  # refused at the first record, not after reading the whole pack
    assert _state(office) == before
    assert _threads_left() == []


def _producer(items: int, fail_at: int | None, made: list[int]) -> Callable[[Callable[[int], None]], None]:
    def produce(put: Callable[[int], None]) -> None:
        for i in range(items):
            if i == fail_at:
                raise ValueError("bad chunk")
            made.append(i)
            put(i)
    return produce


def test_read_ahead_hands_over_in_order_and_ahead_by_at_most_its_depth() -> None:
    made: list[int] = []
    taken: list[int] = []
    lead = 0
    with ReadAhead(_producer(50, None, made), depth=2) as ahead:
        for item in ahead:
            time.sleep(0.002)
            lead = max(lead, len(made) - len(taken))
            taken.append(item)
    assert taken == list(range(50))
    assert lead <= 2 + 2  # waiting in the hand-over, plus the one being put and the one being taken


def test_read_ahead_raises_the_producers_error_after_what_it_handed_over() -> None:
    taken: list[int] = []
    with pytest.raises(ValueError, match="bad chunk"), ReadAhead(_producer(10, 7, [])) as ahead:
        for item in ahead:
            taken.append(item)
    assert taken == list(range(7))
    assert _threads_left() == []


def test_leaving_early_stops_the_producer() -> None:
    made: list[int] = []
    with ReadAhead(_producer(10_000, None, made), depth=1) as ahead:
        for item in ahead:
            if item == 3:
                break
    assert _threads_left() == []
    assert len(made) <= 3 + 3


def _autocheckpoints(ctx: StationContext) -> set[int]:
    """The automatic checkpoint threshold of every connection in the pool (all checked out at once)."""
    conns = [ctx.db.engine.connect() for _ in range(4)]
    try:
        return {c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() for c in conns}
    finally:
        for c in conns:
            c.close()


def _set_autocheckpoint(ctx: StationContext, pages: int) -> None:
    conns = [ctx.db.engine.connect() for _ in range(4)]
    for c in conns:
        c.exec_driver_sql(f"PRAGMA wal_autocheckpoint={pages}")
        c.close()


def test_the_import_leaves_the_log_to_the_background_checkpoint_and_restores_the_threshold(
        make_station: Any, office_keys: OfficeKeys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from station.db.engine import DB_FILE, WAL_CHECKPOINT_PAGES

    pack = _desk_pack(make_station, tmp_path)
    office = make_station("OFF", 1)
    assert office.db.checkpoint is not None
    office.db.checkpoint.idle = 3600.0  # the background copy stays away while this test looks
    _set_autocheckpoint(office, 10)  # as if the pack were large: SQLite's own checkpoint would run at commit
    with office.db.engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    db_file = office.home / DB_FILE
    size = db_file.stat().st_size
    got = im.import_pack(office.db, office.actor, pack, office_keys.private)
    assert got.stats.households_added == HOUSEHOLDS
    assert db_file.stat().st_size == size  # the commit wrote the log only; the file is copied into later
    assert _autocheckpoints(office) == {10, WAL_CHECKPOINT_PAGES}  # the import's connection: the usual again
    with office.db.engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    assert db_file.stat().st_size > size
    assert _state(office)[0] == HOUSEHOLDS

    _set_autocheckpoint(office, WAL_CHECKPOINT_PAGES)
    monkeypatch.setattr(merge.Merger, "merge_batch", lambda *_a: (_ for _ in ()).throw(
        StationError("export.error.inconsistent")))
    with pytest.raises(StationError):
        im.import_pack(office.db, office.actor, _desk_pack_again(make_station, tmp_path), office_keys.private)
    assert _autocheckpoints(office) == {WAL_CHECKPOINT_PAGES}  # restored after a refused pack too


def _desk_pack_again(make_station: Any, tmp_path: Path) -> Path:
    desk = make_station("MKH", 3)
    with desk.db.uow() as uow:
        register_household(uow, desk.actor, family_of_five())
    out = tmp_path / "usb3"
    out.mkdir()
    return ex.export_pack(desk.db, desk.actor, out).path
