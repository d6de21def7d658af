"""Synthetic (demo) households never reach the office as real ones (issue 16): clerks cannot add them to
a production station, administrators only with a confirmation that marks the station, and every pack
from a marked station says so in its header."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.domain.roles import Role
from station.errors import PermissionDenied
from station.services import demo
from station.services.accounts import create_account
from station.services.station import StationContext, initialize, sign_in
from tests.conftest import PASSPHRASE

CLERK_PW = "clerk passphrase 123"


def _clerk(ctx: StationContext) -> StationContext:
    create_account(ctx, "clerk1", Role.CLERK, CLERK_PW)
    return sign_in("clerk1", CLERK_PW, ctx.home)


def _marked(ctx: StationContext) -> bool:
    with ctx.db.reader() as uow:
        return demo.is_synthetic_station(uow)


def test_clerk_cannot_fill_a_production_station(sqlite_ctx: StationContext) -> None:
    clerk = _clerk(sqlite_ctx)
    try:
        with pytest.raises(PermissionDenied) as err:
            demo.fill(clerk.db, clerk.actor, 3)
        assert err.value.code == "fault.demo_production"
        with pytest.raises(PermissionDenied):
            demo.fill(clerk.db, clerk.actor, 3, confirmed=True)  # no confirmation lets a clerk do it
    finally:
        clerk.close()
    assert not _marked(sqlite_ctx)


def test_administrator_needs_a_confirmation_which_marks_the_station(sqlite_ctx: StationContext) -> None:
    with pytest.raises(PermissionDenied) as err:
        demo.fill(sqlite_ctx.db, sqlite_ctx.actor, 3, confirmed=False)
    assert err.value.code == "fault.demo_needs_confirmation"
    assert not _marked(sqlite_ctx)
    assert demo.fill(sqlite_ctx.db, sqlite_ctx.actor, 3, confirmed=True) > 0
    assert _marked(sqlite_ctx)


def test_demo_station_accepts_demo_data_from_anyone(home: Path) -> None:
    ctx, _ = initialize(site_code="DEM", station_number=1, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home, demo=True)
    try:
        assert _marked(ctx)
        clerk = _clerk(ctx)
        try:
            assert demo.fill(clerk.db, clerk.actor, 2, confirmed=False) > 0
        finally:
            clerk.close()
    finally:
        ctx.close()
