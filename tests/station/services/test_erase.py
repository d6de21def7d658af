"""Emergency erase: afterwards nothing opens and no file holds a name (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from station.db.engine import DB_FILE, sqlcipher_engine
from station.errors import StationError
from station.services import erase
from station.services.recovery import recover
from station.services.station import initialize, is_set_up, sign_in
from tests.conftest import PASSPHRASE
from tests.station.printing.print_helpers import add_household


def test_erase_leaves_nothing_that_opens_or_names(home: Path) -> None:
    ctx, code = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    for _ in range(3):
        add_household(ctx)
    ctx.db.dispose()  # a backup-like copy of everything to check against: the files as they were
    ctx = sign_in("admin", PASSPHRASE, home)
    key_seen = bytes(ctx.db_key or b"")  # a copy of the key someone took out of the process earlier
    key_object = ctx.db_key
    names = [b"Fatima", b"Al-Jubouri", "فاطمة".encode(), b"Awezan"]
    before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}
    assert any(p.name == DB_FILE for p in before)

    report = erase.erase(home, (ctx,))

    assert report.key_files >= 2 and report.files >= 1
    assert ctx.db_key is None and key_object == bytes(32)  # the session's key object overwritten in place
    assert erase.was_erased(home) and not is_set_up(home)
    assert [p.name for p in home.rglob("*")] == [erase.ERASED_MARKER]
    assert not any(n in (home / erase.ERASED_MARKER).read_bytes() for n in names)
    with pytest.raises(StationError):
        sign_in("admin", PASSPHRASE, home)
    with pytest.raises(StationError):
        recover(code, "admin", "a brand new passphrase", home)
    assert not (home / DB_FILE).exists()
    with pytest.raises(OperationalError):  # the database itself is gone: even the old key opens nothing
        engine = sqlcipher_engine(home / DB_FILE, key_seen)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM households").scalar_one()


def test_erase_twice_is_harmless(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    erase.erase(home, (ctx,))
    again = erase.erase(home)
    assert again.key_files == 0 and erase.was_erased(home)
