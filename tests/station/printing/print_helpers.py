"""Shared helpers for printing tests: a station in a temporary home with households, and PDF rasterising."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

from station.domain.codes import Relationship, Sex, SpecificNeed
from station.domain.model import HouseholdDraft, HouseholdView, MemberDraft, NameParts, Need
from station.services import photos
from station.services.registration import register_household
from station.services.station import StationContext

ROOT = Path(__file__).resolve().parents[3]
FACES = ROOT / "tests" / "data" / "faces"

def member(ar: tuple[str, ...], lat: tuple[str, ...], rel: Relationship, sex: Sex = Sex.FEMALE,
           needs: tuple[Need, ...] = ()) -> MemberDraft:
    return MemberDraft(name_ar=NameParts(*ar), name_lat=NameParts(*lat), sex=sex, relationship=rel,
                       birth_date=date(1985, 3, 1), needs=needs)


def add_household(ctx: StationContext, with_photo: bool = True) -> HouseholdView:
    draft = HouseholdDraft(members=(
        member(("فاطمة", "حسين", "علي", "الجبوري"), ("Fatima", "Hussein", "Ali", "Al-Jubouri"), Relationship.HEAD),
        member(("ئاوێزان", "هەڵگورد"), ("Awezan", "Halgurd"), Relationship.DAUGHTER,
               needs=(Need(SpecificNeed.SERIOUS_MEDICAL),)),
        member(("يوسف", "حسين"), ("Yousif", "Hussein"), Relationship.SON, Sex.MALE),
    ))
    with ctx.db.uow() as uow:
        hh = register_household(uow, ctx.actor, draft)
    if with_photo:
        with ctx.db.uow() as uow:
            photos.save_portrait(uow, ctx.actor, hh.members[0].id, (FACES / "astronaut.jpg").read_bytes())
    return hh


def rasterise(pdf: Path | bytes, dpi: int = 200, page: int = 1, tmp: Path | None = None) -> np.ndarray:
    """Grey image (H x W uint8) of one PDF page, by poppler's pdftoppm."""
    exe = shutil.which("pdftoppm")
    assert exe, "pdftoppm (poppler-utils) is needed to rasterise PDFs"
    if isinstance(pdf, bytes):
        assert tmp is not None
        path = tmp / "raster-in.pdf"
        path.write_bytes(pdf)
    else:
        path = pdf
    args = [exe, "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", str(path)]
    out = subprocess.run(args, capture_output=True, check=True).stdout
    import io

    return np.asarray(Image.open(io.BytesIO(out)).convert("L"))


def pdf_text(pdf: Path) -> str:
    exe = shutil.which("pdftotext")
    assert exe
    return subprocess.run([exe, str(pdf), "-"], capture_output=True, check=True, text=True).stdout


def page_size_mm(pdf: Path) -> tuple[float, float]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Page size:"):
            parts = line.split()
            return float(parts[2]) * 25.4 / 72, float(parts[4]) * 25.4 / 72
    raise AssertionError("no page size")
