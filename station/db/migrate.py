"""Bring a database to the newest schema at start-up, after a backup copy of the file.

The backup is crash- and disk-safe: free space is checked first (the copy plus what the migration may
need), the copy goes to a hidden owner-only `.partial` name, is fsynced and then renamed, so a backup
that looks complete is complete. Leftover `.partial` copies and empty backups of earlier, interrupted
starts are removed, and only the newest KEEP_BACKUPS are kept. The migration runs in one transaction
(SQLite DDL is transactional), so a kill leaves the old schema or the new one, never a mix.
"""

from __future__ import annotations

import logging
import shutil
import time
from datetime import tzinfo
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from station.errors import StationError, is_disk_full
from station.fsutil import atomic_copy, clean_partials, fsync_dir

log = logging.getLogger(__name__)
KEEP_BACKUPS = 5
# Room a migration may take on top of the backup: batch table rebuilds on SQLite copy a table, so up to
# the database's size again, plus some slack for the WAL.
MIGRATION_SLACK = 8 * 1024 * 1024


def _config() -> Config:
    cfg = Config(str(Path(__file__).with_name("alembic.ini")))
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def space_needed(db_path: Path, *, backup: bool = True) -> int:
    """Bytes of free space a start-up migration needs next to `db_path`: the backup copy (when one is
    made) and the migration's own rebuild of the largest tables (bounded by the file's size)."""
    size = db_path.stat().st_size if db_path.exists() else 0
    return (size if backup else 0) + size + MIGRATION_SLACK


def clean_backups(db_path: Path, backups: Path) -> None:
    """Remove leftovers of interrupted backups (hidden .partial copies, empty files) and all but the newest."""
    if not backups.is_dir():
        return
    clean_partials(backups)
    pattern = f"{db_path.stem}-*{db_path.suffix}"
    for p in backups.glob(pattern):
        try:
            if p.stat().st_size == 0:
                p.unlink()
        except OSError:
            pass
    kept = sorted(backups.glob(pattern))
    for stale in kept[:-KEEP_BACKUPS]:
        stale.unlink(missing_ok=True)


def backup_file(engine: Engine, db_path: Path, backups: Path) -> Path:
    """Checkpoint the WAL into the main file, then copy it (still encrypted) into `backups`, crash-safely."""
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    backups.mkdir(mode=0o700, exist_ok=True)
    clean_backups(db_path, backups)
    target = backups / f"{db_path.stem}-{time.strftime('%Y%m%d-%H%M%S')}{db_path.suffix}"
    n = 2
    while target.exists():  # two starts in one second: never overwrite a good backup
        target = backups / f"{db_path.stem}-{time.strftime('%Y%m%d-%H%M%S')}-{n}{db_path.suffix}"
        n += 1
    try:
        atomic_copy(db_path, target, margin=space_needed(db_path, backup=False))
    except StationError as exc:
        raise StationError("fault.backup_no_space", **exc.params) from None
    except OSError as exc:
        if is_disk_full(exc):
            raise StationError("fault.backup_no_space", need_mb=space_needed(db_path) // 2**20,
                               free_mb=_free_mb(backups)) from None
        raise
    fsync_dir(backups)
    clean_backups(db_path, backups)
    return target


def _free_mb(folder: Path) -> int:
    return shutil.disk_usage(folder).free // 2**20


def upgrade(engine: Engine, db_path: Path | None = None, zone: tzinfo | None = None) -> bool:
    """Migrate to head; returns True when something was applied. Backs up a non-empty SQLite file first.

    `zone` is the station's time zone, for revisions that turn local wall-clock times into UTC (0005)."""
    current = current_revision(engine)
    if current == head_revision():
        return False
    if db_path is not None and current is not None and db_path.exists():
        dest = backup_file(engine, db_path, db_path.parent / "backups")
        log.info("backup before migration: %s", dest.name)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        cfg.attributes["zone"] = zone
        command.upgrade(cfg, "head")
    return True
