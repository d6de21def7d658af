"""Work around a PySide6 6.12.0 bug on Python 3.11: void Qt calls drop a reference to None.

Every call of a Qt method that returns nothing (QWidget.update, QLabel.setText, QPainter.drawImage...)
decrements None's reference count. On Python 3.12+ None is immortal and nothing happens; on 3.11 the
count reaches zero after some thousands of calls and the interpreter aborts ("none_dealloc"): the camera
preview makes about 400 such calls a second. PySide6 6.11.3 is not affected, but it has no separate
QtPdf wheel (only the large Addons wheel), and Debian 12's Python is 3.11.

The fix does what Python 3.12 does: None (and True and False, whose count a long camera session was
also seen to exhaust at exit: "bool_dealloc") are made effectively immortal by giving them a reference
count no program can use up (2**60; at 10,000 leaked references a second that lasts 3.6 million years).
CPython never frees these singletons anyway, so an over-count has no other effect. Checked by
tests/ui/test_qt_compat.py, which runs 200,000 void calls.
"""

from __future__ import annotations

import ctypes
import sys

IMMORTAL = 2**60


def needs_none_guard(python: tuple[int, int], pyside: tuple[int, int]) -> bool:
    return python < (3, 12) and pyside >= (6, 12)


def guard_none_refcount() -> bool:
    """Raise the singletons' reference counts out of reach; returns whether it was needed."""
    import PySide6

    pyside = tuple(int(p) for p in PySide6.__version__.split(".")[:2])
    if not needs_none_guard(sys.version_info[:2], pyside):  # type: ignore[arg-type]
        return False
    for singleton in (None, True, False):
        refcnt = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt: the first field of a PyObject
        if refcnt.value < IMMORTAL // 2:
            refcnt.value += IMMORTAL
    return True
