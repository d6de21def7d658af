"""The import contracts in .importlinter hold: layers point one way and the core never imports Qt or ui."""

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


def test_a_core_module_importing_the_windows_breaks_the_contract(tmp_path: Path) -> None:
    """The checker itself: a copy of the tree with one upward import must fail."""
    for name in ("station", "ui"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    (tmp_path / "station" / "domain" / "upward.py").write_text("from station.services import audit\n")
    out = subprocess.run([_lint_imports(), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode != 0
    assert "station.domain.upward -> station.services.audit" in out.stdout
