"""Duress passphrase: opens an empty-looking station; the real one is erased (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from station.db.rows import HouseholdRow
from station.domain.roles import Role
from station.errors import PermissionDenied, StationError
from station.services import accounts, duress
from station.services.recovery import recover
from station.services.station import initialize, sign_in
from tests.conftest import PASSPHRASE
from tests.station.printing.print_helpers import add_household

DURESS = "the weather is fine today"


def _households(ctx) -> int:
    with ctx.db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(HouseholdRow)) or 0)


def test_duress_passphrase_erases_and_opens_an_empty_station(home: Path) -> None:
    ctx, code = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    accounts.create_account(ctx, "clerk", Role.CLERK, "clerk passphrase 1")
    add_household(ctx)
    duress.set_duress_passphrase(ctx, DURESS)
    ctx.close()
    with pytest.raises(StationError):  # an ordinary wrong passphrase is still just wrong
        sign_in("admin", "not the passphrase", home)
    real = sign_in("admin", PASSPHRASE, home)
    assert _households(real) == 1
    real.close()

    forced = sign_in("admin", DURESS, home)
    try:
        assert forced.station_code == "MKH-02" and _households(forced) == 0
        assert forced.actor.username == "admin"
    finally:
        forced.close()
    with pytest.raises(StationError):
        sign_in("admin", PASSPHRASE, home)
    with pytest.raises(StationError):
        sign_in("clerk", "clerk passphrase 1", home)
    with pytest.raises(StationError):
        recover(code, "admin", "a brand new passphrase", home)


def test_only_administrators_set_it_and_not_their_own(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    with pytest.raises(StationError) as err:
        duress.set_duress_passphrase(ctx, PASSPHRASE)
    assert err.value.code == "duress.error.same_as_own"
    accounts.create_account(ctx, "clerk", Role.CLERK, "clerk passphrase 1")
    ctx.close()
    clerk = sign_in("clerk", "clerk passphrase 1", home)
    with pytest.raises(PermissionDenied):
        duress.set_duress_passphrase(clerk, DURESS)
    clerk.close()


def test_duress_is_refused_on_a_server_site_not_silently_ignored(home: Path) -> None:
    """Sign-in never tries a duress passphrase on a PostgreSQL site (the records are the server's, shared by
    every desk): setting one there is refused with a sentence saying why, instead of doing nothing."""
    import dataclasses

    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    try:
        ctx.settings = dataclasses.replace(ctx.settings, database_url="postgresql+psycopg://desk@db/site")
        with pytest.raises(StationError) as err:
            duress.set_duress_passphrase(ctx, DURESS)
        assert err.value.code == "duress.error.server_site" and "server" in err.value.message()
    finally:
        ctx.close()


def test_duress_on_each_backend(ctx, backend: str) -> None:
    """A real server site refuses it; a laptop station takes it."""
    if backend == "postgresql":
        with pytest.raises(StationError) as err:
            duress.set_duress_passphrase(ctx, DURESS)
        assert err.value.code == "duress.error.server_site"
    else:
        duress.set_duress_passphrase(ctx, DURESS)
