"""A wheel built from pyproject.toml carries the resources and runs from a non-editable install.

The wheel is built from a copy of the source (so the working tree gets no build/ or egg-info from this test)
and installed with --no-deps into a fresh virtual environment without system site-packages. Its dependencies
come from the project's own .venv through a .pth file naming that venv's site-packages (fast, offline, and
the same versions the tests run with); .pth files inside that folder are not processed, so the project's
editable install there stays inactive and every `station` import must come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import station
from station import paths

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _copy_source(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("pyproject.toml", "README.md", "setup.cfg", "MANIFEST.in"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    for name in ("station", "ui"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=ignore)


def _run(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    _copy_source(src)
    out = tmp_path_factory.mktemp("wheels")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
                           capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stderr[-3000:]
    (whl,) = out.glob("registration_station-*.whl")
    return whl


def test_wheel_carries_resources_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = paths.resources_dir()
    want = {f"station/resources/{p.relative_to(shipped).as_posix()}" for p in shipped.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}
    assert want, shipped
    assert want - names == set()
    for sub in ("fonts", "translations", "models", "icons"):
        assert any(n.startswith(f"station/resources/{sub}/") for n in names), sub
    migrations = {p.name for p in (ROOT / "station" / "db" / "migrations" / "versions").glob("*.py")}
    assert {f"station/db/migrations/versions/{m}" for m in migrations} <= names
    assert "station/db/alembic.ini" in names
    assert f"registration_station-{station.__version__}" in wheel.name


def test_installed_wheel_runs_doctor_and_init(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                              str(wheel)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-3000:]
    (site / "zz_project_deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")

    home, cwd = tmp_path / "home", tmp_path / "elsewhere"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "STATION_"))}
    env.update(STATION_HOME=str(home), STATION_USER="admin", STATION_PASSPHRASE="wheel test passphrase",
               QT_QPA_PLATFORM="offscreen", STATION_PRINT_BACKEND="cups")
    where = _run([str(py), "-c", "import station, ui, station.paths as p; "
                  "print(station.__file__); print(ui.__file__); print(p.resources_dir())"], env, cwd)
    assert where.returncode == 0, where.stderr
    for line in where.stdout.split():
        assert Path(line).is_relative_to(site), (line, "imported from outside the installed wheel")

    exe = venv / "bin" / "station"
    version = _run([str(exe), "--version"], env, cwd)
    assert version.stdout.strip() == f"Registration Station {station.__version__}", version
    before = _run([str(exe), "doctor"], env, cwd)  # not set up yet: says so, and finds fonts and catalogues
    assert before.returncode in (0, 1), before.stderr[-2000:]
    assert "Traceback" not in before.stderr
    init = _run([str(exe), "init", "--site", "MKH", "--station", "3", "--admin", "admin",
                 "--recovery-out", str(tmp_path / "recovery.txt")], env, cwd)
    assert init.returncode == 0, init.stderr[-2000:]
    assert (home / "station.db").is_file() and (home / "keyring.json").is_file()
    after = _run([str(exe), "doctor"], env, cwd)
    assert after.returncode == 0, after.stdout + after.stderr
