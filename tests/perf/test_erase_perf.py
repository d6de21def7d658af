"""Emergency erase under two seconds with 1,000 households and their portraits (issue 15).

Short mode (CI): 200 households, same bound. Full: STATION_PERF_SHORT=0, 1,000 households.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import insert, select

from station.db.rows import IndividualRow, PhotoRow
from station.services import erase
from station.services.station import initialize
from tests.conftest import PASSPHRASE
from tests.perf.bulk import bulk_households
from tests.perf.conftest import short_mode

FACE = Path(__file__).resolve().parents[1] / "data" / "faces" / "astronaut.jpg"
LIMIT_S = 2.0


def test_erase_1000_households_under_two_seconds(home: Path) -> None:
    n = 200 if short_mode() else 1000
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    bulk_households(ctx.db, ctx.station_code, n)
    jpeg = FACE.read_bytes()
    with ctx.db.uow() as uow:
        ids = uow.session.scalars(select(IndividualRow.id).where(IndividualRow.position == 1)).all()
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        from datetime import datetime

        at = datetime.fromisoformat(now)
        uow.session.execute(insert(PhotoRow), [
            {"individual_id": i, "jpeg": jpeg, "width": 600, "height": 800, "quality": {}, "override_reason": "",
             "taken_at": at, "taken_by": "bench"} for i in ids])
    size = sum(p.stat().st_size for p in home.rglob("*") if p.is_file())
    start = time.perf_counter()
    report = erase.erase(home, (ctx,))
    elapsed = time.perf_counter() - start
    print(f"\nerase: {n} households, {size / 2**20:.1f} MiB on disk: {elapsed:.2f} s "
          f"({report.files + report.key_files} files)")
    assert [p.name for p in home.iterdir()] == [erase.ERASED_MARKER]
    assert elapsed < LIMIT_S
