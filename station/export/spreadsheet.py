"""Plain (NOT encrypted) spreadsheets for a supervisor: CSV with a UTF-8 BOM (Excel shows Arabic) and XLSX.

One row per individual. Cells that a spreadsheet would run as a formula (starting with = + - @, tab or
carriage return) are neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from station.db.rows import HouseholdRow, IndividualRow
from station.errors import StationError

COLUMNS = [
    "registration_number", "arrived_at", "status", "origin_governorate", "origin_district", "origin_place",
    "arrival_point", "household_size", "position", "relationship", "given_ar", "father_ar", "grandfather_ar",
    "family_ar", "given_lat", "father_lat", "grandfather_lat", "family_lat", "sex", "birth_date",
    "birth_date_estimated", "nationality", "marital_status", "documents", "specific_needs",
]
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet will evaluate (numbers and dates pass unchanged)."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def rows(s: Session, batch: int = 500) -> Iterator[list[Any]]:
    ids = list(s.scalars(select(HouseholdRow.id).order_by(HouseholdRow.registration_number)))
    for start in range(0, len(ids), batch):
        chunk = s.scalars(
            select(HouseholdRow).where(HouseholdRow.id.in_(ids[start : start + batch]))
            .order_by(HouseholdRow.registration_number).options(
                selectinload(HouseholdRow.members).selectinload(IndividualRow.documents),
                selectinload(HouseholdRow.members).selectinload(IndividualRow.needs))
        ).all()
        for hh in chunk:
            for m in hh.members:
                yield [neutralise(v) for v in (
                    hh.registration_number, hh.arrived_at.isoformat(sep=" ", timespec="minutes"), hh.status,
                    hh.origin_governorate, hh.origin_district, hh.origin_place, hh.arrival_point, hh.size,
                    m.position, m.relationship_to_head, m.given_ar, m.father_ar, m.grandfather_ar, m.family_ar,
                    m.given_lat, m.father_lat, m.grandfather_lat, m.family_lat, m.sex,
                    m.birth_date.isoformat() if m.birth_date else "", "yes" if m.birth_date_estimated else "",
                    m.nationality, m.marital_status,
                    "; ".join(f"{d.doc_type}:{d.number}" for d in m.documents),
                    "; ".join(n.code for n in m.needs),
                )]
        s.expunge_all()


def write_csv(s: Session, path: Path) -> int:
    n = 0
    with _private(path, "w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel then reads UTF-8
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for row in rows(s):
            w.writerow(row)
            n += 1
    return n


def write_xlsx(s: Session, path: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    n = 0
    with _private(path, "wb") as fh:
        try:
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("register")
            ws.append(COLUMNS)
            for row in rows(s):
                cells = []
                for value in row:
                    cell = WriteOnlyCell(ws, value=value)
                    if isinstance(value, str):
                        cell.data_type = "s"  # text, never a formula, even if it slipped past neutralise()
                    cells.append(cell)
                ws.append(cells)
                n += 1
            wb.save(fh)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return n


def _private(path: Path, mode: str, **kw: Any) -> Any:
    """Open a new owner-only file; refuse to overwrite."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:
        raise StationError("export.error.file_exists", file=path.name) from None
    return os.fdopen(fd, mode, **kw)
