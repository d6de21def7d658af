"""Office import speed: packs of 5,000 and 20,000 households (portraits for 30% of people) merged into an
empty office database; MB/s, households/s and the share spent writing search tokens, linear in pack size.

Full (STATION_PERF_SHORT=0): 5,000 and 20,000 households, 30 MB/s or more asserted.
Short: 100 and 400 households, linearity only (a shared machine's speed says little).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from station.db.rows import IndividualRow, PhotoRow
from station.export import merge
from station.export.crypto import generate_office_key, load_private_key
from station.services import audit
from station.services import export as ex
from station.services import pack_import as im
from station.services.station import initialize
from tests.conftest import PASSPHRASE
from tests.perf.bulk import bulk_households
from tests.perf.conftest import short_mode
from tests.perf.test_export_perf import portrait_pool

pytestmark = pytest.mark.perf
SIZES = (100, 400) if short_mode() else (5_000, 20_000)


def _pack(tmp: Path, households: int, pub_pem: bytes) -> tuple[Path, int]:
    home = tmp / f"st{households}"
    home.mkdir()
    st, _ = initialize(site_code="MKH", station_number=3, admin_username="admin", admin_passphrase=PASSPHRASE,
                       home=home)
    for start in range(0, households, 2000):
        bulk_households(st.db, st.actor.station, min(2000, households - start), seed=start + 1)
    pool, now = portrait_pool(8), audit.utcnow()
    with st.db.reader() as uow:
        ids = list(uow.session.scalars(select(IndividualRow.id)))
    with st.db.uow() as uow:
        uow.session.execute(insert(PhotoRow), [
            {"individual_id": iid, "jpeg": pool[i % len(pool)] + os.urandom(16), "width": 600, "height": 800,
             "quality": {}, "override_reason": "", "taken_at": now, "taken_by": "admin"}
            for i, iid in enumerate(ids) if i % 10 < 3])
    ex.set_office_key(st.db, st.actor, pub_pem)
    usb = tmp / f"usb{households}"
    usb.mkdir()
    res = ex.export_pack(st.db, st.actor, usb, everything=True)
    st.close()
    return res.path, res.size


def test_import_speed_is_linear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    priv_pem, pub_pem = generate_office_key("office key passphrase")
    (tmp_path / "office.key").write_bytes(priv_pem)
    private = load_private_key(tmp_path / "office.key", "office key passphrase")
    indexing = [0.0]
    real_write = merge.Merger._write_tokens

    def timed_write(self: merge.Merger, rows: list, replaced: list[str]) -> None:  # type: ignore[type-arg]
        t = time.perf_counter()
        real_write(self, rows, replaced)
        indexing[0] += time.perf_counter() - t

    monkeypatch.setattr(merge.Merger, "_write_tokens", timed_write)
    figures = []
    for households in SIZES:
        path, size = _pack(tmp_path, households, pub_pem)
        home = tmp_path / f"office{households}"
        home.mkdir()
        office, _ = initialize(site_code="OFF", station_number=1, admin_username="admin",
                               admin_passphrase=PASSPHRASE, home=home)
        indexing[0] = 0.0
        t = time.perf_counter()
        got = im.import_pack(office.db, office.actor, path, private, allow_synthetic=True)
        took = time.perf_counter() - t
        office.close()
        assert got.stats.households_added == households
        mb = size / 2**20
        figures.append((households, mb, took))
        print(f"\n[perf] import {households} households, pack {mb:.0f} MB: {took:.1f} s, {mb / took:.1f} MB/s, "
              f"{households / took:.0f} households/s; search tokens {indexing[0]:.1f} s "
              f"({indexing[0] / took:.0%})")
    (n1, _, t1), (n2, _, t2) = figures
    per_small, per_large = t1 / n1, t2 / n2
    print(f"[perf] time per household: {per_small * 1000:.2f} ms at {n1}, {per_large * 1000:.2f} ms at {n2}")
    assert per_large < per_small * 1.5  # linear (or better: fixed costs spread)
    if not short_mode():
        assert all(mb / took >= 30 for _, mb, took in figures)
