"""Per-station print settings: which printer serves each document kind, layouts and local language."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from station.printing.geometry import CardLayout, SheetLayout, WristbandLayout
from station.settings import load_section, save_section, section, setting

KINDS = ("wristband", "card", "sheet")


@section("printer_profiles")
@dataclass(frozen=True)
class PrinterProfiles:
    """The printer (CUPS queue name) last chosen for each kind; empty = ask / system default."""

    wristband: str = setting("", "printer (CUPS queue) last chosen for wristbands; empty: ask")
    card: str = setting("", "printer last chosen for CR80 ration cards; empty: ask")
    sheet: str = setting("", "printer last chosen for A4 card sheets; empty: ask")

    def for_kind(self, kind: str) -> str:
        return str(getattr(self, kind, ""))


@section("printing")
@dataclass(frozen=True)
class PrintSettings:
    """Section "printing" of settings.json."""

    local_language: str = setting("ar", "'ar' or 'ckb': the second language on cards; 'en' prints English only")
    organisation: str = setting("", "printed in the card header after the title, e.g. the site or agency name")
    wristband_width_mm: float = setting(25.4, "wristband stock width in millimetres")
    wristband_length_mm: float = setting(279.0, "wristband stock length in millimetres")
    wristband_start_mm: float = setting(30.0, "unprinted lead before the code (clasp end)")
    # No needs mark: `staff_needs_code` (a mark on the band of everyone with a specific need) was dropped:
    # whoever learns a mark can single those people out (issue 15). An old settings file's key is ignored.
    card_backs: bool = setting(True, "CR80 job: front then back of each card (duplex card printer)")
    sheet_backs: bool = setting(True, "A4 sheet: a page of mirrored backs after each page of fronts")
    job_wait_seconds: float = setting(20.0, "how long to watch a job for early failure before it counts as accepted")

    def wristband_layout(self) -> WristbandLayout:
        return WristbandLayout(
            width=self.wristband_width_mm, length=self.wristband_length_mm, start=self.wristband_start_mm
        ).validate()

    @staticmethod
    def card_layout() -> CardLayout:
        return CardLayout().validate()

    @staticmethod
    def sheet_layout() -> SheetLayout:
        return SheetLayout().validate()


def load_profiles(home: Path | None = None) -> PrinterProfiles:
    return load_section("printer_profiles", PrinterProfiles, home)


def remember_printer(kind: str, printer: str, home: Path | None = None) -> PrinterProfiles:
    if kind not in KINDS:
        raise ValueError(kind)
    updated = dataclasses.replace(load_profiles(home), **{kind: printer})
    save_section("printer_profiles", updated, home)
    return updated


def load_print_settings(home: Path | None = None) -> PrintSettings:
    return load_section("printing", PrintSettings, home)
