"""On a PostgreSQL site the server password is sealed under the database key, never in a plain file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from station.security import db_secret
from station.services.station import initialize, sign_in
from station.settings import station_settings
from tests.conftest import PASSPHRASE, secret_pg_url

pytestmark = pytest.mark.postgres  # uses the shared PostgreSQL database: one worker at a time

def test_split_and_seal_round_trip(home: Path) -> None:
    bare, pw = db_secret.split_password("postgresql+psycopg://desk:s3cr%40t@db.local:5432/register")
    assert pw == "s3cr@t" and "s3cr" not in bare and "desk@db.local" in bare
    key = os.urandom(32)
    db_secret.seal(home, key, pw)
    assert b"s3cr" not in (home / db_secret.SECRET_FILE).read_bytes()
    assert oct((home / db_secret.SECRET_FILE).stat().st_mode & 0o777) == "0o600"
    assert db_secret.full_url(home, bare, key).endswith("desk:s3cr%40t@db.local:5432/register")
    assert db_secret.full_url(home, bare, None) == bare  # no key, no password
    assert db_secret.split_password(bare) == (bare, None)


def test_password_never_in_a_plain_file(home: Path) -> None:
    server_url = secret_pg_url()  # a database of its own, emptied (without one: skipped, or failed in CI)
    password = db_secret.split_password(server_url)[1]
    assert password
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home, database_url=server_url)
    stored = station_settings(home).database_url  # sealed with the station's identity (station/settings.py)
    ctx.close()
    assert stored and db_secret.split_password(stored)[1] is None
    assert "database_url" not in json.loads((home / "settings.json").read_text())["station"]
    for path in home.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path.name
    ctx = sign_in("admin", PASSPHRASE, home)  # the sealed password opens the server
    ctx.close()
    # a station set up by an older version: the URL with its password; moved out at the next sign-in
    settings = json.loads((home / "settings.json").read_text())
    settings["station"]["database_url"] = server_url
    (home / "settings.json").write_text(json.dumps(settings))
    (home / db_secret.SECRET_FILE).unlink()
    sign_in("admin", PASSPHRASE, home).close()
    assert all(password.encode() not in p.read_bytes() for p in home.rglob("*") if p.is_file())
    sign_in("admin", PASSPHRASE, home).close()
