"""Emergency erase: make a seized laptop useless in one gesture (issue 15).

Order matters. First every wrapped copy of the database key is destroyed (crypto-shredding): the key file
(one copy per account and the recovery sheet's copy), an unfinished set-up's key file and the authority
file are overwritten with random bytes, flushed to disk and removed; from then on no passphrase and no
recovery sheet opens anything. Then the key material this process holds (the open session's database
key, the hex key its engine keeps for new connections, the unwrapped signing keys) is overwritten in
place and the connections are closed. Then the files: the database, its WAL, its backups and everything
else in the station folder are overwritten and removed, so even a key copied out of the process earlier
finds nothing to open. A marker file (no personal data: the time only) lets the program say that the
station was erased. Finished print jobs the print system kept are purged too.

From the sign-in screen nobody is signed in: the erase needs no passphrase on purpose (a panic gesture);
the confirmation (type a word, or hold for three seconds) is the UI's, see ui/erase/.
On a PostgreSQL site only this laptop's files are erased: its key file (and with it the sealed server
password), settings and caches. The records live on the site server, which other desks share and which this
laptop cannot destroy (it holds no right to drop them, and a desk that could would let one seized laptop wipe
the whole site); the window and the command say so before and after (`keeps_server_records`).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from station.security import sealed, wipe
from station.security.authority import AUTHORITY_FILE, HEADS_FILE
from station.security.desk_key import DESK_KEY_FILE
from station.security.keyring import KEYRING_FILE
from station.security.site_key import SITE_KEY_FILE
from station.services import trail_guard
from station.services.station import StationContext

ERASED_MARKER = "ERASED"
CONFIRM_WORD = "ERASE"  # the CLI's confirmation; the window also accepts the word in the user's language
_KEY_FILES = (KEYRING_FILE, "keyring.setup.json", AUTHORITY_FILE, HEADS_FILE, DESK_KEY_FILE, SITE_KEY_FILE)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class EraseReport:
    seconds: float
    key_files: int  # files holding wrapped key copies destroyed
    files: int  # other files overwritten and removed
    bytes_overwritten: int


def _overwrite(path: Path, *, random: bool) -> int:
    """Overwrite a file in place (random bytes for key files, zeros for the rest), flush it, return its size."""
    try:
        size = path.stat().st_size
        fd = os.open(path, os.O_WRONLY)
    except OSError:
        return 0
    try:
        done = 0
        zeros = bytes(_CHUNK)
        while done < size:
            n = min(_CHUNK, size - done)
            os.write(fd, os.urandom(n) if random else zeros[:n])
            done += n
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
    return size


def forget_keys(ctx: StationContext) -> None:
    """Overwrite the key material this session holds, in place (its connections are closed by `close`)."""
    key = ctx.db_key
    ctx.db_key = None
    if key is not None:
        wipe.wipe(key)
    wipe.wipe_engine_key(ctx.db.engine)
    trail_guard.forget(ctx.db)


def _close(ctx: StationContext) -> None:
    """Close the connections once the WAL is emptied: closing with it would first copy it into the
    database file (a checkpoint, ~0.3 s with 1,000 households) only to be overwritten."""
    try:
        ctx.db.engine.dispose()  # not Database.dispose: no PRAGMA optimize, nothing more is written
    except Exception:  # erasing goes on whatever the connections do
        pass


def erase(home: Path, contexts: tuple[StationContext, ...] = ()) -> EraseReport:
    """Destroy the station in `home` (see the module's docstring). Safe to run again on an erased folder."""
    start = time.monotonic()
    # The print system answers slowly (each lpstat is ~0.1 s): its purge runs beside the erase. Not a
    # daemon thread, so a command-line erase waits for it before the process ends.
    spool_purge = threading.Thread(target=_purge_print_spool, name="erase-spool")
    spool_purge.start()
    key_files = 0
    for name in _KEY_FILES:  # 1. crypto-shred: no wrapped copy of the key survives
        path = home / name
        if path.exists():
            _overwrite(path, random=True)
            path.unlink(missing_ok=True)
            key_files += 1
    for ctx in contexts:  # 2. key material in memory
        if ctx.catch_up is not None:  # no background index rebuild writes either (search_index_background)
            ctx.catch_up.stop()
        if ctx.db.checkpoint is not None:  # no background checkpoint reconnects with a wiped key
            ctx.db.checkpoint.stop()
        forget_keys(ctx)
    sealed.forget(home)  # the key of the station's sealed files, held since a sign-in
    files, written = 0, 0
    for wal in home.glob("*-wal"):  # an emptied WAL leaves SQLite nothing to write back when closing
        written += _overwrite(wal, random=False)
        os.truncate(wal, 0)
        files += 1
    for ctx in contexts:
        _close(ctx)
    for path in sorted(home.rglob("*"), key=lambda p: len(p.parts), reverse=True):  # 3. the files
        if path.is_symlink():
            path.unlink(missing_ok=True)
        elif path.is_file():
            written += _overwrite(path, random=False)
            path.unlink(missing_ok=True)
            files += 1
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    marker = home / ERASED_MARKER
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(datetime.now(UTC).isoformat(timespec="seconds") + "\n")
    return EraseReport(time.monotonic() - start, key_files, files, written)


def _purge_print_spool() -> None:
    try:
        from station.printing import spool

        spool.purge_finished_jobs()
    except Exception:  # no print system: nothing kept there
        pass


def was_erased(home: Path) -> bool:
    return (home / ERASED_MARKER).exists()


def keeps_server_records(home: Path) -> bool:
    """True on a PostgreSQL site: erasing this laptop leaves the records on the site server."""
    from station.settings import station_settings

    try:
        return station_settings(home).on_server  # a plain flag: the server's address itself is sealed
    except Exception:  # unreadable settings: nothing to say about a server
        return False
