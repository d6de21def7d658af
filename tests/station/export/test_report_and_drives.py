"""Day report figures and PDF; removable-drive detection on a fake Linux sysfs and a fake kernel32."""

from __future__ import annotations

import ctypes
import dataclasses
import subprocess
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from station import clock
from station.db.rows import PrintRecordRow
from station.domain.codes import ReliefItem
from station.export.drives import linux_drives, windows_drives
from station.export.report import nice_step
from station.export.report_data import day_figures
from station.i18n import tr
from station.services import audit, distribution
from station.services import export as ex
from station.services.registration import register_household
from station.services.station import StationContext
from tests.factories import family_of_five


def test_day_figures_and_pdf(sqlite_ctx: StationContext, tmp_path: Path) -> None:
    ctx = sqlite_ctx
    today = clock.local_today(zone=clock.system_zone())
    with ctx.db.uow() as uow:
        for hour in (9, 9, 14):
            at = datetime(today.year, today.month, today.day, hour, 30, tzinfo=clock.system_zone())  # the local day
            draft = dataclasses.replace(family_of_five(), arrived_at=at)
            view = register_household(uow, ctx.actor, draft)
        uow.session.add(PrintRecordRow(id=str(uuid.uuid4()), household_id=view.id, kind="card", reprint=True,
                                       printed_at=audit.utcnow(), printed_by="admin"))
        distribution.record_handout(uow, ctx.actor, view.id, {ReliefItem.WATER: 6, ReliefItem.BLANKET: 2},
                                    in_round=False)
        distribution.record_handout(uow, ctx.actor, view.id, {ReliefItem.WATER: 4}, in_round=False)
    with ctx.db.reader() as uow:
        fig = day_figures(uow.session, today, ctx.actor.station)
    assert fig.households == 3 and fig.individuals == 15
    assert fig.arrivals_by_hour[9] == 2 and fig.arrivals_by_hour[14] == 1 and sum(fig.arrivals_by_hour) == 3
    assert sum(fig.pyramid["M"]) + sum(fig.pyramid["F"]) == 15
    assert fig.pyramid["M"][1] == 3  # Yousef, 9 years old, in every household (5-11)
    assert fig.pyramid["F"][0] == 6  # Maryam (4) and the newborn Nour
    assert fig.needs == {"tracing": 3, "serious_medical": 3}
    assert fig.prints == {"wristband": 0, "card": 1, "reprints": 1}
    assert fig.exports == [] and fig.handouts == {"water": 10, "blanket": 2}
    out = tmp_path / "day.pdf"
    ex.day_report(ctx.db, ctx.actor, today, out)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "End-of-day report" in text and "Tracing a relative" in text and "No export yet today" in text
    assert "Relief handed out" in text and "Blanket" in text
    assert "Fatima" not in text  # counts only, never names


@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_day_report_in_the_station_language(sqlite_ctx: StationContext, tmp_path: Path, lang: str) -> None:
    """Arabic and Sorani reports: localised labels, laid out from the right; numbers unchanged."""
    import numpy as np

    from tests.station.printing.print_helpers import rasterise

    ctx = sqlite_ctx
    with ctx.db.uow() as uow:
        for _ in range(3):
            register_household(uow, ctx.actor, family_of_five())
    out = tmp_path / f"day-{lang}.pdf"
    ex.day_report(ctx.db, ctx.actor, clock.local_today(zone=clock.system_zone()), out, lang=lang)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "End-of-day report" not in text and "Specific needs" not in text  # not the English page
    assert "\n15\n\n3\n" in subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-x", "0", "-y", "0", "-W", "600",
                                           "-H", "200", str(out), "-"], capture_output=True, text=True).stdout
    # Each line of text hangs from the reading side: the right margin here, the left one in English.
    from reportlab.platypus import SimpleDocTemplate

    from station.export.report import _Line, _Writer

    for code, rtl in ((lang, True), ("en", False)):
        one = tmp_path / f"line-{code}.pdf"
        SimpleDocTemplate(str(one), leftMargin=72, rightMargin=72).build(
            [_Line(_Writer(code), tr("report.needs", code), 14, bold=True)])
        grey = rasterise(one, 72, page=1, tmp=tmp_path)
        cols = np.flatnonzero((grey < 128).any(axis=0))
        width = grey.shape[1]
        if rtl:
            assert abs(cols[-1] - (width - 78)) <= 3 and cols[0] > width / 2, (cols[0], cols[-1])  # 6 pt frame padding
        else:
            assert abs(cols[0] - 78) <= 3 and cols[-1] < width / 2, (cols[0], cols[-1])
    english = tmp_path / "day-en.pdf"
    ex.day_report(ctx.db, ctx.actor, clock.local_today(zone=clock.system_zone()), english, lang="en")
    assert "End-of-day report" in subprocess.run(["pdftotext", str(english), "-"], capture_output=True,
                                                 text=True).stdout


