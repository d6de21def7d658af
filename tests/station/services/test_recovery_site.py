"""The recovery sheet on a PostgreSQL site (issue 15): each desk's sheet is bound by the site's authority.

Before: the site's authority knew no recovery key, so `recovery.used` showed as unsigned in `audit verify`
at every desk, and the recovered administrator was a clerk from their next sign-in on (no grant binds
their new key). Two real desks of one site (PostgreSQL).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from station.domain.roles import Role
from station.errors import StationError
from station.security.keyring import RECOVERY_ENTRY, Keyring
from station.services import accounts, trail_site, trail_verify
from station.services.recovery import recover, rotate_recovery_code
from station.services.station import initialize, sign_in
from tests.conftest import PASSPHRASE, _reset_pg, pg_url

pytestmark = pytest.mark.postgres

NEW = "recovered at desk two, 2026"


def _desk(tmp_path: Path, url: str, number: int) -> tuple[Path, str, str | None]:
    home = tmp_path / f"desk-{number}"
    home.mkdir()
    ctx, code = initialize(site_code="MKH", station_number=number, admin_username="admin",
                           admin_passphrase=PASSPHRASE, home=home, database_url=url)
    if number == 2:
        accounts.create_account(ctx, "clerk", Role.CLERK, "clerk passphrase 42")
    pub = _sheet_key(home)  # (the key file's names are readable only while someone is signed in)
    ctx.close()
    return home, code, pub


def _sheet_key(home: Path) -> str | None:
    return Keyring.load(home).public_key(RECOVERY_ENTRY)


def _role(home: Path, user: str, secret: str) -> Role:
    ctx = sign_in(user, secret, home)
    ctx.close()
    return ctx.actor.role


def _problems(home: Path, user: str, secret: str) -> list[tuple[str, str | None]]:
    ctx = sign_in(user, secret, home)
    try:
        with ctx.db.reader() as uow:
            return [(p.problem, p.ref) for p in trail_verify.verify(uow.session, home)]
    finally:
        ctx.close()


def test_each_desk_sheet_recovers_an_administrator_the_site_honours(tmp_path: Path) -> None:
    url = pg_url()
    assert url
    _reset_pg(url)
    (desk2, code2, pub2), (desk3, code3, pub3) = _desk(tmp_path, url, 2), _desk(tmp_path, url, 3)
    trust = trail_site.load(desk2, _engine(url)).trust()  # type: ignore[union-attr]
    assert pub2 and pub3 and trust.desk_recovery == {"MKH-02": pub2, "MKH-03": pub3}  # bound at set-up

    ctx = recover(code2, "admin", NEW, desk2)  # every passphrase of the administrator lost
    try:
        accounts.create_account(ctx, "amina", Role.SUPERVISOR, "amina passphrase 7")  # signed as the admin now
    finally:
        ctx.close()
    again = sign_in("admin", NEW, desk2)
    try:
        assert again.actor.role == Role.ADMINISTRATOR  # granted by the desk's sheet, bound by the site
    finally:
        again.close()
    assert _role(desk2, "amina", "amina passphrase 7") == Role.SUPERVISOR
    assert _problems(desk2, "admin", NEW) == []  # recovery.used signed by a key the site binds

    ctx = recover(code3, "nadia", "nadia passphrase 11", desk3)  # the other desk's sheet: a new administrator
    ctx.close()
    assert _role(desk3, "nadia", "nadia passphrase 11") == Role.ADMINISTRATOR
    assert _problems(desk3, "nadia", "nadia passphrase 11") == []

    ctx = sign_in("admin", NEW, desk2)  # a new sheet for desk 2: its old one no longer counts, desk 3's does
    try:
        rotate_recovery_code(ctx)
        trust = trail_site.load(desk2, _engine(url)).trust()  # type: ignore[union-attr]
        new2 = _sheet_key(desk2)
    finally:
        ctx.close()
    assert new2 != pub2 and trust.desk_recovery["MKH-02"] == new2 and new2 in trust.admins
    assert pub2 not in trust.admins and pub3 in trust.admins and trust.desk_recovery["MKH-03"] == pub3
    with pytest.raises(StationError):
        recover(code2, "admin", "yet another passphrase", desk2)


def test_a_desk_set_up_before_binds_its_sheet_at_an_administrators_sign_in(tmp_path: Path) -> None:
    """A site whose desks were set up before this version: the first administrator's sign-in at each desk
    binds that desk's sheet (trust on first use, as the site's founding); never again from the key file."""
    url = pg_url()
    assert url
    _reset_pg(url)
    desk2, code2, pub = _desk(tmp_path, url, 2)
    engine = _engine(url)
    with engine.begin() as conn:  # as an older version left it: no desk's sheet bound
        from sqlalchemy import text

        conn.execute(text("DELETE FROM site_authority WHERE kind = 'recovery'"))
    assert trail_site.load(desk2, engine).trust().desk_recovery == {}  # type: ignore[union-attr]
    sign_in("clerk", "clerk passphrase 42", desk2).close()  # a clerk binds nothing
    assert trail_site.load(desk2, engine).trust().desk_recovery == {}  # type: ignore[union-attr]
    sign_in("admin", PASSPHRASE, desk2).close()
    assert trail_site.load(desk2, engine).trust().desk_recovery == {"MKH-02": pub}  # type: ignore[union-attr]
    recover(code2, "admin", NEW, desk2).close()
    assert _role(desk2, "admin", NEW) == Role.ADMINISTRATOR


def _engine(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    return create_engine(url)
