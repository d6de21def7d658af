"""Screenshots taken by tests: always into the test's temporary folder; into docs/screenshots only when
STATION_SAVE_SCREENSHOTS=1 (so a test run never rewrites committed files)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QWidget

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_shot(widget: QWidget, name: str, tmp: Path) -> Path:
    image = widget.grab()
    out = tmp / name
    assert image.save(str(out)) and out.stat().st_size > 1000
    if os.environ.get("STATION_SAVE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        image.save(str(DOCS / name))
    return out
