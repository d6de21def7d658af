"""Write a pack safely (hidden temporary file, fsync, rename, fsync folder), then read it back and verify.

A stick pulled out or full mid-write leaves at most a hidden `.NAME.<random>.partial` file, never a file
that looks complete; the caller records the export only once `write_pack` returned a verified pack.
Temporary names are unique, so a retry never collides with the leftover of a killed export, and
leftovers older than STALE_PARTIAL seconds are swept before each write.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from station.errors import DISK_FULL_ERRNOS, StationError
from station.export.collect import Item
from station.export.container import PackWriter, ReadState, read_records
from station.export.crypto import SealWriter, open_chunks, read_header
from station.fsutil import clean_partials, fsync_dir, partial_name

PACK_SUFFIX = ".rspack"
_FULL = DISK_FULL_ERRNOS
STALE_PARTIAL = 60  # seconds unchanged: a running export writes its .partial far more often than that


@dataclass(frozen=True)
class WrittenPack:
    path: Path
    size: int
    sha256: str  # of the file as written and as read back
    pack_id: str
    counts: dict[str, int]
    verified: bool


class _Hashing:
    def __init__(self, inner: BinaryIO) -> None:
        self.inner = inner
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.inner.write(data)
        self.hash.update(data)
        self.size += len(data)

    def read(self, n: int = -1) -> bytes:
        data = self.inner.read(n)
        self.hash.update(data)
        self.size += len(data)
        return data


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass  # the device may be gone; a hidden .partial file is harmless


def write_error(exc: OSError) -> StationError:
    """The message for a failed write: full device, vanished device, or anything else."""
    if exc.errno in _FULL:
        return StationError("export.error.device_full")
    if exc.errno in (errno.ENOENT, errno.EIO, errno.ENODEV, errno.ENXIO, errno.ENOTDIR, errno.ESTALE):
        return StationError("export.error.device_gone")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StationError("export.error.device_readonly")
    return StationError("export.error.write_failed", code=errno.errorcode.get(exc.errno or 0, "?"))


def free_name(folder: Path, stem: str) -> str:
    name = stem + PACK_SUFFIX
    n = 2
    while (folder / name).exists():
        name = f"{stem}-{n}{PACK_SUFFIX}"
        n += 1
    return name


def write_pack(
    folder: Path, stem: str, office_public: X25519PublicKey, header: dict[str, Any], items: Iterable[Item],
    sign: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> WrittenPack:
    """Seal `items` into FOLDER/STEM.rspack, then verify it from the device. Raises StationError."""
    try:
        if not folder.is_dir():
            raise StationError("export.error.device_gone")
        name = free_name(folder, stem)
    except OSError as exc:
        raise write_error(exc) from None
    clean_partials(folder, stem, older_than=STALE_PARTIAL)
    final = folder / name
    tmp = partial_name(final)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb", buffering=1 << 20) as raw:
            out = _Hashing(raw)
            seal = SealWriter(cast(BinaryIO, out), office_public)  # _Hashing: write() and flush() pass through
            pack = PackWriter(seal, header, sign)  # sign: the origin record (issue 15)
            for part, meta, blob in items:
                pack.add(part, meta, blob)
            manifest = pack.finish()
            seal.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, final)
        fsync_dir(folder)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise write_error(exc) from None
    except BaseException:
        _unlink_quietly(tmp)
        raise
    try:
        state = verify_with_key(final, seal.key)
        ok = (
            state.manifest["parts"] == manifest["parts"]
            and state.header.get("pack_id") == header.get("pack_id")
            and state.file_sha256 == out.hash.hexdigest()
        )
    except (StationError, OSError):
        ok = False
    finally:
        seal.key = b""  # drop the stream key: from now on only the office key opens this pack
    if not ok:
        _unlink_quietly(final)
        raise StationError("export.error.verify_failed")
    return WrittenPack(final, out.size, out.hash.hexdigest(), str(header.get("pack_id")),
                       dict(pack.counts), True)


class VerifiedState(ReadState):
    file_sha256: str = ""


def _drop_cache(fh: BinaryIO) -> None:
    """Ask the kernel to forget cached pages so the read-back really comes from the device."""
    if hasattr(os, "posix_fadvise"):
        try:
            os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass


def verify_with_key(path: Path, key: bytes) -> VerifiedState:
    """Read the whole pack back, authenticate every chunk and check the manifest (used right after writing)."""
    state = VerifiedState()
    with open(path, "rb", buffering=1 << 20) as raw:
        _drop_cache(raw)
        src = _Hashing(raw)
        header = read_header(src)  # type: ignore[arg-type]
        for _ in read_records(open_chunks(src, header, key), state, decode=False):  # type: ignore[arg-type]
            pass  # every chunk authenticated, every part's count and hash against the manifest
        state.file_sha256 = src.hash.hexdigest()
    return state
