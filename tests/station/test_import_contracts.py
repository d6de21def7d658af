"""The import contracts in .importlinter hold: layers point one way, the core never imports Qt or ui, and no two
sibling packages of station or of ui import each other."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports() -> str:
    exe = Path(sys.executable).with_name("lint-imports")
    found = str(exe) if exe.exists() else shutil.which("lint-imports")
    assert found, "import-linter is a dev dependency: pip install import-linter"
    return found


def test_import_contracts_are_kept() -> None:
    out = subprocess.run([_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, (out.stdout + out.stderr)[-4000:]


def _lint_copy(tmp_path: Path, plant: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the checker on a copy of the tree with the given files (path -> source) added."""
    for name in ("station", "ui"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    for rel, source in plant.items():
        (tmp_path / rel).write_text(source)
    return subprocess.run([_lint_imports(), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})


def test_a_core_module_importing_the_windows_breaks_the_contract(tmp_path: Path) -> None:
    """The checker itself: a copy of the tree with one upward import must fail."""
    out = _lint_copy(tmp_path, {"station/domain/upward.py": "from station.services import audit\n"})
    assert out.returncode != 0
    assert "station.domain.upward -> station.services.audit" in out.stdout


def test_a_cycle_between_two_window_packages_breaks_the_contract(tmp_path: Path) -> None:
    """ui.camera imports nothing of ui.scanning (which uses the camera worker): planting that import is a cycle."""
    out = _lint_copy(tmp_path, {"ui/camera/back.py": "from ui.scanning import wedge\n"})
    assert out.returncode != 0
    assert "No cycles are allowed in ui." in out.stdout
    assert ".camera -> .scanning" in out.stdout or ".scanning -> .camera" in out.stdout


def test_a_cycle_between_two_core_packages_breaks_the_contract(tmp_path: Path) -> None:
    """Two sibling core packages importing each other fail even where the layers allow one of the directions."""
    out = _lint_copy(tmp_path, {"station/printing/back.py": "from station.scanning import frames\n",
                                "station/scanning/back.py": "from station.printing import fonts\n"})
    assert out.returncode != 0
    assert "No cycles are allowed in station." in out.stdout


def test_module_cycles_inside_one_package_are_allowed(tmp_path: Path) -> None:
    """Only package-to-package cycles count: two modules of one package importing each other pass."""
    out = _lint_copy(tmp_path, {"station/services/cyc_a.py": "from station.services import cyc_b\n",
                                "station/services/cyc_b.py": "from station.services import cyc_a\n"})
    assert out.returncode == 0, out.stdout[-3000:]
