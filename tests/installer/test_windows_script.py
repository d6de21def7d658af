"""The Windows installer script (installer/windows/station.nsi) agrees with the bundle spec and compiles.

The Windows bundle itself cannot be built on Linux; the NSIS script can be compiled here by Debian's makensis
against a stand-in bundle folder with the same layout, which checks its syntax, its pages and that every file
it names exists where the PyInstaller spec puts it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import station
from station import paths

ROOT = Path(__file__).resolve().parents[2]
NSI = ROOT / "installer" / "windows" / "station.nsi"
SPEC = ROOT / "installer" / "pyinstaller" / "station.spec"


def _defines() -> dict[str, str]:
    return dict(re.findall(r'^!define (\w+) "([^"]*)"', NSI.read_text(encoding="utf-8"), re.M))


def _stand_in_bundle(root: Path) -> Path:
    """The layout the spec produces on Windows: two executables and _internal/station/resources/..."""
    bundle = root / "registration-station"
    icons = bundle / "_internal" / "station" / "resources" / "icons"
    icons.mkdir(parents=True)
    shutil.copy2(paths.icons_dir() / f"{station.APP_ID}.ico", icons)
    for exe in ("station.exe", "station-window.exe"):
        (bundle / exe).write_bytes(b"MZ stand-in")
    return bundle


def test_script_matches_the_spec_and_the_program() -> None:
    d = _defines()
    spec = SPEC.read_text(encoding="utf-8")
    assert d["APP_ID"] == station.APP_ID
    assert d["APP_NAME"] == station.APP_DISPLAY_NAME
    assert d["DATA_DIR_NAME"] == paths.APP_NAME  # the folder platformdirs gives the program on Windows
    # The executables the spec builds on Windows, and where it puts the resources (the icon lives there).
    assert d["EXE_CONSOLE"] == "station.exe" and 'name="station"' in spec
    assert d["EXE_WINDOW"] == "station-window.exe" and 'name="station-window"' in spec
    assert '"station/resources")' in spec
    icon = d["ICON_FILE"].replace("${APP_ID}", station.APP_ID).replace("\\", "/")
    assert icon.startswith("_internal/station/resources/")
    assert (paths.resources_dir() / icon.removeprefix("_internal/station/resources/")).is_file()
    text = NSI.read_text(encoding="utf-8")
    assert "!define VERSION" not in text  # the version is passed in from station/__init__.py, never written here
    assert "RequestExecutionLevel user" in text and "$SMPROGRAMS" in text
    # Records are deleted only after two explicit answers, never in a silent uninstall.
    assert re.search(r"IfSilent done.*MB_DEFBUTTON2.*MB_DEFBUTTON2", text, re.S)


@pytest.mark.skipif(shutil.which("makensis") is None, reason="makensis not installed (Debian package nsis)")
def test_script_compiles_with_makensis(tmp_path: Path) -> None:
    bundle = _stand_in_bundle(tmp_path)
    out = tmp_path / "RegistrationStation-installer.exe"
    run = subprocess.run(["makensis", "-V2", "-WX", f"-DVERSION={station.__version__}", f"-DBUNDLE_DIR={bundle}",
                          f"-DOUT_FILE={out}", str(NSI)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert out.read_bytes()[:2] == b"MZ" and out.stat().st_size > 50_000


@pytest.mark.skipif(shutil.which("makensis") is None, reason="makensis not installed (Debian package nsis)")
def test_script_refuses_to_build_without_a_version(tmp_path: Path) -> None:
    bundle = _stand_in_bundle(tmp_path)
    run = subprocess.run(["makensis", "-V2", f"-DBUNDLE_DIR={bundle}", f"-DOUT_FILE={tmp_path / 'x.exe'}", str(NSI)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and "version" in (run.stdout + run.stderr).lower()
