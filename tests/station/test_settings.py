"""Settings: one typed declaration per setting, checked on load; each section named once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from station import settings
from station.errors import StationError
from station.printing.profiles import PrintSettings
from station.scanning.faces import DetectorSettings
from station.scanning.photo_quality import QualityThresholds
from station.settings import StationSettings


def _write(home: Path, data: dict[str, object]) -> None:
    (home / settings.SETTINGS_FILE).write_text(json.dumps(data), encoding="utf-8")


def test_values_are_checked_against_their_declared_types(home: Path) -> None:
    _write(home, {"photo_quality": {"max_faces": "one"}})
    with pytest.raises(StationError) as err:
        settings.load(QualityThresholds, home)
    assert err.value.code == "error.settings_invalid"
    assert err.value.params == {"section": "photo_quality", "setting": "max_faces"}
    assert "max_faces" in err.value.message() and "photo_quality" in err.value.message()


@pytest.mark.parametrize(("value", "ok"), [(True, False), (1.5, False), (3, True), (None, False)])
def test_an_int_setting_takes_only_an_int(home: Path, value: object, ok: bool) -> None:
    _write(home, {"station": {"idle_lock_minutes": value}})
    if ok:
        assert settings.load(StationSettings, home).idle_lock_minutes == value
    else:
        with pytest.raises(StationError):
            settings.load(StationSettings, home)


def test_ints_are_floats_unknown_keys_ignored_missing_ones_defaulted(home: Path) -> None:
    _write(home, {"face_detector": {"score_threshold": 1, "no_such_setting": 5},
                  "printing": {"card_backs": False}})
    det = settings.load(DetectorSettings, home)
    assert det.score_threshold == 1.0 and isinstance(det.score_threshold, float)
    assert det.nms_iou == DetectorSettings().nms_iou
    assert settings.load(PrintSettings, home) == PrintSettings(card_backs=False)


def test_a_damaged_settings_file_is_reported(home: Path) -> None:
    (home / settings.SETTINGS_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(StationError) as err:
        settings.station_settings(home)
    assert err.value.code == "error.settings_invalid"


def test_save_update_and_round_trip(home: Path) -> None:
    settings.save(PrintSettings(organisation="Site A"), home)
    new = settings.update(StationSettings, home, language="ckb", time_zone="Asia/Baghdad")
    assert settings.station_settings(home) == new and new.language == "ckb"
    assert settings.load(PrintSettings, home).organisation == "Site A"  # other sections kept
    assert json.loads((home / settings.SETTINGS_FILE).read_text(encoding="utf-8"))["station"]["language"] == "ckb"


def test_each_section_is_named_once() -> None:
    assert settings.section_name(QualityThresholds) == "photo_quality"
    assert settings.SECTIONS["station"] is StationSettings
    with pytest.raises(ValueError):
        settings.load_section("portrait", QualityThresholds)

    with pytest.raises(ValueError):
        @settings.section("photo_quality")
        @dataclass(frozen=True)
        class Other:
            x: int = 1

    @dataclass(frozen=True)
    class Undeclared:
        x: int = 1

    with pytest.raises(TypeError):
        settings.load(Undeclared)


def test_every_station_setting_is_described() -> None:
    rows = settings.describe(StationSettings)
    assert [r[0] for r in rows] == ["site_code", "station_number", "language", "database_url",
                                    "idle_lock_minutes", "time_zone", "server_site"]
    assert all(r[3] for r in rows), "every station setting has a description"
    assert ("idle_lock_minutes", "int", 5) == rows[4][:3]


def test_every_declared_section_is_described_and_its_defaults_load_back(home: Path) -> None:
    import station.scanning.document
    import station.scanning.frames
    import station.scanning.image_io
    import station.scanning.portrait  # noqa: F401
    import ui.scanning.live  # noqa: F401

    assert {"station", "photo_quality", "portrait", "image_import", "face_detector", "camera", "document_capture",
            "printer_profiles", "printing", "id_scan"} <= set(settings.SECTIONS)
    for name, cls in settings.SECTIONS.items():
        undescribed = [row[0] for row in settings.describe(cls) if not row[3]]
        assert undescribed == [], f"{name}: {undescribed}"
        settings.save(cls(), home)
        assert settings.load(cls, home) == cls(), name  # every default passes its own type check
