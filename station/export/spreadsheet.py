"""Plain (NOT encrypted) spreadsheets for a supervisor: CSV with a UTF-8 BOM (Excel shows Arabic) and XLSX.

One row per individual. Cells that a spreadsheet would run as a formula (starting with = + - @, tab or
carriage return) are neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from station import clock
from station.db.rows import HouseholdRow, IndividualRow
from station.errors import StationError
from station.fsutil import atomic_output, clean_partials, partial_name

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
    zone = clock.station_zone()  # arrival shown as local time with its offset ("2026-03-10 18:30+03:00")
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
                    hh.registration_number,
                    clock.to_local(hh.arrived_at, zone).isoformat(sep=" ", timespec="minutes"), hh.status,
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
    with _output(path) as raw:
        fh = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")  # BOM: Excel then reads UTF-8
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for row in rows(s):
            w.writerow(row)
            n += 1
        fh.flush()
        fh.detach()  # the raw file is flushed, fsynced and renamed by _output
    return n


def write_xlsx(s: Session, path: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    n = 0
    with _output(path) as raw, _sheet_scratch_beside(path):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("register")
        try:
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
            _save(wb, raw)
        except BaseException:
            _close_sheet_writer(ws)
            raise
    return n


def _save(wb: Any, raw: BinaryIO) -> None:
    """openpyxl's save_workbook, except that a failed write leaves no ZipFile behind to write its
    directory to a dead file at garbage collection ("seek of closed file" on stderr)."""
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(wb, archive).save()
    except BaseException:
        archive.fp = None  # nothing more is written; the temporary file is removed by _output
        raise


def _close_sheet_writer(ws: Any) -> None:
    """Close openpyxl's sheet stream now, so a failed write does not surface later as an "Exception
    ignored" report on stderr when the garbage collector finds the half-closed generator."""
    writer = getattr(ws, "_writer", None)
    if writer is None:
        return
    try:
        writer.xf.close()
    except Exception:  # the stream fails again on closing (a full stick): already reported
        pass


@contextmanager
def _output(path: Path) -> Iterator[BinaryIO]:
    """A new owner-only file that appears at `path` only when complete (temporary name, fsync, rename).

    Refuses to overwrite. A full or vanished drive raises the export's StationError (device_full,
    device_gone...), leaving no file that looks complete.
    """
    from station.export.writer import write_error

    path = Path(path)
    if path.exists():
        raise StationError("export.error.file_exists", file=path.name)
    clean_partials(path.parent, path.name, older_than=60)
    try:
        with atomic_output(path) as fh:
            yield fh
    except OSError as exc:
        raise write_error(exc) from None
    except ValueError:
        # openpyxl/zipfile report a write that failed underneath as "seek of closed file" and the like
        raise StationError("export.error.write_failed", code="ValueError") from None


_scratch_lock = threading.Lock()


@contextmanager
def _sheet_scratch_beside(path: Path) -> Iterator[None]:
    """openpyxl's write-only mode streams each sheet through a scratch file in the system temp folder,
    where a kill would leave the plain register behind. Put it beside the output instead, hidden and
    removed afterwards (the output itself holds the same data). openpyxl has no option for this, so
    its module-level helper is swapped while the workbook is written."""
    from openpyxl.worksheet import _writer

    made: list[str] = []

    def scratch(suffix: str = "") -> str:
        name = str(partial_name(path.with_name(path.name + suffix)))
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        made.append(name)
        _writer.ALL_TEMP_FILES.append(name)  # openpyxl's cleanup() expects its own bookkeeping
        return name

    with _scratch_lock:
        original = _writer.create_temporary_file
        _writer.create_temporary_file = scratch
        try:
            yield
        finally:
            _writer.create_temporary_file = original
            for name in made:
                try:
                    os.unlink(name)
                except OSError:
                    pass
                if name in _writer.ALL_TEMP_FILES:
                    _writer.ALL_TEMP_FILES.remove(name)
