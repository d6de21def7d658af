"""`station init --database-url` for a second desk on a site database that already exists: the desk
joins it (with a site administrator's name and passphrase) or is refused with a message saying how
(issue 16; it failed with an IntegrityError traceback). Needs PostgreSQL (STATION_TEST_PG_URL)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from station.cli.main import main
from station.errors import StationError
from station.services.registration import register_household
from station.services.station import initialize, sign_in
from tests.conftest import PASSPHRASE, _reset_pg, pg_url
from tests.factories import family_of_five

pytestmark = pytest.mark.postgres  # uses the shared PostgreSQL database: one worker at a time


@pytest.fixture
def site_url() -> str:
    url = pg_url()
    if not url:
        if os.environ.get("STATION_REQUIRE_PG"):
            pytest.fail("STATION_REQUIRE_PG is set but STATION_TEST_PG_URL is not")
        pytest.skip("no PostgreSQL server (set STATION_TEST_PG_URL)")
    _reset_pg(url)
    return url


def _desk(tmp_path: Path, url: str, number: int, passphrase: str = PASSPHRASE, site: str = "MKH",
          laptop: str = "") -> Path:
    home = tmp_path / (laptop or f"desk-{site}-{number}")
    home.mkdir(exist_ok=True)
    ctx, _ = initialize(site_code=site, station_number=number, admin_username="admin", admin_passphrase=passphrase,
                        home=home, database_url=url)
    ctx.close()
    return home


def test_second_desk_joins_or_is_told_how(site_url: str, tmp_path: Path) -> None:
    first = _desk(tmp_path, site_url, 2)
    ctx = sign_in("admin", PASSPHRASE, first)
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, family_of_five())
    ctx.close()
    second = _desk(tmp_path, site_url, 3)  # same site, new desk number, a site administrator: joins
    ctx = sign_in("admin", PASSPHRASE, second)
    try:
        assert ctx.station_code == "MKH-03"
        with ctx.db.uow() as uow:
            saved = register_household(uow, ctx.actor, family_of_five())
        assert saved.registration_number.startswith("MKH-03")
    finally:
        ctx.close()
    for number, passphrase, site, code in [
        (4, "not the site passphrase", "MKH", "fault.join_needs_admin"),
        (2, PASSPHRASE, "MKH", "fault.join_station_taken"),  # desk 2 already registers here
        (5, PASSPHRASE, "ZAK", "fault.join_other_site"),
    ]:
        with pytest.raises(StationError) as err:
            _desk(tmp_path, site_url, number, passphrase, site, laptop=f"laptop-{code}")
        assert err.value.code == code
        home = tmp_path / f"laptop-{code}"
        assert not (home / "keyring.json").exists()  # nothing half set up on the refused desk


def test_second_desk_through_the_cli(site_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _desk(tmp_path, site_url, 2)
    monkeypatch.setenv("STATION_HOME", str(tmp_path / "cli-desk"))
    (tmp_path / "cli-desk").mkdir()
    monkeypatch.setenv("STATION_PASSPHRASE", "some other passphrase")
    with pytest.raises(SystemExit) as exit_:
        main(["init", "--site", "MKH", "--station", "3", "--admin", "admin", "--database-url", site_url,
              "--recovery-out", str(tmp_path / "rec.txt")])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "administrators" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    assert main(["init", "--site", "MKH", "--station", "3", "--admin", "admin", "--database-url", site_url,
                 "--recovery-out", str(tmp_path / "rec.txt")]) == 0
