"""Who and where the station is (site code, desk number, server address) is sealed, never in settings.json
(issue 15), comes back at sign-in, and an older plain settings.json is converted at the next sign-in."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from station import settings
from station.errors import StationError
from station.security import sealed
from station.services import duress, erase
from station.services import station as st
from station.settings import IDENTITY_FILE, StationSettings, station_settings
from tests.conftest import PASSPHRASE, secret_pg_url

SERVER = "postgresql+psycopg://desk_mkh@db.mkh-site.example:5432/register_mkh"


def _plain_hits(home: Path, needles: tuple[str, ...]) -> list[tuple[str, str]]:
    # Needles of 4 bytes or more: a 3-letter code turns up by chance in a megabyte of ciphertext about
    # one run in twenty ("MKH" is searched as it would be written: '"MKH"' in JSON, "MKH-" in a code).
    return [(p.name, n) for p in home.rglob("*") if p.is_file() for n in needles if n.encode() in p.read_bytes()]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_codes_are_sealed_and_come_back_at_sign_in(home: Path) -> None:
    ctx, _ = st.initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    ctx.close()
    plain = json.loads((home / settings.SETTINGS_FILE).read_text())["station"]
    assert not {"site_code", "station_number", "database_url"} & set(plain) and plain["server_site"] is False
    assert _mode(home / IDENTITY_FILE) == 0o600
    assert _plain_hits(home, ('"MKH"', "MKH-")) == []
    locked = station_settings(home)  # nobody signed in: the defaults, not the station's codes
    assert (locked.site_code, locked.station_number, locked.on_server) == ("", 0, False)
    ctx = st.sign_in("admin", PASSPHRASE, home)
    try:
        assert ctx.station_code == "MKH-02" and station_settings(home).site_code == "MKH"
    finally:
        ctx.close()


def test_an_older_settings_file_is_converted_at_the_next_sign_in(home: Path) -> None:
    st.initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                  home=home)[0].close()
    (home / IDENTITY_FILE).unlink()  # as an older version left the station: everything in settings.json
    old = {"station": {"site_code": "MKH", "station_number": 2, "language": "ar", "database_url": "",
                       "idle_lock_minutes": 7, "time_zone": "Asia/Baghdad"}}
    (home / settings.SETTINGS_FILE).write_text(json.dumps(old))
    (home / settings.SETTINGS_FILE).chmod(0o644)
    assert station_settings(home).site_code == "MKH"  # read as it is until then
    ctx = st.sign_in("admin", PASSPHRASE, home)
    try:
        assert ctx.station_code == "MKH-02" and ctx.actor.station == "MKH-02"
    finally:
        ctx.close()
    assert _plain_hits(home, ('"MKH"', "MKH-")) == []
    raw = json.loads((home / settings.SETTINGS_FILE).read_text())["station"]
    assert "site_code" not in raw and "station_number" not in raw and "database_url" not in raw
    assert (raw["language"], raw["idle_lock_minutes"], raw["time_zone"]) == ("ar", 7, "Asia/Baghdad")
    assert _mode(home / settings.SETTINGS_FILE) == 0o600 and _mode(home / IDENTITY_FILE) == 0o600
    ctx = st.sign_in("admin", PASSPHRASE, home)  # the codes are kept, now from the sealed file
    try:
        assert ctx.station_code == "MKH-02" and ctx.settings.language == "ar"
    finally:
        ctx.close()


def test_plain_settings_change_before_sign_in_and_the_identity_does_not(home: Path) -> None:
    st.initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                  home=home)[0].close()
    settings.update(StationSettings, home, language="ckb")  # the sign-in screen's language choice
    with pytest.raises(StationError) as err:
        settings.update(StationSettings, home, site_code="ZZZ")
    assert err.value.code == "security.error.station_locked"
    ctx = st.sign_in("admin", PASSPHRASE, home)
    try:
        assert ctx.station_code == "MKH-02" and ctx.settings.language == "ckb"
    finally:
        ctx.close()


def test_a_server_address_is_sealed_and_only_a_flag_says_server(home: Path) -> None:
    key = os.urandom(32)
    sealed.open_station(home, key)
    settings.save(StationSettings(site_code="MKH", station_number=2, database_url=SERVER, server_site=True), home)
    sealed.forget(home)
    assert _plain_hits(home, ("mkh-site", "desk_mkh", "register_mkh", '"MKH"', "MKH-")) == []
    locked = station_settings(home)
    assert locked.database_url == "" and locked.on_server and erase.keeps_server_records(home)
    sealed.open_station(home, key)
    try:
        assert station_settings(home).database_url == SERVER
    finally:
        sealed.forget(home)
    sealed.open_station(home, os.urandom(32))  # another station's key opens nothing
    try:
        with pytest.raises(StationError):
            station_settings(home)
    finally:
        sealed.forget(home)


def test_an_identity_left_by_an_unfinished_set_up_does_not_block_the_next(home: Path) -> None:
    sealed.open_station(home, os.urandom(32))
    settings.save(StationSettings(site_code="OLD", station_number=9), home)
    sealed.forget(home)
    ctx, _ = st.initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    ctx.close()
    ctx = st.sign_in("admin", PASSPHRASE, home)
    try:
        assert ctx.station_code == "MKH-02"
    finally:
        ctx.close()


def test_the_spare_slot_does_not_say_whether_a_duress_passphrase_is_set(home: Path) -> None:
    ctx, _ = st.initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    try:
        before = settings.identity_spare(home)
        duress.set_duress_passphrase(ctx, "the weather is fine today")
        during = settings.identity_spare(home)
        duress.clear_duress_passphrase(ctx)
        after = settings.identity_spare(home)
    finally:
        ctx.close()
    assert before != during != after
    assert {len(d["data"]) for d in (before, during, after)} == {len(before["data"])}


@pytest.mark.postgres
def test_a_server_site_keeps_no_address_in_a_plain_file(home: Path) -> None:
    from sqlalchemy import make_url

    server_url = secret_pg_url()  # a database of its own, emptied (without one: skipped, or failed in CI)
    url = make_url(server_url)
    ctx, _ = st.initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home, database_url=server_url)
    st.sign_out(ctx)
    needles = tuple(str(v) for v in (url.host, url.username, url.database, url.password, '"MKH"', "MKH-") if v)
    assert _plain_hits(home, needles) == []
    assert station_settings(home).on_server and erase.keeps_server_records(home)
    ctx = st.sign_in("admin", PASSPHRASE, home)
    try:
        assert ctx.station_code == "MKH-02" and make_url(ctx.settings.database_url).host == url.host
    finally:
        ctx.close()
    # as an older version left it: codes and the whole URL (password too) in settings.json, nothing sealed
    (home / IDENTITY_FILE).unlink()
    (home / "database-secret.json").unlink()
    (home / settings.SETTINGS_FILE).write_text(json.dumps({"station": {
        "site_code": "MKH", "station_number": 2, "database_url": server_url, "language": "en"}}))
    ctx = st.sign_in("admin", PASSPHRASE, home)
    ctx.close()
    assert _plain_hits(home, needles) == [] and station_settings(home).server_site
    ctx = st.sign_in("admin", PASSPHRASE, home)  # the sealed address and password open the server again
    try:
        assert ctx.station_code == "MKH-02"
    finally:
        ctx.close()
