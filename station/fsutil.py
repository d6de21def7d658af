"""Crash-safe file writing: temporary file, fsync, atomic rename, owner-only permissions.

Temporary files are named `.NAME.<random>.partial` beside their target, owner-only from creation, so a
kill or a full disk leaves at most a hidden `.partial` file (never a file that looks complete), two
writers never collide, and `clean_partials` can sweep leftovers of an earlier, interrupted run.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from station.errors import StationError

PARTIAL = ".partial"
COPY_CHUNK = 1 << 20


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def partial_name(path: Path) -> Path:
    """A unique hidden temporary name beside `path`."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}{PARTIAL}")


def clean_partials(folder: Path, name: str = "", *, older_than: float = 0.0) -> int:
    """Remove `.NAME.*.partial` leftovers (any name when `name` is empty) older than `older_than` seconds.

    Returns how many were removed. Errors are ignored: the folder may be on a stick that is gone.
    """
    removed = 0
    now = time.time()
    try:
        candidates = list(Path(folder).glob(f".{name}*{PARTIAL}"))
    except OSError:
        return 0
    for p in candidates:
        try:
            if older_than and now - p.stat().st_mtime < older_than:
                continue
            p.unlink()
            removed += 1
        except OSError:
            pass
    return removed


@contextmanager
def atomic_output(path: Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """A binary file object whose content appears at `path` only if the block completes.

    The data goes to a unique `.partial` file (mode `mode` from creation), is fsynced, then renamed over
    `path` (atomic), and the folder is fsynced. On any error the temporary file is removed.
    """
    path = Path(path)
    tmp = partial_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `data` to `path` so that a crash leaves either the old file or the new one, never half."""
    with atomic_output(path, mode) as fh:
        fh.write(data)


def require_free_space(folder: Path, needed: int, code: str = "error.disk_full") -> None:
    """Refuse (StationError `code`, with need_mb and free_mb) unless `folder`'s device has `needed` bytes free."""
    free = shutil.disk_usage(folder).free
    if free < needed:
        mb = 1024 * 1024
        raise StationError(code, need_mb=max(1, -(-needed // mb)), free_mb=free // mb)


def atomic_copy(src: Path, dst: Path, *, margin: int = 0, mode: int = 0o600) -> None:
    """Copy `src` to `dst` crash-safely: free-space check (size + margin) first, owner-only from creation,
    fsync, rename. A kill or a full disk leaves no file at `dst`, only a `.partial` that is removed on error."""
    size = Path(src).stat().st_size
    require_free_space(Path(dst).parent, size + margin)
    with open(src, "rb") as fin, atomic_output(dst, mode) as fout:
        shutil.copyfileobj(fin, fout, COPY_CHUNK)
