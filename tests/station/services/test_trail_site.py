"""Roles and the trail hold against the server's password on a PostgreSQL site (issue 15).

Two desks of one site; someone with the server's address and password (direct SQL, the same URL the desks
use) tries each of the five edits of the issue: `audit verify` (the service `station audit verify` calls)
names each, and the clerk who promoted themselves is still a clerk to every service. Needs PostgreSQL
(STATION_TEST_PG_URL).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from station.cli.main import main
from station.domain.roles import Role
from station.errors import PermissionDenied
from station.security import signing
from station.security.authority import account_statement
from station.services import accounts, audit, pack_origin
from station.services.station import initialize, sign_in
from tests.conftest import PASSPHRASE, _reset_pg, pg_url
from tests.pg_site import desk_ctx
from tests.station.printing.print_helpers import add_household
from tests.station.security.test_trail_against_key_holder import _problems, _rehash

pytestmark = pytest.mark.postgres

CLERK_PW = "clerk passphrase 42"


@dataclass
class Site:
    url: str
    desk2: Path
    desk3: Path
    regno2: str  # a household registered at desk 2
    regno3: str  # one registered at desk 3



@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    url = pg_url()
    assert url  # the postgres mark skips (or fails) without a server
    _reset_pg(url)
    first = desk_ctx(tmp_path, url, 2)
    accounts.create_account(first, "clerk", Role.CLERK, CLERK_PW)
    hh2 = add_household(first)
    first.close()
    second = desk_ctx(tmp_path, url, 3)  # joins the site
    hh3 = add_household(second, with_photo=False)
    second.close()
    clerk = sign_in("clerk", CLERK_PW, first.home)  # the clerk works a while at desk 2
    add_household(clerk, with_photo=False)
    clerk.close()
    again = sign_in("admin", PASSPHRASE, second.home)
    add_household(again, with_photo=False)
    again.close()
    yield Site(url, first.home, second.home, hh2.registration_number, hh3.registration_number)


def _server(site: Site) -> Engine:
    """What someone with the server's address and password holds: every row, nothing sealed by a desk."""
    return create_engine(site.url)



def test_untouched_site_verifies_at_both_desks(site: Site) -> None:
    assert _problems(site.desk2) == []
    assert _problems(site.desk3) == []
    for home in (site.desk2, site.desk3):
        assert not (home / "authority.json").exists()  # a desk's identity for packs stays its desk key
        assert (home / "site-anchor.json").exists()
    with _server(site).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM site_authority WHERE kind = 'anchor'")).scalar_one() == 1
        assert {r[0] for r in conn.execute(text("SELECT username FROM account_keys"))} == {"admin", "clerk"}
        assert {r[0] for r in conn.execute(text("SELECT station FROM site_heads"))} == {"MKH-02", "MKH-03"}
        dump = "\n".join(str(r) for r in conn.execute(text("SELECT wrapped FROM account_keys")))
    assert PASSPHRASE not in dump and CLERK_PW not in dump
    ctx = sign_in("admin", PASSPHRASE, site.desk2)
    try:
        with ctx.db.reader() as uow:
            sign = pack_origin.pack_signer(uow.session)
            assert sign is not None
            heads = sign({"pack": 1})["authority"]["heads"]  # a pack carries every desk's signed head
    finally:
        ctx.close()
    assert set(heads) == {"MKH-02", "MKH-03"} and all(signing.statement_ok(h) for h in heads.values())


def test_promoted_clerk_is_named_and_refused(site: Site) -> None:
    with _server(site).begin() as conn:
        conn.execute(text("UPDATE accounts SET role = 'administrator' WHERE username = 'clerk'"))
    assert ("role", "clerk") in _problems(site.desk2)
    assert ("role", "clerk") in _problems(site.desk3)
    clerk = sign_in("clerk", CLERK_PW, site.desk2)
    try:
        assert clerk.actor.role == Role.CLERK
        with pytest.raises(PermissionDenied):
            accounts.create_account(clerk, "mole", Role.ADMINISTRATOR, "mole passphrase 1")
        with pytest.raises(PermissionDenied):
            accounts.list_accounts(clerk)
    finally:
        clerk.close()


