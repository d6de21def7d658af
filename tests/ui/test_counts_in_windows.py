"""Counts the windows and the command line put into sentences take their plural forms (station.i18n.tn)."""

from __future__ import annotations

from typing import Any

import pytest

from station.export.merge import MergeStats
from station.i18n import set_language
from station.services.pack_import import ImportResult
from ui.export.import_dialog import describe
from ui.registration.duplicate_dialog import reasons_text


@pytest.fixture(autouse=True)
def _english() -> Any:
    set_language("en")
    yield
    set_language("en")


def test_match_reasons_count_in_words() -> None:
    text = reasons_text([("namesakes", 1), ("age_close", 1), ("name_parts", 3), ("names", 87)])
    assert text == "1 person here shares this name, age within 1 year, 3 name parts compared, names 87% alike"


def test_match_reasons_in_arabic_use_its_forms() -> None:
    set_language("ar")
    assert reasons_text([("namesakes", 2)]) == "شخصان هنا يحملان هذا الاسم"


def test_an_import_line_counts_households_in_words() -> None:
    stats = MergeStats(households_added=2, households_updated=1, households_kept_local=1, portraits=1, audit_added=3)
    line = describe(ImportResult("MKH-02.pack", "p1", "MKH-02", False, stats, {}))
    assert "2 households added, 1 household updated, 1 household kept (newer here)" in line
