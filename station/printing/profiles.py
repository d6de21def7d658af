"""Per-station print settings: which printer serves each document kind, layouts and local language."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from station.printing.geometry import CardLayout, SheetLayout, WristbandLayout
from station.settings import load_section, save_section

KINDS = ("wristband", "card", "sheet")


@dataclass(frozen=True)
class PrinterProfiles:
    """The printer (CUPS queue name) last chosen for each kind; empty = ask / system default."""

    wristband: str = ""
    card: str = ""
    sheet: str = ""

    def for_kind(self, kind: str) -> str:
        return str(getattr(self, kind, ""))


@dataclass(frozen=True)
class PrintSettings:
    """Section "printing" of settings.json."""

    local_language: str = "ar"  # "ar" or "ckb": the second language on cards; "en" prints English only
    organisation: str = ""  # printed in the card header after the title, e.g. the site or agency name
    wristband_width_mm: float = 25.4
    wristband_length_mm: float = 279.0
    wristband_start_mm: float = 30.0  # unprinted lead before the code (clasp end)
    staff_needs_code: str = ""  # discreet marker on the band of a person with specific needs; "" = none
    card_backs: bool = True  # CR80 job: front then back of each card (duplex card printer)
    sheet_backs: bool = True  # A4 sheet: a page of mirrored backs after each page of fronts
    job_wait_seconds: float = 20.0  # how long to watch a job for early failure before it counts as accepted

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