@pytest.mark.parametrize("server_head", ["deleted", "rewritten"])
def test_events_cut_off_the_end_with_the_head_marker_rewritten(site: Site, server_head: str) -> None:
    """Desk 3's newest events cut, its head marker rewritten, and the server's signed head too: the desk's own
    signed copy in its folder still names the cut."""
    with _server(site).connect() as conn:
        old_head = conn.execute(text("SELECT statement FROM site_heads WHERE station = 'MKH-03'")).scalar_one()
    again = sign_in("admin", PASSPHRASE, site.desk3)  # later work at desk 3: the old signed head is an old one
    add_household(again, with_photo=False)
    again.close()
    with _server(site).begin() as conn:
        last = conn.execute(text("SELECT max(seq) FROM audit_events WHERE station = 'MKH-03'")).scalar_one()
        conn.execute(text("DELETE FROM audit_events WHERE station = 'MKH-03' AND seq > :n"), {"n": last - 3})
        row = conn.execute(text("SELECT seq, event_id, hash FROM audit_events WHERE station = 'MKH-03' "
                                "ORDER BY seq DESC LIMIT 1")).one()
        conn.execute(text("UPDATE station_meta SET value = :v WHERE key = 'audit_head:MKH-03'"),
                     {"v": f"{row.seq} {row.event_id} {row.hash}"})
        if server_head == "deleted":
            conn.execute(text("DELETE FROM site_heads WHERE station = 'MKH-03'"))
        else:  # an older genuine signed head put back
            conn.execute(text("UPDATE site_heads SET statement = :s WHERE station = 'MKH-03'"), {"s": old_head})
    problems = _problems(site.desk3)
    assert [p for p in problems if p[0] == "head_removed" and last - 3 < int(p[1] or 0) <= last], problems


def test_event_edited_and_chain_rehashed(site: Site) -> None:
    with _server(site).begin() as conn:
        seq = conn.execute(text("SELECT seq FROM audit_events WHERE station = 'MKH-02' "
                                "AND action = 'household.create' ORDER BY seq LIMIT 1")).scalar_one()
        conn.execute(text("UPDATE audit_events SET details = CAST(:d AS JSON) WHERE station = 'MKH-02' "
                          "AND seq = :q"), {"q": seq, "d": '{"size": 1}'})
        _rehash(conn, "MKH-02")
    assert ("unsigned", seq) in _problems(site.desk3)  # named at either desk
    assert ("unsigned", seq) in _problems(site.desk2)


def test_event_deleted_and_renumbered(site: Site) -> None:
    with _server(site).begin() as conn:
        seq = conn.execute(text("SELECT seq FROM audit_events WHERE station = 'MKH-03' "
                                "AND action = 'household.create' ORDER BY seq LIMIT 1")).scalar_one()
        conn.execute(text("DELETE FROM audit_events WHERE station = 'MKH-03' AND seq = :q"), {"q": seq})
        conn.execute(text("UPDATE audit_events SET seq = -seq WHERE station = 'MKH-03' AND seq > :q"), {"q": seq})
        conn.execute(text("UPDATE audit_events SET seq = -seq - 1 WHERE station = 'MKH-03' AND seq < 0"))
        _rehash(conn, "MKH-03")
    assert ("unsigned", seq) in _problems(site.desk2)


def test_household_rows_edited_directly(site: Site) -> None:
    with _server(site).begin() as conn:
        for regno in (site.regno2, site.regno3):
            conn.execute(text("UPDATE individuals SET given_lat = 'Somebody' WHERE household_id = "
                              "(SELECT id FROM households WHERE registration_number = :r)"), {"r": regno})
    problems = _problems(site.desk2)
    named = sorted(str(ref) for p, ref in problems if p == "household")
    assert named == sorted([site.regno2, site.regno3]), problems


def test_replaced_authority_is_named_and_grants_nothing(site: Site) -> None:
    """The whole authority rewritten on the server (a new anchor of the editor's own): the desks' pinned
    anchor does not match, every role counts as a clerk's."""
    sk = signing.new_private_key()
    with _server(site).begin() as conn:
        anchor = conn.execute(text("SELECT id, statement FROM site_authority WHERE kind = 'anchor'")).one()
        body = {**json.loads(anchor.statement)["body"], "pub": signing.public_of(sk), "founder": "clerk"}
        conn.execute(text("UPDATE site_authority SET statement = :s WHERE id = :i"),
                     {"s": json.dumps(signing.sign_statement(sk, body)), "i": anchor.id})
        conn.execute(text("UPDATE accounts SET role = 'administrator' WHERE username = 'clerk'"))
        st = account_statement(body["station_id"], "clerk", "administrator", True, None, body["at"])
        conn.execute(text("INSERT INTO site_authority (kind, statement, added_at) VALUES ('account', :s, now())"),
                     {"s": json.dumps(signing.sign_statement(sk, st))})
    clerk = sign_in("clerk", CLERK_PW, site.desk2)
    try:
        assert clerk.actor.role == Role.CLERK
        with clerk.db.reader() as uow:  # the check itself (an administrator is a clerk too now)
            assert [r.problem for r in audit.verify_all(uow) if not r.ok] == ["authority"]
    finally:
        clerk.close()
    admin = sign_in("admin", PASSPHRASE, site.desk3)
    try:
        assert admin.actor.role == Role.CLERK
    finally:
        admin.close()


