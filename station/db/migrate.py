"""Bring a database to the newest schema at start-up, after a backup copy of the file."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from station.fsutil import fsync_dir

log = logging.getLogger(__name__)
KEEP_BACKUPS = 5


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


def backup_file(engine: Engine, db_path: Path, backups: Path) -> Path:
    """Checkpoint the WAL into the main file, then copy it (still encrypted) into `backups`."""
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    backups.mkdir(mode=0o700, exist_ok=True)
    target = backups / f"{db_path.stem}-{time.strftime('%Y%m%d-%H%M%S')}{db_path.suffix}"
    shutil.copy2(db_path, target)
    target.chmod(0o600)
    fsync_dir(backups)
    old = sorted(backups.glob(f"{db_path.stem}-*{db_path.suffix}"))
    for stale in old[:-KEEP_BACKUPS]:
        stale.unlink()
    return target


def upgrade(engine: Engine, db_path: Path | None = None) -> bool:
    """Migrate to head; returns True when something was applied. Backs up a non-empty SQLite file first."""
    current = current_revision(engine)
    if current == head_revision():
        return False
    if db_path is not None and current is not None and db_path.exists():
        dest = backup_file(engine, db_path, db_path.parent / "backups")
        log.info("backup before migration: %s", dest.name)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True
