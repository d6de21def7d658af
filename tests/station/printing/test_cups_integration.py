"""Through CUPS and cups-pdf: the station's own print path, checked on the PDF the spooler produced.

Needs `bash .ci/cups.sh` (scheduler + queue StationPDF). Skipped only when no scheduler answers.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import zxingcpp
from sqlalchemy import select

from station.db.rows import HouseholdRow, PrintRecordRow
from station.errors import StationError
from station.printing import spool
from station.services import printing as svc
from tests.conftest import _missing
from tests.station.printing.print_helpers import add_household, page_size_mm, pdf_text, rasterise

QUEUE = os.environ.get("STATION_TEST_QUEUE", "StationPDF")

pytestmark = [
    pytest.mark.cups,
]


def cups_pdf_out() -> Path:
    conf = Path("/etc/cups/cups-pdf.conf")
    out = "${HOME}/PDF"
    if conf.exists():
        for line in conf.read_text(errors="replace").splitlines():
            if line.startswith("Out "):
                out = line.split(None, 1)[1].strip()
    return Path(out.replace("${HOME}", os.path.expanduser("~")))


def spooled_pdf(job_ref: str, timeout: float = 30.0) -> Path:
    number = job_ref.rsplit("-", 1)[1]
    folder = cups_pdf_out()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hits = [p for p in folder.glob(f"*job_{number}.pdf") if p.stat().st_size > 0]
        if hits:
            time.sleep(0.3)  # let cups-pdf finish writing
            return hits[0]
        time.sleep(0.25)
    raise AssertionError(f"cups-pdf wrote nothing for {job_ref} in {folder}")


def _print(ctx, kind: str, hh) -> tuple[svc.PrintJob, Path]:
    with ctx.db.uow() as uow:
        if kind == "wristband":
            job = svc.prepare_wristbands(uow, ctx.actor, [hh.registration_number])
        else:
            job = svc.prepare_cards(uow, ctx.actor, [hh.registration_number], kind=kind)
    result = spool.send(job.pdf, QUEUE, job.title, job.page_mm, wait_seconds=30)
    with ctx.db.uow() as uow:
        svc.record_printed(uow, ctx.actor, job, printer=QUEUE, job_ref=result.job_ref)
    return job, spooled_pdf(result.job_ref)


def test_ration_card_through_cups(sqlite_ctx) -> None:
    hh = add_household(sqlite_ctx)
    _job, out = _print(sqlite_ctx, "card", hh)
    w, h = page_size_mm(out)
    assert abs(w - 85.6) < 1.0 and abs(h - 54.0) < 1.0, (w, h)
    assert hh.registration_number in pdf_text(out)
    codes = [r.text for r in zxingcpp.read_barcodes(rasterise(out, 300))]
    assert len(codes) == 1 and codes[0].startswith("RS1:")
    with sqlite_ctx.db.reader() as uow:
        check = svc.verify_card_payload(uow, codes[0])
        assert check.valid and check.regno == hh.registration_number and check.issue == 1
        assert uow.session.get(HouseholdRow, hh.id).card_issue == 1
        assert uow.session.scalars(select(PrintRecordRow.job_ref)).one().startswith(QUEUE)


def test_wristband_through_cups(sqlite_ctx) -> None:
    hh = add_household(sqlite_ctx)
    _job, out = _print(sqlite_ctx, "wristband", hh)
    w, h = page_size_mm(out)
    assert abs(w - 25.4) < 1.0 and abs(h - 279.0) < 1.0, (w, h)
    assert hh.registration_number in pdf_text(out)
    codes = [r.text for r in zxingcpp.read_barcodes(rasterise(out, 300, page=1))]
    assert len(codes) == 1
    with sqlite_ctx.db.reader() as uow:
        check = svc.verify_card_payload(uow, codes[0])
    assert check.valid and check.kind == "wristband" and check.position == 1


def test_missing_printer_keeps_job_and_records_nothing(sqlite_ctx) -> None:
    hh = add_household(sqlite_ctx)
    with sqlite_ctx.db.uow() as uow:
        job = svc.prepare_cards(uow, sqlite_ctx.actor, [hh.id])
    with pytest.raises(StationError) as err:
        spool.send(job.pdf, "NoSuchQueue", job.title, job.page_mm)
    assert err.value.code == "printing.error.printer_missing"
    with sqlite_ctx.db.reader() as uow:
        assert uow.session.get(HouseholdRow, hh.id).card_issue == 0


def test_paused_printer_is_refused_then_retry_works(sqlite_ctx) -> None:
    import subprocess

    if subprocess.run(["cupsdisable", QUEUE], capture_output=True).returncode != 0:
        _missing("cups", "STATION_REQUIRE_CUPS", f"not allowed to pause the queue {QUEUE} here (cupsdisable)")
    try:
        assert not spool.printer_status(QUEUE).ready
        with pytest.raises(StationError) as err:
            spool.send(b"%PDF-1.4", QUEUE, "station-paused", (85.6, 54.0))
        assert err.value.code == "printing.error.printer_paused"
    finally:
        subprocess.run(["cupsenable", QUEUE], capture_output=True, check=False)
    assert spool.printer_status(QUEUE).ready
    assert re.match(rf"{QUEUE}-\d+$", spool.submit(b"%PDF-1.4\n%%EOF\n", QUEUE, "station-retry", (85.6, 54.0)))
