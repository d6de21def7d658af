"""Printing through the real CUPS + cups-pdf queue leaves no readable copy of the card on disk.

Needs `bash .ci/cups.sh` (scheduler + queue StationPDF) and root (to read the spool folder and to switch
the scheduler's settings as a misconfigured machine would have them). Issue 15.
"""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from station.domain.codes import Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts
from station.printing import spool
from station.services import photos
from station.services import printing as svc
from station.services.registration import register_household
from tests.station.printing.print_helpers import FACES, pdf_text
from tests.station.printing.test_cups_integration import QUEUE, spooled_pdf

pytestmark = [
    pytest.mark.cups,
    pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root to read /var/spool/cups"),
]


def _cupsctl(**settings: str) -> None:
    subprocess.run(["cupsctl", *(f"{k}={v}" for k, v in settings.items())], check=True, capture_output=True)
    deadline = time.monotonic() + 10
    while not spool.scheduler_running() and time.monotonic() < deadline:
        time.sleep(0.2)


def _unique_name() -> str:
    return "Q" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(9))


def _household(ctx, given: str, family: str):
    draft = HouseholdDraft(members=(
        MemberDraft(name_ar=NameParts("فاطمة", "حسين"), name_lat=NameParts(given, "Ali", "", family),
                    sex=Sex.FEMALE, relationship=Relationship.HEAD, birth_date=date(1985, 3, 1)),
    ))
    with ctx.db.uow() as uow:
        hh = register_household(uow, ctx.actor, draft)
    with ctx.db.uow() as uow:
        photos.save_portrait(uow, ctx.actor, hh.members[0].id, (FACES / "astronaut.jpg").read_bytes())
    return hh


def _needles(pdf: bytes, words: list[str]) -> list[bytes]:
    """Byte strings whose presence anywhere means a copy: the names (UTF-8 and UTF-16), slices of the
    exact PDF sent (a spooled document is a byte copy) and of the portrait's JPEG stream inside it."""
    words = [v for w in words for v in (w, w.upper())]  # cards print Latin names in capitals
    out = [w.encode() for w in words] + [w.encode("utf-16-be") for w in words]
    out += [pdf[i:i + 48] for i in (len(pdf) // 4, len(pdf) // 2, 3 * len(pdf) // 4)]
    soi = pdf.find(b"\xff\xd8\xff")
    assert soi >= 0, "the card carries the portrait as a JPEG stream"
    out.append(pdf[soi + 400:soi + 448])
    return out


def _files(root: Path, since: float) -> list[Path]:
    found: list[Path] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False) and entry.stat().st_mtime >= since:
                    found.append(Path(entry.path))
            except OSError:
                continue
    return found


def _hits(paths: list[Path], needles: list[bytes], words: list[str]) -> list[str]:
    hits = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if any(n in data for n in needles):
            hits.append(str(path))
        elif data.startswith(b"%PDF") and any(w.upper() in pdf_text(path).upper() for w in words):
            hits.append(str(path))
    return hits


def _print_card(ctx, hh) -> tuple[bytes, spool.SpoolResult]:
    with ctx.db.uow() as uow:
        job = svc.prepare_cards(uow, ctx.actor, [hh.registration_number], kind="card")
    result = spool.send(job.pdf, QUEUE, job.title, job.page_mm, wait_seconds=30)
    with ctx.db.uow() as uow:
        svc.record_printed(uow, ctx.actor, job, printer=QUEUE, job_ref=result.job_ref)
    return job.pdf, result


def test_misconfigured_spooler_is_fixed_and_purged(sqlite_ctx, monkeypatch) -> None:
    """A scheduler keeping job files (Debian's default) holds the card; secure_spooler() switches that off
    and purges the kept copy, and spool_status() says so before and after."""
    given, family = _unique_name(), _unique_name()
    hh = _household(sqlite_ctx, given, family)
    with sqlite_ctx.db.uow() as uow:
        job = svc.prepare_cards(uow, sqlite_ctx.actor, [hh.registration_number], kind="card")
    _cupsctl(PreserveJobFiles="Yes", PreserveJobHistory="Yes")
    try:
        status = spool.spool_status()
        assert status.keeps_copies is True and not status.ok
        assert spool.spool_verdict(status)[:2] == (False, "doctor.spool_keeps_copies")
        ref = spool.submit(job.pdf, QUEUE, job.title, job.page_mm)  # straight in, as another program would
        spooled_pdf(ref).unlink()  # the "paper"
        number = int(ref.rsplit("-", 1)[1])
        kept = spool.spool_folder() / f"d{number:05d}-001"
        deadline = time.monotonic() + 10
        while spool.job_state(ref) not in ("completed", "gone") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert kept.exists() and kept.read_bytes() == job.pdf  # the fault, reproduced
        assert spool.spool_status().kept_files
        monkeypatch.setattr(spool, "_secured", False)
        after = spool.secure_spooler()
        assert after.ok and after.keeps_copies is False and after.kept_files == 0, after
        assert spool.spool_verdict(after) == (True, "doctor.spool_ok", {})
        assert not kept.exists()
        assert not _hits(spool.kept_job_files() or [], _needles(job.pdf, [given, family]), [given, family])
    finally:
        _cupsctl(PreserveJobFiles="No", PreserveJobHistory="No")


def test_station_print_leaves_nothing_readable(sqlite_ctx, monkeypatch) -> None:
    """Through the station's own print path: afterwards the spool, CUPS' logs and caches, /tmp, the home
    folder and the station folder hold no name, no slice of the card and no slice of its portrait. The
    scheduler starts as Debian ships it (keeping job files): only `send()` securing it makes this pass."""
    given, family = _unique_name(), _unique_name()
    hh = _household(sqlite_ctx, given, family)
    _cupsctl(PreserveJobFiles="Yes", PreserveJobHistory="Yes")
    monkeypatch.setattr(spool, "_secured", False)  # as in a fresh process
    try:
        _check_nothing_left(sqlite_ctx, hh, given, family)
    finally:
        _cupsctl(PreserveJobFiles="No", PreserveJobHistory="No")


def _check_nothing_left(sqlite_ctx, hh, given: str, family: str) -> None:
    start = time.time() - 1
    pdf, result = _print_card(sqlite_ctx, hh)
    assert result.state == "completed"
    paper = spooled_pdf(result.job_ref)
    words = [given, family]
    needles = _needles(pdf, words)
    assert _hits([paper], needles, words), "the search finds the card where it is (the printer's output)"
    paper.unlink()
    time.sleep(0.5)
    roots = [spool.spool_folder(), Path("/var/log/cups"), Path("/var/cache/cups"), Path("/tmp"),
             Path.home(), sqlite_ctx.home]
    paths = [p for root in roots for p in _files(root, start)]
    assert paths, "the walk sees the files written meanwhile (the station's own database at least)"
    assert _hits(paths, needles, words) == []
    assert spool.kept_job_files() == []
    assert spool.spool_status().ok
    from station.services import doctor

    check = doctor.check_print_spool()  # what `station doctor` says
    assert check.ok and check.detail == "doctor.spool_ok"
