"""Files that make a station on disk: an all-or-nothing first-run set-up, and a disk-space reserve.

Set-up commits by one rename. The key file is first written under a staging name (`keyring.setup.json`),
then the database is created and seeded and the settings saved, and only then is the staging key file
renamed to `keyring.json`. A kill at any moment therefore leaves either a finished station or an
unfinished set-up that `station init` (or the set-up window) clears and runs again: the staging file
proves the database next to it came from that unfinished set-up and holds nothing yet.

The reserve is a file of RESERVE_BYTES kept in the station folder. When the disk fills up, releasing it
lets the clerk still sign in (the sign-in is an audit event), export to a stick (another event) and so
free space, instead of being locked out. It is made again once there is room.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

from station.db.engine import DB_FILE
from station.errors import StationError
from station.fsutil import atomic_output, clean_partials, fsync_dir
from station.security.keyring import KEYRING_FILE

log = logging.getLogger(__name__)

SETUP_KEYRING = "keyring.setup.json"
SET_ASIDE = "set-aside"
RESERVE_FILE = ".space-reserve"
RESERVE_BYTES = 8 * 1024 * 1024
_DB_FILES = (DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm", DB_FILE + "-journal")


def is_committed(home: Path) -> bool:
    return (home / KEYRING_FILE).exists()


def clear_unfinished_setup(home: Path) -> None:
    """Make room for a fresh set-up: remove what an interrupted set-up left behind.

    A database with the staging key file beside it came from an unfinished set-up: it is removed. A
    database with no key file at all (left by an older program killed during set-up) cannot be opened
    by anybody, but is moved aside into `set-aside/`, never deleted, in case its key file turns up.
    """
    if is_committed(home):
        raise StationError("error.already_set_up")
    from station.security.authority import AUTHORITY_FILE  # made during set-up too (issue 15)

    clean_partials(home)
    from station.settings import IDENTITY_FILE  # sealed under the unfinished set-up's key: no use to anyone

    (home / IDENTITY_FILE).unlink(missing_ok=True)
    files = (*_DB_FILES, AUTHORITY_FILE)
    staged = home / SETUP_KEYRING
    if staged.exists():
        for name in files:
            (home / name).unlink(missing_ok=True)
        staged.unlink()
        fsync_dir(home)
        return
    present = [name for name in files if (home / name).exists()]
    if not present:
        return
    if all((home / name).stat().st_size == 0 for name in present):
        for name in present:
            (home / name).unlink()
        return
    aside = home / SET_ASIDE / time.strftime("%Y%m%d-%H%M%S")
    aside.mkdir(parents=True, mode=0o700, exist_ok=True)
    for name in present:
        os.replace(home / name, aside / name)
    fsync_dir(home)
    log.warning("a database without its key file was moved to %s/%s", SET_ASIDE, aside.name)


def commit_setup(home: Path) -> None:
    """The one atomic step that turns an unfinished set-up into a station."""
    os.replace(home / SETUP_KEYRING, home / KEYRING_FILE)
    fsync_dir(home)


def ensure_reserve(home: Path) -> bool:
    """Make the space reserve if it is missing and there is plenty of room; True if it exists afterwards."""
    path = home / RESERVE_FILE
    if path.exists() and path.stat().st_size >= RESERVE_BYTES:
        return True
    try:
        if shutil.disk_usage(home).free < 4 * RESERVE_BYTES:
            return False
        with atomic_output(path) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(RESERVE_BYTES // len(block)):
                fh.write(block)
    except OSError:
        return False
    return True


def release_reserve(home: Path) -> bool:
    """Free the reserve (the disk is full); True if there was one to free."""
    path = home / RESERVE_FILE
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    log.warning("disk full: the space reserve was released")
    return True
