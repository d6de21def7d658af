"""What goes on a printed document, as plain data (no database, no Qt): filled in by station.services.printing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from station.i18n import tr

LOCAL_LANGUAGES = ("ar", "ckb")


@dataclass(frozen=True)
class CardContent:
    registration_number: str
    issue: int  # card issue number: 1 for the first card, +1 for each reprint
    name_local: str  # head of household in Arabic script (Arabic or Sorani)
    name_latin: str
    household_size: int
    issued_on: date
    payload: str  # QR text, see station.printing.payload
    portrait_jpeg: bytes | None = None


@dataclass(frozen=True)
class WristbandContent:
    registration_number: str
    position: int  # member position in the household, 1-based
    name_local: str
    name_latin: str
    household_size: int
    arrived_on: date
    payload: str
    staff_code: str = ""  # a marker staff know; the station never derives it from a person's needs (issue 15)


@dataclass(frozen=True)
class Labels:
    """Printed labels in English and the local language (Arabic or Sorani)."""

    lang: str
    title: tuple[str, str]
    household_size: tuple[str, str]
    issued: tuple[str, str]
    card_no: tuple[str, str]
    regno: tuple[str, str]
    rounds: tuple[str, str]
    free: tuple[str, str]
    latest_only: tuple[str, str]
    return_note: tuple[str, str]
    organisation: str
    persons: str  # wristband: "{size} persons" in English
    arrived: str


def labels(local_lang: str, organisation: str = "") -> Labels:
    local = local_lang if local_lang in LOCAL_LANGUAGES else "en"

    def both(key: str) -> tuple[str, str]:
        """English and the local language; English-only stations leave the second label empty."""
        return (tr(key, "en"), tr(key, local) if local != "en" else "")

    return Labels(
        lang=local,
        title=both("printing.card.title"),
        household_size=both("printing.card.household_size"),
        issued=both("printing.card.issued"),
        card_no=both("printing.card.card_no"),
        regno=both("printing.card.regno"),
        rounds=both("printing.card.rounds"),
        free=both("printing.card.free"),
        latest_only=both("printing.card.latest_only"),
        return_note=both("printing.card.return_note"),
        organisation=organisation,
        persons=tr("printing.wristband.persons", "en"),
        arrived=tr("printing.wristband.arrived", "en"),
    )
