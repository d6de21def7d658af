"""First-run set-up, sign-in, wrong passphrase, throttling, foreign database, encryption at rest."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from station.db.engine import DB_FILE
from station.errors import StationError
from station.security.keyring import KEYRING_FILE, RECOVERY_ENTRY, Keyring
from station.services import station as st
from station.services.registration import register_household
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five


def _setup(home: Path) -> str:
    ctx, code = st.initialize(site_code="mkh", station_number=2, admin_username="Admin",
                              admin_passphrase=PASSPHRASE, home=home)
    ctx.close()
    return code


def test_setup_then_sign_in(home: Path) -> None:
    code = _setup(home)
    assert len(code.replace("-", "")) == 32
    ctx = st.sign_in("admin", PASSPHRASE, home)
    try:
        assert ctx.actor.role.value == "administrator" and ctx.station_code == "MKH-02"
    finally:
        ctx.close()
    assert oct((home / DB_FILE).stat().st_mode & 0o777) == "0o600"
    assert oct((home / KEYRING_FILE).stat().st_mode & 0o777) == "0o600"


def test_no_plaintext_key_anywhere(home: Path) -> None:
    _setup(home)
    ring = json.loads((home / KEYRING_FILE).read_text())
    assert len(ring["entries"]) == 3  # nameless (issue 15): admin, recovery, the duress slot (a decoy)
    keyring = Keyring.load(home)
    key = keyring.unwrap("admin", PASSPHRASE)
    assert len(key) == 32 and set(keyring.entries) == {"admin", RECOVERY_ENTRY}
    for path in home.iterdir():
        if path.is_file():
            assert key not in path.read_bytes() and key.hex().encode() not in path.read_bytes()


def test_recovery_code_unwraps(home: Path) -> None:
    code = _setup(home)
    kr = Keyring.load(home)
    assert kr.unwrap(RECOVERY_ENTRY, st.normalize_recovery_code(code.lower())) == kr.unwrap("admin", PASSPHRASE)


def test_wrong_passphrase_and_unknown_account(home: Path) -> None:
    _setup(home)
    for user, secret in (("admin", "wrong passphrase!"), ("nobody", PASSPHRASE)):
        with pytest.raises(StationError) as err:
            st.sign_in(user, secret, home)
        assert err.value.code == "error.bad_credentials"
        assert "Wrong account name or passphrase" in err.value.message()
    # the failures reach the audit trail at the next good sign-in
    ctx = st.sign_in("admin", PASSPHRASE, home)
    try:
        from sqlalchemy import select

        from station.db.rows import AuditEventRow

        with ctx.db.reader() as uow:
            failed = uow.session.scalars(
                select(AuditEventRow.actor).where(AuditEventRow.action == "signin.failed")).all()
        assert sorted(failed) == ["?", "admin"]  # an unknown name typed is never kept: it may be a passphrase
    finally:
        ctx.close()


def test_lock_after_repeated_failures(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _setup(home)
    monkeypatch.setattr(st.time, "sleep", lambda s: None)  # the growing delay is exercised, not waited for
    for _ in range(st.LOCK_AFTER):
        with pytest.raises(StationError):
            st.sign_in("admin", "not the passphrase", home)
    with pytest.raises(StationError) as err:
        st.sign_in("admin", PASSPHRASE, home)  # even the right passphrase waits out the lock
    assert err.value.code == "error.account_locked"


def test_growing_delay(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _setup(home)
    slept: list[float] = []
    monkeypatch.setattr(st.time, "sleep", slept.append)
    for _ in range(st.FREE_FAILURES + 2):
        with pytest.raises(StationError):
            st.sign_in("admin", "not the passphrase", home)
    assert len(slept) == 2 and slept[1] > slept[0] > 0


def test_database_file_that_is_not_ours(home: Path, tmp_path: Path) -> None:
    _setup(home)
    other = tmp_path / "other"
    other.mkdir()
    _setup(other)
    shutil.copy(other / DB_FILE, home / DB_FILE)
    with pytest.raises(StationError) as err:
        st.sign_in("admin", PASSPHRASE, home)
    assert err.value.code == "error.db_not_ours"
    # a plain SQLite file, or random bytes, are refused the same way
    (home / DB_FILE).unlink()
    sqlite3.connect(home / DB_FILE).execute("create table t(x)").connection.commit()
    with pytest.raises(StationError) as err:
        st.sign_in("admin", PASSPHRASE, home)
    assert err.value.code == "error.db_not_ours"


def test_damaged_keyring(home: Path) -> None:
    _setup(home)
    (home / KEYRING_FILE).write_text("{not json")
    with pytest.raises(StationError) as err:
        st.sign_in("admin", PASSPHRASE, home)
    assert err.value.code == "error.keyring_damaged"


def test_setup_validation(home: Path) -> None:
    for kwargs, code in (
        ({"site_code": "M1"}, "error.site_code_invalid"),
        ({"station_number": 0}, "error.station_number_invalid"),
        ({"admin_username": "a b"}, "error.username_invalid"),
        ({"admin_passphrase": "short"}, "error.passphrase_too_short"),
    ):
        args = {"site_code": "MKH", "station_number": 2, "admin_username": "admin",
                "admin_passphrase": PASSPHRASE, "home": home} | kwargs
        with pytest.raises(StationError) as err:
            st.initialize(**args)  # type: ignore[arg-type]
        assert err.value.code == code
    _setup(home)
    with pytest.raises(StationError) as err:
        _setup(home)
    assert err.value.code == "error.already_set_up"


def test_saved_values_not_readable_in_raw_files(home: Path) -> None:
    _setup(home)
    ctx = st.sign_in("admin", PASSPHRASE, home)
    try:
        with ctx.db.uow() as uow:
            saved = register_household(uow, ctx.actor, family_of_five())
            from station.services.photos import save_portrait

            photo = _tiny_jpeg()
            save_portrait(uow, ctx.actor, saved.members[0].id, photo, {"sharpness": 1.0})
        raw = b"".join(p.read_bytes() for p in home.iterdir() if p.is_file() and p.name.startswith(DB_FILE))
        assert len(raw) > 4096
        needles = ["Fatima", "Al-Jubouri", "فاطمة", "الجبوري", "199012345678", "Hammam al-Alil",
                   "searching for injured son", saved.registration_number]
        for needle in needles:
            for enc in ("utf-8", "utf-16-le"):
                assert needle.encode(enc) not in raw, needle
        assert photo[100:164] not in raw
    finally:
        ctx.close()


def _tiny_jpeg() -> bytes:
    import cv2
    import numpy as np

    img = np.random.default_rng(3).integers(0, 255, (80, 60, 3), dtype=np.uint8)
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return bytes(buf)
