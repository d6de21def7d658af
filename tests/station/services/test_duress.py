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


def _shape(home: Path) -> list[list[tuple[str, int]]]:
    """What a thief reads in the key file: its entries' fields and the sizes of their values."""
    import json

    from station.security.keyring import KEYRING_FILE

    data = json.loads((home / KEYRING_FILE).read_text())
    assert not data["legacy"]
    return sorted(sorted((k, len(json.dumps(v))) for k, v in e.items()) for e in data["entries"])


def test_the_key_file_does_not_say_whether_a_duress_passphrase_is_set(tmp_path: Path) -> None:
    import json

    from station.cli.commands.duress import is_set
    from station.security.keyring import KEYRING_FILE

    shapes, tops = [], []
    for n, with_duress in enumerate((False, True, False)):
        home = tmp_path / str(n)
        home.mkdir()
        ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin",
                            admin_passphrase=PASSPHRASE, home=home)
        try:
            if with_duress:
                duress.set_duress_passphrase(ctx, DURESS)
            assert is_set(home) is with_duress  # the administrator still sees which
            if n == 2:  # set, then cleared: back to a decoy
                duress.set_duress_passphrase(ctx, DURESS)
                duress.clear_duress_passphrase(ctx)
                assert not is_set(home)
        finally:
            ctx.close()
        shapes.append(_shape(home))
        tops.append(sorted((k, len(json.dumps(v))) for k, v in json.loads((home / KEYRING_FILE).read_text()).items()
                           if k not in ("station_id", "throttle")))
    assert len(shapes[0]) == len(shapes[1]) == len(shapes[2]) == 3  # admin, recovery, duress or its decoy
    assert shapes[0] == shapes[1] == shapes[2]
    assert tops[0] == tops[1] == tops[2]
    # the decoy opens for no passphrase, the duress passphrase still works where one is set
    assert sign_in_fails_plainly(tmp_path / "0") and sign_in_fails_plainly(tmp_path / "2")


def sign_in_fails_plainly(home: Path) -> bool:
    with pytest.raises(StationError) as err:
        sign_in("admin", DURESS, home)
    return err.value.code == "error.bad_credentials"


def test_a_key_file_from_before_the_decoy_gets_one_at_the_next_sign_in(home: Path) -> None:
    import json

    from station.security.keyring import DURESS_ENTRY, KEYRING_FILE, Keyring

    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    try:  # drop the decoy and its flag, as an older version never wrote them
        decoy = Keyring.load(home)._ids[DURESS_ENTRY]
    finally:
        ctx.close()
    data = json.loads((home / KEYRING_FILE).read_text())
    data["entries"] = [e for e in data["entries"] if e["id"] != decoy]
    data.pop("duress")
    (home / KEYRING_FILE).write_text(json.dumps(data))
    ctx = sign_in("admin", PASSPHRASE, home)
    try:
        assert not Keyring.load(home).has(DURESS_ENTRY)
    finally:
        ctx.close()
    assert len(json.loads((home / KEYRING_FILE).read_text())["entries"]) == 3


def test_duress_passphrase_at_the_lock_screen_erases_and_opens_an_empty_station(home: Path) -> None:
    from station.services import station as st

    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    add_household(ctx)
    duress.set_duress_passphrase(ctx, DURESS)
    st.lock_session(ctx, "shortcut")
    with pytest.raises(StationError) as err:  # an ordinary wrong passphrase is still just wrong
        st.unlock_session(ctx, "admin", "not the passphrase")
    assert err.value.code == "error.bad_credentials" and ctx.db_key is not None
    forced = st.unlock_session(ctx, "admin", DURESS)
    try:
        assert isinstance(forced, st.StationContext) and forced is not ctx
        assert forced.station_code == "MKH-02" and forced.actor.username == "admin" and _households(forced) == 0
        assert ctx.db_key is None  # the locked session's key is gone with the station
    finally:
        forced.close()
    with pytest.raises(StationError):
        sign_in("admin", PASSPHRASE, home)
    again = sign_in("admin", DURESS, home)  # the empty station opens with the passphrase that was typed
    try:
        assert _households(again) == 0
    finally:
        again.close()
