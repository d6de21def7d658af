"""A throw-away station for screenshot scripts: temporary STATION_HOME, cheap key derivation, no real data."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication


def throwaway_station() -> tuple[QApplication, object]:
    home = Path(tempfile.mkdtemp(prefix="station-shot-"))
    os.environ["STATION_HOME"] = str(home)
    from station.security import kdf
    from station.services.station import initialize

    app = QApplication(sys.argv[:1])
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="amina", home=home,
                        admin_passphrase="demo passphrase 2026", kdf=kdf.KdfParams.fresh(time_cost=1, memory_kib=8192))
    return app, ctx
