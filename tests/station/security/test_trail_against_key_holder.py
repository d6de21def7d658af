"""A clerk unwraps the database key with their own passphrase and edits the file directly (issue 15).

Each edit the issue lists passed `audit verify` before signatures: now verify names each one, and the
clerk who promoted themselves is still a clerk to every service.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from station.db.engine import DB_FILE, sqlcipher_engine
from station.domain.audit_chain import event_hash
from station.domain.roles import Role
from station.errors import PermissionDenied
from station.security import sealed
from station.security.keyring import Keyring
from station.services import accounts, audit
from station.services.station import StationContext, initialize, sign_in
from tests.conftest import PASSPHRASE
from tests.station.printing.print_helpers import add_household

CLERK_PW = "clerk passphrase 42"


@pytest.fixture
def station(home: Path) -> Iterator[tuple[StationContext, str]]:
    ctx, _code = initialize(site_code="MKH", station_number=2, admin_username="admin",
                            admin_passphrase=PASSPHRASE, home=home)
    accounts.create_account(ctx, "clerk", Role.CLERK, CLERK_PW)
    hh = add_household(ctx)  # with the head's portrait
    ctx.close()
    clerk = sign_in("clerk", CLERK_PW, home)  # the clerk works a while: signed events of their own
    add_household(clerk, with_photo=False)
    clerk.close()
    yield ctx, hh.registration_number


def _clerk_engine(home: Path) -> Engine:
    """What the clerk can do with their passphrase: unwrap the database key and open the file directly."""
    key = Keyring.load(home).unwrap("clerk", CLERK_PW)
    return sqlcipher_engine(home / DB_FILE, key)


def _problems(home: Path) -> list[tuple[str | None, str | int | None]]:
    admin = sign_in("admin", PASSPHRASE, home)
    try:
        with admin.db.reader() as uow:
            reports = audit.verify(uow, admin.actor)
    finally:
        admin.close()
    return [(r.problem, r.first_bad_event_id if r.problem in ("role", "household", "grant", "authority")
             else r.first_bad_seq) for r in reports if not r.ok]


def _rehash(conn, station: str) -> None:
    """Recompute every hash and the head marker, as someone who read audit.py would."""
    rows = [dict(r._mapping) for r in conn.execute(
        text("SELECT * FROM audit_events WHERE station = :s ORDER BY seq"), {"s": station})]
    prev = "0" * 64
    for r in rows:
        details = r["details"] if isinstance(r["details"], dict) else json.loads(r["details"])
        at = r["at"]
        if isinstance(at, str):
            from datetime import datetime

            at = datetime.fromisoformat(at)
        h = event_hash(prev, event_id=r["event_id"], station=station, seq=r["seq"], at=at, actor=r["actor"],
                       action=r["action"], entity_type=r["entity_type"], entity_id=r["entity_id"], details=details)
        conn.execute(text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :i"),
                     {"p": prev, "h": h, "i": r["id"]})
        prev = h
    last = rows[-1]
    conn.execute(text("UPDATE station_meta SET value = :v WHERE key = :k"),
                 {"v": f"{last['seq']} {last['event_id']} {prev}", "k": f"audit_head:{station}"})


def test_untouched_station_verifies(station, home: Path) -> None:
    assert _problems(home) == []


def test_promoted_clerk_is_named_and_refused(station, home: Path) -> None:
    with _clerk_engine(home).begin() as conn:
        conn.execute(text("UPDATE accounts SET role = 'administrator' WHERE username = 'clerk'"))
    assert ("role", "clerk") in _problems(home)
    clerk = sign_in("clerk", CLERK_PW, home)
    try:
        assert clerk.actor.role == Role.CLERK
        with pytest.raises(PermissionDenied):
            accounts.list_accounts(clerk)
        with pytest.raises(PermissionDenied):
            accounts.create_account(clerk, "mole", Role.ADMINISTRATOR, "mole passphrase 1")
    finally:
        clerk.close()


def test_events_cut_off_the_end_with_the_head_marker_rewritten(station, home: Path) -> None:
    with _clerk_engine(home).begin() as conn:
        last = conn.execute(text("SELECT max(seq) FROM audit_events WHERE station = 'MKH-02'")).scalar_one()
        conn.execute(text("DELETE FROM audit_events WHERE station = 'MKH-02' AND seq > :n"), {"n": last - 3})
        row = conn.execute(text("SELECT seq, event_id, hash FROM audit_events WHERE station = 'MKH-02' "
                                "ORDER BY seq DESC LIMIT 1")).one()
        conn.execute(text("UPDATE station_meta SET value = :v WHERE key = 'audit_head:MKH-02'"),
                     {"v": f"{row.seq} {row.event_id} {row.hash}"})
    assert ("head_removed", last) in _problems(home)  # the newest event the station signed is gone


def test_events_cut_and_old_copies_of_the_outside_heads_restored(station, home: Path) -> None:
    """The clerk copies the files that hold the signed heads, the administrator works on, then the clerk cuts
    the administrator's events, rewrites the head marker and puts the old copies back: the household the
    administrator saved still names the newest event it followed, which is gone."""
    saved = {n: (home / n).read_bytes() for n in ("trail-heads.json", "authority.json") if (home / n).exists()}
    assert "authority.json" in saved
    with _clerk_engine(home).connect() as conn:
        cut = conn.execute(text("SELECT max(seq) FROM audit_events WHERE station = 'MKH-02'")).scalar_one()
    admin = sign_in("admin", PASSPHRASE, home)
    add_household(admin, with_photo=False)  # the administrator's later work
    admin.close()
    with _clerk_engine(home).begin() as conn:
        last = conn.execute(text("SELECT max(seq) FROM audit_events WHERE station = 'MKH-02'")).scalar_one()
        conn.execute(text("DELETE FROM audit_events WHERE station = 'MKH-02' AND seq > :n"), {"n": cut})
        row = conn.execute(text("SELECT seq, event_id, hash FROM audit_events WHERE station = 'MKH-02' "
                                "ORDER BY seq DESC LIMIT 1")).one()
        conn.execute(text("UPDATE station_meta SET value = :v WHERE key = 'audit_head:MKH-02'"),
                     {"v": f"{row.seq} {row.event_id} {row.hash}"})
    for name, data in saved.items():
        (home / name).write_bytes(data)
    problems = _problems(home)
    assert [p for p in problems if p[0] == "head_removed" and cut < int(p[1] or 0) <= last], problems


def test_event_edited_and_chain_rehashed(station, home: Path) -> None:
    with _clerk_engine(home).begin() as conn:
        seq = conn.execute(text("SELECT seq FROM audit_events WHERE station = 'MKH-02' "
                                "AND action = 'household.create' ORDER BY seq LIMIT 1")).scalar_one()
        conn.execute(text("UPDATE audit_events SET actor = 'nobody' WHERE station = 'MKH-02' AND seq = :q"),
                     {"q": seq})
        _rehash(conn, "MKH-02")
    assert ("unsigned", seq) in _problems(home)


def test_event_deleted_and_renumbered(station, home: Path) -> None:
    with _clerk_engine(home).begin() as conn:
        seq = conn.execute(text("SELECT seq FROM audit_events WHERE station = 'MKH-02' "
                                "AND action = 'account.create' AND entity_id = 'clerk'")).scalar_one()
        conn.execute(text("DELETE FROM audit_events WHERE station = 'MKH-02' AND seq = :q"), {"q": seq})
        conn.execute(text("UPDATE audit_events SET seq = -seq WHERE station = 'MKH-02' AND seq > :q"), {"q": seq})
        conn.execute(text("UPDATE audit_events SET seq = -seq - 1 WHERE station = 'MKH-02' AND seq < 0"))
        _rehash(conn, "MKH-02")
    assert ("unsigned", seq) in _problems(home)


def test_household_rows_edited_directly(station, home: Path) -> None:
    _ctx, regno = station
    with _clerk_engine(home).begin() as conn:
        conn.execute(text("UPDATE individuals SET given_lat = 'Somebody' WHERE household_id = "
                          "(SELECT id FROM households WHERE registration_number = :r)"), {"r": regno})
        conn.execute(text("UPDATE households SET size = 9 WHERE registration_number <> :r"), {"r": regno})
    problems = _problems(home)
    named = sorted(ref for p, ref in problems if p == "household")
    assert regno in named and len(named) == 2, problems


def test_portrait_swapped_directly(station, home: Path) -> None:
    _ctx, regno = station
    with _clerk_engine(home).begin() as conn:
        conn.execute(text("UPDATE photos SET jpeg = :j"), {"j": b"\xff\xd8\xff another face"})
    assert ("household", regno) in _problems(home)


def test_forged_grant_in_the_authority_file_is_named_and_ignored(station, home: Path) -> None:
    """Editing authority.json itself (no administrator key) gains nothing."""
    path = home / "authority.json"
    Keyring.load(home).unwrap("clerk", CLERK_PW)  # the clerk's database key opens the sealed file
    data = sealed.unseal(home, "authority", json.loads(path.read_text()))
    data["statements"].append({**data["statements"][0],
                               "body": {**data["statements"][0]["body"], "role": "administrator"}})
    path.write_text(json.dumps(sealed.seal(home, "authority", data)))
    sealed.forget(home)
    with _clerk_engine(home).begin() as conn:
        conn.execute(text("UPDATE accounts SET role = 'administrator' WHERE username = 'clerk'"))
    problems = _problems(home)
    assert ("grant", "clerk") in problems and ("role", "clerk") in problems
    clerk = sign_in("clerk", CLERK_PW, home)
    assert clerk.actor.role == Role.CLERK
    clerk.close()


def test_role_changed_by_an_administrator_counts(station, home: Path) -> None:
    admin = sign_in("admin", PASSPHRASE, home)
    accounts.set_role(admin, "clerk", Role.SUPERVISOR)
    admin.close()
    sup = sign_in("clerk", CLERK_PW, home)
    assert sup.actor.role == Role.SUPERVISOR
    sup.close()
    assert _problems(home) == []


def test_an_administrators_key_entry_replaced_by_the_key_holder_gives_a_clerk(station, home: Path) -> None:
    """The clerk seals the database key under an administrator's name with a passphrase of their own: the
    entry opens, but its signing key is not the one the authority binds to that account."""
    keyring = Keyring.load(home)
    key = keyring.unwrap("clerk", CLERK_PW)
    keyring.wrap("admin", "the clerk's own 77", key)
    keyring.save()
    mole = sign_in("admin", "the clerk's own 77", home)
    try:
        assert mole.actor.role == Role.CLERK
        with pytest.raises(PermissionDenied):
            accounts.create_account(mole, "mole", Role.ADMINISTRATOR, "mole passphrase 1")
    finally:
        mole.close()


def test_nor_may_that_entry_take_over_a_locked_desk(station, home: Path) -> None:
    from station.services.session_lock import lock_session, unlock_session

    keyring = Keyring.load(home)
    keyring.wrap("admin", "the clerk's own 77", keyring.unwrap("clerk", CLERK_PW))
    keyring.save()
    clerk = sign_in("clerk", CLERK_PW, home)
    try:
        lock_session(clerk)
        with pytest.raises(PermissionDenied):  # a clerk may unlock only their own session
            unlock_session(clerk, "admin", "the clerk's own 77")
        assert clerk.actor.username == "clerk"
    finally:
        clerk.close()
