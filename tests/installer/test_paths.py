"""station.paths finds the shipped resources inside the package (wheel, bundle) or beside it (old checkout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from station import paths


def _tree(root: Path, *dirs: str) -> None:
    for d in dirs:
        (root / d / "translations").mkdir(parents=True)


def test_package_resources_win_over_the_old_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STATION_RESOURCES", raising=False)
    monkeypatch.setattr(paths, "_PACKAGE", tmp_path / "station")
    _tree(tmp_path, "resources")
    assert paths.resources_dir() == tmp_path / "resources"  # a checkout from before the move
    _tree(tmp_path, "station/resources")
    assert paths.resources_dir() == tmp_path / "station" / "resources"
    assert paths.icons_dir() == tmp_path / "station" / "resources" / "icons"
    assert paths.models_dir().name == "models" and paths.fonts_dir().name == "fonts"


def test_override_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "_PACKAGE", tmp_path / "station")
    monkeypatch.delenv("STATION_RESOURCES", raising=False)
    assert paths.resources_dir() == tmp_path / "station" / "resources"  # nothing found: where it belongs
    monkeypatch.setenv("STATION_RESOURCES", str(tmp_path / "elsewhere"))
    assert paths.translations_dir() == tmp_path / "elsewhere" / "translations"


def test_the_real_resources_are_found() -> None:
    found = paths.resources_dir()
    for sub in ("fonts", "translations", "models", "icons"):
        assert (found / sub).is_dir(), sub
