"""Export/verify and import/merge of a full day's worth at scale, with peak memory watched.

Full: 5,000 households (about 20,000 individuals, each with a ~35 KB portrait): export + verify < 60 s,
import < 60 s, and memory growth far below the pack size (everything streams). STATION_PERF_SHORT=1: 150
households. Figures are printed (run with -s).

Export is also set beside the bare device work it cannot avoid: writing the same number of bytes, fsync,
and reading them back from the device (`raw_roundtrip`), wall clock and CPU time (issue 18: within 3x).

    STATION_PERF_SHORT=0 QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q -s -p no:cacheprovider \
        tests/perf/test_export_perf.py
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import insert, select

from station.db.rows import IndividualRow, PhotoRow
from station.export.crypto import generate_office_key, load_private_key
from station.services import audit
from station.services import export as ex
from station.services import pack_import as im
from station.services.demo import fill
from station.services.station import StationContext, initialize
from tests.conftest import PASSPHRASE
from tests.perf.conftest import short_mode

pytestmark = pytest.mark.perf
SHORT = short_mode()  # STATION_PERF_SHORT=0 for the full figures
HOUSEHOLDS = 150 if SHORT else 5000
BUDGET_S = 60.0


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextmanager
def peak_rss() -> Iterator[dict[str, float]]:
    """Sample resident memory every 20 ms; yields a dict filled with start/peak on exit."""
    out = {"start": _rss_mb(), "peak": _rss_mb()}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            out["peak"] = max(out["peak"], _rss_mb())
            stop.wait(0.02)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    try:
        yield out
    finally:
        stop.set()
        t.join()


def raw_roundtrip(folder: Path, size: int) -> tuple[float, float]:
    """(wall, CPU) seconds to write `size` bytes to a new file in `folder`, fsync it (and the folder), drop it
    from the page cache and read it back: what any export of that many bytes costs at least."""
    block = os.urandom(1 << 20)
    path = folder / "raw-roundtrip.bin"
    t, c = time.perf_counter(), time.process_time()
    with open(path, "wb", buffering=0) as fh:
        left = size
        while left > 0:
            left -= fh.write(block[: min(left, len(block))])
        os.fsync(fh.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    with open(path, "rb", buffering=0) as fh:
        os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        while fh.read(1 << 20):
            pass
    took = time.perf_counter() - t, time.process_time() - c
    path.unlink()
    return took


def portrait_pool(n: int = 24) -> list[bytes]:
    """Realistic portraits: 600x800 JPEGs of 30-40 KB (smooth shapes plus sensor noise)."""
    rng = np.random.default_rng(7)
    pool = []
    yy, xx = np.mgrid[0:800, 0:600]
    for i in range(n):
        base = (np.sin(xx / (40 + i)) * 60 + np.cos(yy / (55 + i)) * 60 + 128)[..., None]
        img = np.clip(base + rng.normal(0, 5.5, (800, 600, 3)), 0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, "JPEG", quality=72)
        pool.append(buf.getvalue())
    return pool


def _add_portraits(ctx: StationContext, pool: list[bytes]) -> tuple[int, int]:
    now = audit.utcnow()
    total_bytes = 0
    with ctx.db.reader() as uow:
        ids = list(uow.session.scalars(select(IndividualRow.id)))
    for start in range(0, len(ids), 1000):
        rows = []
        for i, iid in enumerate(ids[start : start + 1000], start):
            jpeg = pool[i % len(pool)] + os.urandom(16)  # unique bytes after the end-of-image marker
            total_bytes += len(jpeg)
            rows.append({"individual_id": iid, "jpeg": jpeg, "width": 600, "height": 800, "quality": {},
                         "override_reason": "", "taken_at": now, "taken_by": "admin"})
        with ctx.db.uow() as uow:
            uow.session.execute(insert(PhotoRow), rows)
    return len(ids), total_bytes


def test_export_and_import_at_scale(tmp_path: Path) -> None:
    priv_pem, pub_pem = generate_office_key("office key passphrase")
    (tmp_path / "office.key").write_bytes(priv_pem)
    private = load_private_key(tmp_path / "office.key", "office key passphrase")
    (tmp_path / "st").mkdir()
    st, _ = initialize(site_code="MKH", station_number=3, admin_username="admin", admin_passphrase=PASSPHRASE,
                       home=tmp_path / "st")
    t0 = time.perf_counter()
    fill(st.db, st.actor, HOUSEHOLDS, batch=500)
    people, photo_bytes = _add_portraits(st, portrait_pool())
    ex.set_office_key(st.db, st.actor, pub_pem)
    setup = time.perf_counter() - t0
    usb = tmp_path / "usb"
    usb.mkdir()
    with peak_rss() as mem_out:
        t, c = time.perf_counter(), time.process_time()
        res = ex.export_pack(st.db, st.actor, usb, everything=True)
        export_s, export_cpu = time.perf_counter() - t, time.process_time() - c
    st.close()
    raw_s, raw_cpu = raw_roundtrip(usb, res.size)
    (tmp_path / "office").mkdir()
    office, _ = initialize(site_code="OFF", station_number=1, admin_username="admin",
                           admin_passphrase=PASSPHRASE, home=tmp_path / "office")
    with peak_rss() as mem_in:
        t = time.perf_counter()
        got = im.import_pack(office.db, office.actor, res.path, private, allow_synthetic=True)  # demo data
        import_s = time.perf_counter() - t
    office.close()
    pack_mb = res.size / 2**20
    print(f"\n[export-perf] households={HOUSEHOLDS} individuals={people} portraits={res.portraits} "
          f"avg_portrait_kb={photo_bytes / max(people, 1) / 1024:.1f} pack_mb={pack_mb:.0f} setup_s={setup:.1f}")
    print(f"[export-perf] export+verify_s={export_s:.1f} ({pack_mb / export_s:.0f} MB/s) "
          f"rss_start_mb={mem_out['start']:.0f} rss_peak_mb={mem_out['peak']:.0f}")
    print(f"[export-perf] export wall {export_s:.2f} s, CPU {export_cpu:.2f} s; raw write+fsync+read-back of "
          f"{pack_mb:.0f} MB wall {raw_s:.2f} s, CPU {raw_cpu:.2f} s: export = {export_s / raw_s:.1f}x raw")
    print(f"[export-perf] import_s={import_s:.1f} ({pack_mb / import_s:.0f} MB/s) "
          f"rss_start_mb={mem_in['start']:.0f} rss_peak_mb={mem_in['peak']:.0f}")
    assert res.verified and res.households == HOUSEHOLDS and res.portraits == people
    assert got.stats.households_added == HOUSEHOLDS and got.stats.portraits == people
    assert export_s < BUDGET_S and import_s < BUDGET_S
    growth_out = mem_out["peak"] - mem_out["start"]
    growth_in = mem_in["peak"] - mem_in["start"]
    # bounded: a batch of households at a time, never the whole pack; the import's page cache is a fixed
    # cap of its own (pack_import.IMPORT_CACHE_KIB: the index pages stay in memory while a pack is merged)
    assert growth_out < 250 and growth_in < 250 + im.IMPORT_CACHE_KIB / 1024, (growth_out, growth_in)
    if not SHORT:
        assert pack_mb > 2 * max(growth_out, growth_in)
