"""Best-effort wiping of key material held in Python objects (CPython only).

Python's bytes and str are immutable and may be copied by the interpreter, so no wipe is complete; but
overwriting the objects we know of (the unwrapped database key, signing keys, the hex key an engine keeps
for new connections) in place removes the copies a memory dump would find first. Used by the emergency
erase. Objects shorter than 16 characters are left alone: CPython may share small ones.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

_MIN = 16


def wipe(value: Any) -> bool:
    """Overwrite `value`'s characters with zeros in place; True if it was wiped."""
    if sys.implementation.name != "cpython":  # pragma: no cover
        return False
    if isinstance(value, bytearray):
        value[:] = bytes(len(value))
        return True
    if isinstance(value, bytes) and len(value) >= _MIN:
        # PyBytesObject: header, then the characters and a trailing NUL
        offset = sys.getsizeof(value) - len(value) - 1
        ctypes.memset(id(value) + offset, 0, len(value))
        return True
    if isinstance(value, str) and len(value) >= _MIN and value.isascii():
        # compact ASCII str: header, then one byte per character and a trailing NUL
        offset = sys.getsizeof(value) - len(value) - 1
        ctypes.memset(id(value) + offset, 0x30, len(value))  # "000...": still a valid str
        return True
    return False


def wipe_engine_key(engine: Any) -> bool:
    """Wipe the hex key a SQLCipher engine's connection factory keeps (station.db.engine.sqlcipher_engine)."""
    creator = getattr(getattr(engine, "pool", None), "_creator", None)
    wiped = False
    for cell in getattr(creator, "__closure__", None) or ():
        try:
            v = cell.cell_contents
        except ValueError:  # pragma: no cover - empty cell
            continue
        if isinstance(v, str) and len(v) == 64 and all(c in "0123456789abcdef" for c in v):
            wiped = wipe(v) or wiped
    return wiped
