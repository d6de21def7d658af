"""The start-up backup is crash- and disk-safe: free space checked first, owner-only from creation, a
hidden temporary name until complete, leftovers of interrupted starts removed (issue 16)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command

from station.db import migrate
from station.db.engine import DB_FILE, sqlcipher_engine
from station.db.migrate import _config, backup_file, current_revision, head_revision
from station.errors import StationError
from station.services.registration import register_household
from station.services.station import initialize, sign_in
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five


def _old_station(home: Path, households: int = 20) -> bytes:
    """A station whose database is one schema behind: the next sign-in backs it up and migrates."""
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    with ctx.db.uow() as uow:
        for _ in range(households):
            register_household(uow, ctx.actor, family_of_five())
    key = ctx.db_key
    assert key is not None
    ctx.close()
    engine = sqlcipher_engine(home / DB_FILE, key)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    engine.dispose()
    return key


def _looks_complete(home: Path) -> list[Path]:
    folder = home / "backups"
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []


def test_too_little_space_refuses_the_backup_and_the_migration(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _old_station(home)
    size = (home / DB_FILE).stat().st_size
    real = shutil.disk_usage
    monkeypatch.setattr("station.fsutil.shutil.disk_usage",
                        lambda p: real(p)._replace(free=size // 2))  # a nearly full disk
    for _ in range(3):  # every later start: the same clear refusal, and no 0-byte backups piling up
        with pytest.raises(StationError) as err:
            sign_in("admin", PASSPHRASE, home)
        assert err.value.code == "fault.backup_no_space"
        assert err.value.params["free_mb"] == size // 2 // 2**20
        assert "free" in err.value.message()
        assert os.listdir(home / "backups") == []
    engine = sqlcipher_engine(home / DB_FILE, key)
    assert current_revision(engine) == "0001"  # not migrated without its backup
    engine.dispose()
    monkeypatch.undo()
    sign_in("admin", PASSPHRASE, home).close()  # room again: backup, migration, sign-in
    assert len(_looks_complete(home)) == 1


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="names open files through /proc")
def test_backup_is_owner_only_from_creation_and_hidden_until_complete(home: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _old_station(home, households=2)
    seen: list[tuple[str, int]] = []
    real_copy = shutil.copyfileobj

    def spy(fin: object, fout: object, length: int = 0) -> None:
        mode = os.fstat(fout.fileno()).st_mode & 0o777  # type: ignore[attr-defined]
        name = Path(os.readlink(f"/proc/self/fd/{fout.fileno()}")).name  # type: ignore[attr-defined]
        seen.append((name, mode))
        assert _looks_complete(home) == []  # nothing with a backup's name exists while copying
        real_copy(fin, fout, length)  # type: ignore[arg-type]

    monkeypatch.setattr("station.fsutil.shutil.copyfileobj", spy)
    sign_in("admin", PASSPHRASE, home).close()
    assert len(seen) == 1
    name, mode = seen[0]
    assert name.startswith(".station-") and name.endswith(".partial") and mode == 0o600
    backups = _looks_complete(home)
    assert len(backups) == 1 and backups[0].stat().st_mode & 0o777 == 0o600


def test_leftovers_of_interrupted_backups_are_removed(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    folder = home / "backups"
    folder.mkdir()
    (folder / ".station-20260101-000000.db.1a2b3c4d.partial").write_bytes(b"x" * 1000)  # killed mid-copy
    (folder / "station-20260102-000000.db").write_bytes(b"")  # an older program on a full disk
    for day in range(3, 10):
        (folder / f"station-202601{day:02d}-000000.db").write_bytes(b"old")
    made = backup_file(ctx.db.engine, home / DB_FILE, folder)
    ctx.close()
    names = sorted(os.listdir(folder))
    assert not any(n.endswith(".partial") for n in names)
    assert "station-20260102-000000.db" not in names
    assert len(names) == migrate.KEEP_BACKUPS and made.name in names


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 24 MB filesystem (tmpfs; needs root), so the disk really fills up."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill_disk(folder: Path, leave: int = 0) -> Path:
    """Fill the filesystem of `folder` until only `leave` bytes are free."""
    filler = folder / "filler"
    with open(filler, "wb") as fh:
        block = b"\1" * (1 << 16)
        try:
            while shutil.disk_usage(folder).free > leave + len(block):
                fh.write(block)
                fh.flush()
            fh.write(b"\1" * max(0, shutil.disk_usage(folder).free - leave - 4096))
            fh.flush()
        except OSError:
            pass
    return filler


def test_backup_on_a_really_full_disk_leaves_no_truncated_backup(small_disk: Path) -> None:
    home = small_disk / "home"
    home.mkdir()
    _old_station(home, households=60)
    size = (home / DB_FILE).stat().st_size
    filler = fill_disk(small_disk, leave=size // 2)
    for _ in range(2):
        with pytest.raises(StationError) as err:
            sign_in("admin", PASSPHRASE, home)
        assert err.value.code == "fault.backup_no_space"
        assert _looks_complete(home) == []
        assert shutil.disk_usage(small_disk).free >= size // 4  # the disk was not filled to the brim
    filler.unlink()
    ctx = sign_in("admin", PASSPHRASE, home)
    assert current_revision(ctx.db.engine) == head_revision()
    ctx.close()
