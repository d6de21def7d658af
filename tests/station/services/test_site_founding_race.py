"""Two administrators signing in at two desks of a site that has no authority yet, at the same moment (a site
of an older version, issue 15): one founds it, the other waits for that and pins the same anchor; neither
is left with a pin every reader ignores. Needs PostgreSQL (STATION_TEST_PG_URL)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from station.domain.roles import Role
from station.security.site_authority import SITE_ANCHOR_FILE, pinned_anchor
from station.services import trail_guard, trail_site
from station.services.station import initialize
from station.services.trail_guard import Signer
from tests.conftest import PASSPHRASE, _reset_pg, pg_url

pytestmark = pytest.mark.postgres


def test_two_desks_founding_at_once_pin_one_anchor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = pg_url()
    assert url
    _reset_pg(url)
    desks = []
    for number in (2, 3):
        home = tmp_path / f"desk-{number}"
        home.mkdir()
        ctx, _ = initialize(site_code="MKH", station_number=number, admin_username="admin",
                            admin_passphrase=PASSPHRASE, home=home, database_url=url)
        desks.append(ctx)
    # as a site of an older version: no authority on the server, no pin at either desk
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM site_authority"))
    engine.dispose()
    for ctx in desks:
        (ctx.home / SITE_ANCHOR_FILE).unlink()

    inside = threading.Event()
    real_fresh = trail_site._fresh

    def slow_fresh(s: Session, signer: Signer) -> bool:
        """The first founder holds its transaction open a while: the second signs in meanwhile."""
        if not inside.is_set():
            inside.set()
            time.sleep(1.0)
        return real_fresh(s, signer)

    monkeypatch.setattr(trail_site, "_fresh", slow_fresh)
    roles: dict[int, Role] = {}
    errors: list[BaseException] = []

    def settle(i: int) -> None:
        ctx = desks[i]
        try:
            assert trail_guard.signer_of(ctx.db) is not None
            roles[i] = trail_site.settle(ctx.db, ctx.home, "admin", PASSPHRASE, Role.ADMINISTRATOR)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    first = threading.Thread(target=settle, args=(0,))
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=settle, args=(1,))
    second.start()
    first.join(60)
    second.join(60)
    try:
        assert not errors, errors
        with desks[0].db.reader() as uow:
            anchors = uow.session.execute(text("SELECT count(*) FROM site_authority WHERE kind = 'anchor'"))
            assert anchors.scalar_one() == 1
        pins = [pinned_anchor(ctx.home) for ctx in desks]
        assert pins[0] is not None and pins[0] == pins[1]  # both desks trust the one anchor every reader takes
        assert roles == {0: Role.ADMINISTRATOR, 1: Role.ADMINISTRATOR}
    finally:
        for ctx in desks:
            ctx.close()
