"""`station doctor` opens the database, checks every page and the free space against what comes next,
says plainly what is wrong and what to do, and exits non-zero on a problem (issue 16)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from alembic import command

from station.cli.main import main
from station.db.engine import DB_FILE, sqlcipher_engine
from station.db.migrate import _config
from station.errors import StationError
from station.paths import station_home
from station.services import doctor
from station.services.registration import register_household
from station.services.station import StationContext, initialize, sign_in
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five

CREDS = ("admin", PASSPHRASE)


def _station(home: Path, households: int = 60) -> bytes:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    with ctx.db.uow() as uow:
        for _ in range(households):
            register_household(uow, ctx.actor, family_of_five())
    key = ctx.db_key
    assert key is not None
    ctx.close()
    return key


def _damage(home: Path, page: int) -> None:
    db = home / DB_FILE
    data = bytearray(db.read_bytes())
    assert len(data) >= (page + 1) * 4096
    data[page * 4096 + 200 : page * 4096 + 300] = bytes(100)
    db.write_bytes(bytes(data))


def _db_check(home: Path) -> doctor.Check:
    return next(c for c in doctor.run_all(home, CREDS) if c.name == "database")


def test_doctor_does_not_depend_on_the_cli() -> None:
    tree = ast.parse(Path(doctor.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(str(m).startswith("station.cli") for m in imported)


def test_healthy_station(home: Path) -> None:
    _station(home, households=2)
    check = _db_check(home)
    assert check.ok and check.detail == "doctor.db_ok"
    locked = next(c for c in doctor.run_all(home) if c.name == "database")  # no account given
    assert locked.ok and not locked.required and locked.detail == "doctor.db_present_locked"


def test_damaged_pages_are_reported_as_damage(home: Path) -> None:
    _station(home)
    _damage(home, 20)
    check = _db_check(home)
    assert not check.ok and check.required and check.detail == "doctor.db_corrupt"
    _damage(home, 0)  # the first page: the file no longer opens at all
    check = _db_check(home)
    assert not check.ok and check.detail == "doctor.db_fault"
    assert check.params["reason"] == StationError("fault.db_damaged").message()
    with pytest.raises(StationError) as err:  # and sign-in says "damaged", not "not this station's"
        sign_in("admin", PASSPHRASE, home)
    assert err.value.code == "fault.db_damaged"


def test_full_disk_and_migration_without_room(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _station(home, households=5)
    real = shutil.disk_usage
    monkeypatch.setattr("station.services.doctor.shutil.disk_usage", lambda p: real(p)._replace(free=10 * 2**20))
    disk = next(c for c in doctor.run_all(home, CREDS) if c.name == "disk")
    assert not disk.ok and disk.detail == "doctor.disk_low"
    engine = sqlcipher_engine(home / DB_FILE, key)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    engine.dispose()
    size = (home / DB_FILE).stat().st_size
    monkeypatch.setattr("station.services.doctor.shutil.disk_usage",
                        lambda p: real(p)._replace(free=size + 2**20))  # room for a backup, not the update
    checks = {c.name: c for c in doctor.run_all(home, CREDS)}
    assert checks["database"].ok and checks["database"].detail == "doctor.db_ok_migration"
    assert not checks["disk"].ok and checks["disk"].detail == "doctor.disk_migration"


def test_doctor_cli_exit_codes(home: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert station_home() == home
    assert main(["doctor"]) == 1  # not set up
    assert "station init" in capsys.readouterr().out
    _station(home)
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    capsys.readouterr()
    main(["doctor"])
    out = capsys.readouterr().out
    assert "[OK  ] Database" in out
    _damage(home, 20)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] Database" in out and "backup" in out


def test_audit_verify_on_a_damaged_database_says_so(sqlite_ctx: StationContext, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite_ctx.db.uow() as uow:
        for _ in range(60):
            register_household(uow, sqlite_ctx.actor, family_of_five())
    home = sqlite_ctx.home
    sqlite_ctx.close()
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    pages = (home / DB_FILE).stat().st_size // 4096
    for page in range(2, pages):  # damage every page but the schema: any read is "malformed"
        _damage(home, page) if page % 2 == 0 else None
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "verify"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err == StationError("fault.db_damaged").message()  # one sentence, no traceback
