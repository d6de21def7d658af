"""A PostgreSQL site of two desks for tests (needs STATION_TEST_PG_URL; the caller is marked `postgres`)."""

from __future__ import annotations

from pathlib import Path

from station.services import accounts
from station.services.station import StationContext, initialize, sign_in
from tests.conftest import PASSPHRASE, _reset_pg, pg_url

NEW = "changed at desk two, 2026"  # the administrator's passphrase after the change at desk 2


def desk_ctx(tmp_path: Path, url: str, number: int) -> StationContext:
    """A desk of the site at `url` set up in its own home, its administrator ("admin", tests.conftest.PASSPHRASE)
    signed in."""
    home = tmp_path / f"desk-{number}"
    home.mkdir()
    ctx, _ = initialize(site_code="MKH", station_number=number, admin_username="admin",
                        admin_passphrase=PASSPHRASE, home=home, database_url=url)
    return ctx


def desk(tmp_path: Path, url: str, number: int) -> Path:
    """`desk_ctx`, closed: the desk's home."""
    ctx = desk_ctx(tmp_path, url, number)
    ctx.close()
    return ctx.home


def passphrase_changed_at_desk_two(tmp_path: Path) -> tuple[Path, Path]:
    """Desks 2 and 3 of a fresh site; the administrator changed their passphrase to NEW at desk 2, so desk 3's
    key file still opens with the previous one. Returns the two homes."""
    url = pg_url()
    assert url
    _reset_pg(url)
    desk2, desk3 = desk(tmp_path, url, 2), desk(tmp_path, url, 3)
    ctx = sign_in("admin", PASSPHRASE, desk2)
    accounts.change_own_passphrase(ctx, PASSPHRASE, NEW)
    ctx.close()
    return desk2, desk3
