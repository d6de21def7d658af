"""No wristband carries a mark that singles out people with specific needs (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

from station.printing.profiles import load_print_settings
from station.services import printing as svc
from tests.station.printing.print_helpers import add_household


def _band_texts(pdf: bytes, tmp_path: Path) -> list[str]:
    import subprocess

    path = tmp_path / "bands.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True)
    return out.stdout.split("\f")


def test_settings_from_before_print_no_needs_mark(sqlite_ctx, tmp_path: Path) -> None:
    settings_file = sqlite_ctx.home / "settings.json"
    data = json.loads(settings_file.read_text())
    data.setdefault("printing", {})["staff_needs_code"] = "QX7"  # what an older version let one set
    settings_file.write_text(json.dumps(data))
    settings = load_print_settings(sqlite_ctx.home)
    assert not hasattr(settings, "staff_needs_code")
    hh = add_household(sqlite_ctx, with_photo=False)  # the daughter has a serious medical need
    with sqlite_ctx.db.uow() as uow:
        job = svc.prepare_wristbands(uow, sqlite_ctx.actor, [hh.registration_number], settings=settings)
    pages = [p for p in _band_texts(job.pdf, tmp_path) if p.strip()]
    assert len(pages) == 3 and all(hh.registration_number[:6] in p for p in pages)
    assert not any("QX7" in p for p in pages)
