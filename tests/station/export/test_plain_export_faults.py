"""`station export plain` on a stick that fills up: no truncated spreadsheet that looks complete, the
failed attempt is in the audit trail, one clear message (issue 16).

With root a real tmpfs of a few pages fills up; without root the file's writes fail with ENOSPC after a
number of bytes (a fake stick), which drives the same code paths.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from sqlalchemy import select

from station.db.rows import AuditEventRow
from station.errors import StationError
from station.export import spreadsheet
from station.services import export as ex
from station.services.registration import register_household
from station.services.station import StationContext
from tests.factories import family_of_five

HOUSEHOLDS = 120  # 600 people: a CSV of about 150 KB


@pytest.fixture
def station(make_station: Any) -> StationContext:
    st: StationContext = make_station("MKH", 3)
    with st.db.uow() as uow:
        for _ in range(HOUSEHOLDS):
            register_household(uow, st.actor, family_of_five())
    return st


@contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs (the fake-stick test covers the same paths)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _failures(st: StationContext) -> list[dict[str, Any]]:
    with st.db.reader() as uow:
        return [e.details for e in uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "export.plain_failed"))]


def _assert_nothing_left(stick: Path, name: str) -> None:
    assert not (stick / name).exists()
    assert [p.name for p in stick.iterdir()] == []  # no hidden .partial or openpyxl scratch file either


@pytest.mark.parametrize(("fmt", "size"), [("csv", "64k"), ("xlsx", "16k")])
def test_plain_export_to_a_nearly_full_stick(station: StationContext, tmp_path: Path, fmt: str,
                                             size: str) -> None:
    with _tmpfs(tmp_path / "stick", size) as stick:
        out = stick / f"register.{fmt}"
        with pytest.raises(StationError) as err:
            ex.export_plain(station.db, station.actor, out, fmt)
        assert err.value.code == "export.error.device_full"
        assert "full" in err.value.message()
        _assert_nothing_left(stick, out.name)
    assert _failures(station) == [{"format": fmt, "reason": "export.error.device_full"}]


class _FakeStick:
    """A file whose writes fail with ENOSPC once `room` bytes are used."""

    def __init__(self, inner: BinaryIO, room: int) -> None:
        self.inner, self.room = inner, room

    def write(self, data: bytes) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.inner.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_plain_export_to_a_fake_full_stick(station: StationContext, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    real = spreadsheet.atomic_output

    @contextmanager
    def small(path: Path, mode: int = 0o600) -> Iterator[Any]:
        with real(path, mode) as fh:
            yield _FakeStick(fh, 20_000)

    monkeypatch.setattr(spreadsheet, "atomic_output", small)
    stick = tmp_path / "stick"
    stick.mkdir()
    out = stick / f"register.{fmt}"
    with pytest.raises(StationError) as err:
        ex.export_plain(station.db, station.actor, out, fmt)
    assert err.value.code == "export.error.device_full"
    _assert_nothing_left(stick, out.name)
    assert len(_failures(station)) == 1
    monkeypatch.undo()
    assert ex.export_plain(station.db, station.actor, out, fmt) == HOUSEHOLDS * 5  # room again: it works
    assert [p.name for p in stick.iterdir()] == [out.name]