def test_nice_axis_steps() -> None:
    assert [nice_step(n) for n in (1, 4, 9, 23, 393, 1200)] == [1, 1, 2, 5, 100, 500]


def test_linux_drives_from_fake_sysfs(tmp_path: Path) -> None:
    root = tmp_path
    (root / "proc").mkdir()
    stick = root / "media" / "clerk" / "MY STICK"
    stick.mkdir(parents=True)
    (root / "proc/mounts").write_text(
        "/dev/vda1 / ext4 rw 0 0\n"
        "/dev/sdb1 /media/clerk/MY\\040STICK vfat rw 0 0\n"
        "tmpfs /run tmpfs rw 0 0\n", encoding="utf-8")
    for disk, removable in (("vda", "0"), ("sdb", "1")):
        (root / "sys/block" / disk).mkdir(parents=True)
        (root / "sys/block" / disk / "removable").write_text(removable + "\n")
    part = root / "sys/block/sdb/sdb1"
    part.mkdir()
    (part / "partition").write_text("1\n")
    (root / "sys/class/block").mkdir(parents=True)
    (root / "sys/class/block/sdb1").symlink_to(part)
    (root / "sys/class/block/vda1").mkdir()
    (root / "dev/disk/by-label").mkdir(parents=True)
    (root / "dev/sdb1").write_text("")
    (root / "dev/disk/by-label/KINGSTON").symlink_to(root / "dev/sdb1")
    drives = linux_drives(root)
    assert len(drives) == 1
    assert drives[0].mount == Path("/media/clerk/MY STICK") and drives[0].label == "KINGSTON"
    assert drives[0].free > 0 and drives[0].size >= drives[0].free


class FakeKernel32:
    """Drives C: (fixed), E: (USB stick) and F: (card reader, empty)."""

    def GetLogicalDrives(self) -> int:
        return (1 << 2) | (1 << 4) | (1 << 5)

    def GetDriveTypeW(self, root: str) -> int:
        return {"C:\\": 3, "E:\\": 2, "F:\\": 2}[root]

    def GetDiskFreeSpaceExW(self, root, free, total, _none) -> int:  # type: ignore[no-untyped-def]
        if root == "F:\\":
            return 0
        ctypes.cast(free, ctypes.POINTER(ctypes.c_ulonglong)).contents.value = 3 * 2**30
        ctypes.cast(total, ctypes.POINTER(ctypes.c_ulonglong)).contents.value = 16 * 2**30
        return 1

    def GetVolumeInformationW(self, root, buf, size, *rest) -> int:  # type: ignore[no-untyped-def]
        buf.value = "SANDISK"
        return 1


def test_windows_drives_with_fake_kernel32() -> None:
    drives = windows_drives(FakeKernel32())
    assert [(str(d.mount), d.label, d.free, d.size) for d in drives] == [("E:\\", "SANDISK", 3 * 2**30, 16 * 2**30)]
