"""`station doctor` checks: database, cameras, printers, fonts, free disk. Each says what is wrong and what
to do. The database check opens the file read-only with the account given by the caller (it never
migrates and writes no audit event) and runs SQLite's integrity check and SQLCipher's page check."""

from __future__ import annotations

import glob
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from station.db.migrate import space_needed
from station.errors import StationError, from_exception
from station.paths import fonts_dir, translations_dir
from station.services.setup_files import RESERVE_BYTES

REQUIRED_FONTS = ("NotoNaskhArabic-Regular.ttf", "NotoSans-Regular.ttf")
MIN_FREE_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # catalogue key
    params: dict[str, object]
    required: bool = True


def check_fonts() -> Check:
    missing = [f for f in REQUIRED_FONTS if not (fonts_dir() / f).exists()]
    return Check("fonts", not missing, "doctor.fonts_missing" if missing else "doctor.fonts_ok",
                 {"files": ", ".join(missing)})


def check_translations() -> Check:
    langs = sorted({p.name.split(".")[-2] for p in translations_dir().glob("*.po")})
    ok = {"en", "ar", "ckb"} <= set(langs)
    return Check("translations", ok, "doctor.translations", {"languages": ", ".join(langs)})


def _mb(n: int) -> int:
    return n // (1024 * 1024)


def check_disk(home: Path, db_path: Path | None = None, *, migration_pending: bool = False) -> Check:
    """Free space against what the station needs next: a start-up backup and migration when one is
    pending, room to write an export beside the database, and a working minimum."""
    free = shutil.disk_usage(home).free
    size = db_path.stat().st_size if db_path is not None and db_path.exists() else 0
    if migration_pending and db_path is not None:
        need = space_needed(db_path)
        if free < need:
            return Check("disk", False, "doctor.disk_migration",
                         {"free_mb": _mb(free), "need_mb": _mb(need) + 1})
    need = max(MIN_FREE_BYTES, size + RESERVE_BYTES)  # an export of everything could be as large as the file
    if free < need:
        return Check("disk", False, "doctor.disk_low", {"free_mb": _mb(free), "need_mb": _mb(need) + 1})
    return Check("disk", True, "doctor.disk", {"free_mb": _mb(free)})


def check_cameras() -> Check:
    if sys.platform.startswith("linux"):
        devices = sorted(glob.glob("/dev/video*"))
    else:  # pragma: no cover - Windows/macOS: probe the first indexes
        import cv2

        devices = []
        for i in range(3):
            cap = cv2.VideoCapture(i)
            if cap.isOpened():
                devices.append(str(i))
            cap.release()
    return Check("cameras", bool(devices), "doctor.cameras" if devices else "doctor.no_camera",
                 {"devices": ", ".join(devices)}, required=False)


def check_printers() -> Check:
    lpstat = shutil.which("lpstat")
    if not lpstat:
        return Check("printers", False, "doctor.no_print_system", {}, required=False)
    try:
        out = subprocess.run([lpstat, "-e"], capture_output=True, text=True, timeout=5).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        out = []
    return Check("printers", bool(out), "doctor.printers" if out else "doctor.no_printer",
                 {"printers": ", ".join(out)}, required=False)


Credentials = tuple[str, str]  # account name, passphrase (the CLI reads them from the environment)


def check_database(home: Path, credentials: Credentials | None = None) -> tuple[Check, bool]:
    """Open the database read-only (no migration, no audit event) and check every page.

    Returns the check and whether a migration is pending (for the disk check)."""
    from station.db.engine import DB_FILE, cipher_damage, integrity_ok, sqlcipher_engine, url_engine
    from station.db.migrate import current_revision, head_revision
    from station.security.keyring import Keyring
    from station.services.station import is_set_up
    from station.settings import station_settings

    if not is_set_up(home):
        return Check("database", False, "doctor.not_set_up", {}), False
    settings = station_settings(home)
    db_path = home / DB_FILE
    if not settings.on_server and not db_path.exists():  # the server's address is sealed: only the flag here
        return Check("database", False, "doctor.db_missing", {}), False
    if credentials is None:
        return Check("database", True, "doctor.db_present_locked", {"reason": ""}, required=False), False
    try:
        if settings.on_server:  # the server's address and password are sealed under the database key (issue 15)
            from station.security import db_secret

            key = Keyring.load(home).unwrap(credentials[0].strip().lower(), credentials[1])
            url = station_settings(home).database_url  # readable now that the key is unwrapped
            if not url:
                raise StationError("error.settings_invalid", section="station", setting="database_url")
            engine = url_engine(db_secret.full_url(home, url, key))
        else:
            key = Keyring.load(home).unwrap(credentials[0].strip().lower(), credentials[1])
            engine = sqlcipher_engine(db_path, key)
    except StationError as exc:
        if exc.code == "error.bad_credentials":
            return Check("database", True, "doctor.db_present_locked", {"reason": exc.message()},
                         required=False), False
        return Check("database", False, "doctor.db_fault", {"reason": exc.message()}), False
    try:
        pending = current_revision(engine) != head_revision()
        if not integrity_ok(engine):
            pages = len(cipher_damage(engine)) if engine.dialect.name == "sqlite" else 0
            return Check("database", False, "doctor.db_corrupt", {"pages": pages}), pending
    except StationError as exc:
        return Check("database", False, "doctor.db_fault", {"reason": exc.message()}), False
    except Exception as exc:  # a damaged file may fail anywhere: say so, never a traceback
        return Check("database", False, "doctor.db_fault", {"reason": from_exception(exc).message()}), False
    finally:
        engine.dispose()
    if pending:
        return Check("database", True, "doctor.db_ok_migration", {}), True
    return Check("database", True, "doctor.db_ok", {}), False


def run_all(home: Path, credentials: Credentials | None = None) -> list[Check]:
    """Every check. `credentials` (account, passphrase) lets the database be opened and checked."""
    from station.db.engine import DB_FILE

    database, pending = check_database(home, credentials)
    return [database, check_fonts(), check_translations(),
            check_disk(home, home / DB_FILE, migration_pending=pending), check_cameras(), check_printers(),
            check_print_spool()]


def check_print_spool() -> Check:
    """Does the print system keep copies of printed cards (job files), or hold some now? (issue 15)"""
    from station.printing import spool

    ok, key, params = spool.spool_verdict()
    return Check("print_spool", ok, key, params, required=False)
