"""The packaging files agree with the program: version from one place, Qt modules, icons, desktop entry, pins."""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from pathlib import Path

import station
from station import paths

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
SPEC = INSTALLER / "pyinstaller" / "station.spec"


def _spec_list(name: str) -> list[str]:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return [str(v) for v in value]
    raise AssertionError(f"{name} not in the spec")


def _qt_modules_imported() -> set[str]:
    found: set[str] = set()
    for folder in ("ui", "station"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    return found


def test_version_lives_in_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    if "version" in project.get("dynamic", []):
        dynamic = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
        assert dynamic["dynamic"]["version"] == {"attr": "station.__version__"}
    else:  # until pyproject.toml reads it from station/__init__.py, the two must at least agree
        assert project["version"] == station.__version__
    build = (INSTALLER / "build-linux.sh").read_text(encoding="utf-8")
    assert "station.__version__" in build and not re.search(r"VERSION=\"?\d", build)


def test_spec_leaves_out_unused_qt_and_keeps_used_qt() -> None:
    unused = set(_spec_list("QT_UNUSED"))
    used = _qt_modules_imported()
    assert used, "no Qt import found: the scan is broken"
    assert used & unused == set(), "the spec would leave out a Qt module the program imports"
    for heavy in ("QtPdf", "QtPdfWidgets", "QtWebEngineCore", "QtWebEngineWidgets", "Qt3DCore", "QtQml", "QtQuick",
                  "QtMultimedia"):
        assert heavy in unused
    assert "QtPdf" not in used  # the preview renders with pypdfium2 (ui/printing/pdf_pages.py)


def test_spec_collects_resources_and_migrations() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert '(str(RESOURCES), "station/resources")' in text
    assert '"station" / "db" / "migrations"), "station/db/migrations")' in text
    assert '"alembic.ini"), "station/db")' in text
    assert 'collect_submodules("station")' in text


def test_icons_and_desktop_entry() -> None:
    icons = paths.icons_dir()
    build = (INSTALLER / "build-linux.sh").read_text(encoding="utf-8")
    sizes = re.search(r"for size in ([\d ]+); do", build)
    assert sizes
    for size in sizes.group(1).split():
        assert (icons / f"{station.APP_ID}-{size}.png").is_file(), size
    assert (icons / f"{station.APP_ID}.svg").read_text(encoding="utf-8").startswith("<svg")
    assert (icons / f"{station.APP_ID}.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(INSTALLER / "linux" / "registration-station.desktop", encoding="utf-8")
    desk = entry["Desktop Entry"]
    assert desk["Exec"] == "station" and desk["Icon"] == station.APP_ID and desk["Type"] == "Application"
    assert desk["Name"] == station.APP_DISPLAY_NAME and desk["Terminal"] == "false"
    wrapper = (INSTALLER / "linux" / "station-wrapper.sh").read_text(encoding="utf-8")
    assert f"/opt/{station.APP_ID}/station" in wrapper and "/opt/$APP_ID" in build


def test_constraints_pin_every_dependency_as_tested() -> None:
    pins = {}
    for line in (INSTALLER / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        name = re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]).lower()
        assert name in pins, f"{name} is not pinned in installer/constraints.txt"
    assert pins["pyside6-essentials"] == "6.11.3" and "pyside6-addons" not in pins and "pyside6-pdf" not in pins
    assert "pyinstaller" in pins
