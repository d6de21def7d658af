"""The PySide6 6.12 / Python 3.11 None-reference bug cannot abort the program (see ui/qt_compat.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ui.qt_compat import needs_none_guard

ROOT = Path(__file__).resolve().parents[2]


def test_guard_applies_only_where_needed() -> None:
    assert needs_none_guard((3, 11), (6, 12))
    assert not needs_none_guard((3, 12), (6, 12))
    assert not needs_none_guard((3, 11), (6, 11))


def test_many_void_calls_do_not_abort() -> None:
    # In a child process: without the guard, this loop aborts the interpreter (none_dealloc) on 3.11.
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "import ui\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([])\n"
        "label = QLabel()\n"
        "for i in range(200_000):\n"
        "    label.setText('x')\n"
        "guarded = all(sys.getrefcount(s) > 10**9 for s in (None, True, False))\n"
        "print('alive', guarded or sys.version_info >= (3, 12))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-1000:]
    assert out.stdout.strip() == "alive True"