def test_cli_checks_signatures_on_a_founded_site(site: Site, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("STATION_HOME", str(site.desk3))
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    assert main(["audit", "verify"]) == 0
    assert "hash chain" not in capsys.readouterr().err  # audit.verify.server_unsigned is not said any more
    with _server(site).begin() as conn:
        conn.execute(text("UPDATE accounts SET role = 'administrator' WHERE username = 'clerk'"))
    assert main(["audit", "verify"]) == 1
    assert "clerk" in capsys.readouterr().out


def test_site_of_an_older_version_is_founded_by_its_first_administrator(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A site set up before signed roles (each desk's administrator with a key of its own, nothing on the server):
    the first administrator to sign in founds the authority (trust on first use), the other desks take the
    same key for that administrator, the clerk binds theirs at their next sign-in, and it all verifies."""
    from station.services import trail_site

    url = pg_url()
    assert url
    _reset_pg(url)
    with monkeypatch.context() as older:  # the version before: nothing of the site's authority
        older.setattr(trail_site, "settle", lambda db, home, username, passphrase, role: role)
        older.setattr(trail_site, "adopt_server_key", lambda *a: None)
        older.setattr(trail_site, "adopt_at_join", lambda *a: None)
        older.setattr(trail_site, "after_commit", lambda *a: None)
        older.setattr(trail_site, "load", lambda home, engine: None)
        first = desk_ctx(tmp_path, url, 2)
        accounts.create_account(first, "clerk", Role.CLERK, CLERK_PW)
        add_household(first, with_photo=False)
        first.close()
        second = desk_ctx(tmp_path, url, 3)
        regno3 = add_household(second, with_photo=False).registration_number
        second.close()
    with create_engine(url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM site_authority")).scalar_one() == 0
    admin = sign_in("admin", PASSPHRASE, second.home)  # founds it
    assert admin.actor.role == Role.ADMINISTRATOR
    add_household(admin, with_photo=False)
    admin.close()
    admin = sign_in("admin", PASSPHRASE, first.home)  # takes the founder's key for this desk's entry
    assert admin.actor.role == Role.ADMINISTRATOR
    add_household(admin, with_photo=False)
    admin.close()
    clerk = sign_in("clerk", CLERK_PW, first.home)
    assert clerk.actor.role == Role.CLERK
    add_household(clerk, with_photo=False)
    clerk.close()
    assert _problems(first.home) == [] and _problems(second.home) == []
    with create_engine(url).begin() as conn:
        conn.execute(text("UPDATE accounts SET role = 'administrator' WHERE username = 'clerk'"))
        conn.execute(text("UPDATE individuals SET given_lat = 'Somebody' WHERE household_id = "
                          "(SELECT id FROM households WHERE registration_number = :r)"), {"r": regno3})
    problems = _problems(first.home)
    assert ("role", "clerk") in problems and ("household", regno3) in problems, problems


def test_passphrase_changed_at_one_desk_is_taken_at_the_other(site: Site) -> None:
    """The administrator changes their passphrase at desk 2; desk 3's key-file entry still holds the old one and
    the server's hash the new one, so neither opens desk 3 alone. Typing both once brings desk 3's entry to the
    new passphrase, with the same signing key (everything still verifies)."""
    from station.errors import StationError
    from station.services.site_join import take_new_passphrase

    new = "a new passphrase for the admin"
    ctx = sign_in("admin", PASSPHRASE, site.desk2)
    accounts.change_own_passphrase(ctx, PASSPHRASE, new)
    ctx.close()
    for passphrase in (new, PASSPHRASE):
        with pytest.raises(StationError) as err:
            sign_in("admin", passphrase, site.desk3).close()
        assert err.value.code == "error.bad_credentials"
    with pytest.raises(StationError):
        take_new_passphrase("admin", "not the old one at all", new, site.desk3)
    with pytest.raises(StationError):
        take_new_passphrase("admin", PASSPHRASE, "not the new one at all", site.desk3)
    ctx = take_new_passphrase("admin", PASSPHRASE, new, site.desk3)
    try:
        assert ctx.actor.role == Role.ADMINISTRATOR
        add_household(ctx, with_photo=False)
    finally:
        ctx.close()
    with pytest.raises(StationError):
        sign_in("admin", PASSPHRASE, site.desk3).close()  # the old passphrase opens nothing there any more
    ctx = sign_in("admin", new, site.desk3)
    try:
        with ctx.db.reader() as uow:
            assert [r for r in audit.verify(uow, ctx.actor) if not r.ok] == []
    finally:
        ctx.close()


def test_authority_deleted_on_the_server_is_named_not_founded_again(site: Site) -> None:
    with _server(site).begin() as conn:
        conn.execute(text("DELETE FROM site_authority"))
        conn.execute(text("UPDATE accounts SET role = 'administrator' WHERE username = 'clerk'"))
    clerk = sign_in("clerk", CLERK_PW, site.desk2)
    try:
        assert clerk.actor.role == Role.CLERK
        with clerk.db.reader() as uow:
            assert [r.problem for r in audit.verify_all(uow) if not r.ok] == ["authority"]
    finally:
        clerk.close()
    admin = sign_in("admin", PASSPHRASE, site.desk3)  # the pinned anchor is gone: no new founding
    admin.close()
    with _server(site).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM site_authority")).scalar_one() == 0


def test_desk_set_up_under_an_administrators_name_by_the_server_holder_gets_no_role(site: Site,
                                                                                     tmp_path: Path) -> None:
    """Someone with the server's password sets the administrator's password hash to one of their own and sets
    a new desk up under that name: the site binds another key to the account, so that desk's sign-in is a
    clerk's, and its events are named as not signed by a key the site knows."""
    from argon2 import PasswordHasher

    mine = "the intruder's own passphrase"
    with _server(site).begin() as conn:
        conn.execute(text("UPDATE accounts SET password_hash = :h WHERE username = 'admin'"),
                     {"h": PasswordHasher().hash(mine)})
    home = tmp_path / "desk-4"
    home.mkdir()
    ctx, _ = initialize(site_code="MKH", station_number=4, admin_username="admin", admin_passphrase=mine,
                        home=home, database_url=site.url)
    ctx.close()
    intruder = sign_in("admin", mine, home)
    try:
        assert intruder.actor.role == Role.CLERK
        with pytest.raises(PermissionDenied):
            accounts.create_account(intruder, "mole", Role.ADMINISTRATOR, "mole passphrase 1")
    finally:
        intruder.close()
    clerk = sign_in("clerk", CLERK_PW, site.desk2)  # the check itself, at a desk of the site
    try:
        with clerk.db.reader() as uow:
            problems = [(r.station, r.problem) for r in audit.verify_all(uow) if not r.ok]
    finally:
        clerk.close()
    assert ("MKH-04", "unsigned") in problems, problems


def test_a_demotion_deleted_on_the_server_with_the_role_put_back_is_named(site: Site) -> None:
    """An administrator demoted; then someone with the server's password deletes the demotion's statement
    and puts the role back in the accounts table: the statements and the rows agree again, but the desks
    that saw the demotion remember it (beside their pinned anchor) and the authority proves nothing."""
    admin = sign_in("admin", PASSPHRASE, site.desk2)
    try:
        accounts.create_account(admin, "boss", Role.ADMINISTRATOR, "boss passphrase 42")
        accounts.set_role(admin, "boss", Role.CLERK)
    finally:
        admin.close()
    for home in (site.desk2, site.desk3):  # each desk signs in once after the demotion
        sign_in("admin", PASSPHRASE, home).close()
    with _server(site).begin() as conn:
        rows = conn.execute(text("SELECT id, statement FROM site_authority WHERE kind = 'account' ORDER BY id")).all()
        demotion = [r for r in rows if json.loads(r.statement)["body"].get("username") == "boss"][-1]
        assert json.loads(demotion.statement)["body"]["role"] == "clerk"
        conn.execute(text("DELETE FROM site_authority WHERE id = :i"), {"i": demotion.id})
        conn.execute(text("UPDATE accounts SET role = 'administrator' WHERE username = 'boss'"))
    admin = sign_in("admin", PASSPHRASE, site.desk3)
    try:
        assert admin.actor.role == Role.CLERK  # an authority that proves nothing grants no role
        with admin.db.reader() as uow:
            assert [r.problem for r in audit.verify_all(uow) if not r.ok] == ["authority"]
    finally:
        admin.close()
    boss = sign_in("boss", "boss passphrase 42", site.desk2)
    try:
        assert boss.actor.role == Role.CLERK
        with pytest.raises(PermissionDenied):
            accounts.create_account(boss, "mole", Role.ADMINISTRATOR, "mole passphrase 1")
    finally:
        boss.close()
