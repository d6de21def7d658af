"""Accounts: each has its own key copy; revoking removes it; passphrase changes and resets; lock/unlock."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from station.db.rows import AuditEventRow
from station.domain.roles import Role
from station.errors import PermissionDenied, StationError
from station.security.keyring import KEYRING_FILE, RECOVERY_ENTRY, Keyring
from station.services import accounts, audit
from station.services import station as st
from station.services.station import StationContext

CLERK_PW = "clerk passphrase one"
NEW_PW = "a brand new passphrase"


def _actions(ctx: StationContext) -> list[tuple[str, str, str]]:
    with ctx.db.reader() as uow:
        rows = uow.session.execute(
            select(AuditEventRow.actor, AuditEventRow.action, AuditEventRow.entity_id).order_by(AuditEventRow.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _signin_fails(home: Path, user: str, pw: str) -> str:
    with pytest.raises(StationError) as err:
        st.sign_in(user, pw, home)
    return err.value.code


def test_created_account_signs_in_with_its_own_key(ctx: StationContext, home: Path) -> None:
    view = accounts.create_account(ctx, "Sara.K", Role.CLERK, CLERK_PW, "Sara K.")
    assert (view.username, view.role, view.active, view.has_key) == ("sara.k", Role.CLERK, True, True)
    ring = Keyring.load(home)
    assert set(ring.entries) == {"admin", "sara.k", RECOVERY_ENTRY}
    assert ring.unwrap("sara.k", CLERK_PW) == ctx.db_key
    other = st.sign_in("sara.k", CLERK_PW, home)
    try:
        assert other.actor.role is Role.CLERK and other.db_key == ctx.db_key
        with pytest.raises(PermissionDenied):
            accounts.list_accounts(other)  # a clerk's call to an administrator service fails
    finally:
        other.close()
    assert ("admin", "account.create", "sara.k") in _actions(ctx)
    assert [a.username for a in accounts.list_accounts(ctx)] == ["admin", "sara.k"]


def test_duplicate_and_invalid_accounts(sqlite_ctx: StationContext) -> None:
    ctx = sqlite_ctx
    accounts.create_account(ctx, "sara", Role.CLERK, CLERK_PW)
    for args, code in ((("sara", Role.CLERK, CLERK_PW), "accounts.error.exists"),
                       (("x y", Role.CLERK, CLERK_PW), "error.username_invalid"),
                       (("__recovery__", Role.CLERK, CLERK_PW), "error.username_invalid"),
                       (("omar", Role.CLERK, "short"), "error.passphrase_too_short")):
        with pytest.raises(StationError) as err:
            accounts.create_account(ctx, *args)  # type: ignore[arg-type]
        assert err.value.code == code


def test_deactivate_revokes_and_reactivate_restores(ctx: StationContext, home: Path) -> None:
    accounts.create_account(ctx, "sara", Role.CLERK, CLERK_PW)
    accounts.deactivate_account(ctx, "sara")
    assert not Keyring.load(home).has("sara")
    assert _signin_fails(home, "sara", CLERK_PW) == "error.bad_credentials"
    (view,) = [a for a in accounts.list_accounts(ctx) if a.username == "sara"]
    assert not view.active and not view.has_key
    accounts.reactivate_account(ctx, "sara", NEW_PW)
    st.sign_in("sara", NEW_PW, home).close()
    accounts.deactivate_account(ctx, "sara", remove=True)
    assert [a.username for a in accounts.list_accounts(ctx)] == ["admin"]
    assert _signin_fails(home, "sara", NEW_PW) == "error.bad_credentials"
    acts = [a for _, a, e in _actions(ctx) if e == "sara" and a.startswith("account.")]
    assert acts[-3:] == ["account.deactivate", "account.reactivate", "account.remove"]


def test_revoked_key_copy_is_gone_even_from_an_old_key_file(sqlite_ctx: StationContext, home: Path) -> None:
    """A copied old key file still holds the old entry: the database row refuses the inactive account."""
    ctx = sqlite_ctx
    accounts.create_account(ctx, "sara", Role.CLERK, CLERK_PW)
    old_ring = (home / KEYRING_FILE).read_bytes()
    accounts.deactivate_account(ctx, "sara")
    (home / KEYRING_FILE).write_bytes(old_ring)
    assert _signin_fails(home, "sara", CLERK_PW) == "error.bad_credentials"


def test_last_administrator_and_self_are_protected(sqlite_ctx: StationContext) -> None:
    ctx = sqlite_ctx
    with pytest.raises(StationError) as err:
        accounts.set_role(ctx, "admin", Role.CLERK)
    assert err.value.code == "accounts.error.last_admin"
    with pytest.raises(StationError) as err:
        accounts.deactivate_account(ctx, "admin")
    assert err.value.code == "accounts.error.not_yourself"
    accounts.create_account(ctx, "boss", Role.ADMINISTRATOR, CLERK_PW)
    accounts.set_role(ctx, "admin", Role.SUPERVISOR)  # now allowed: another administrator remains
    assert ("admin", "account.role", "admin") in _actions(ctx)


def test_role_change_applies_at_next_sign_in(sqlite_ctx: StationContext, home: Path) -> None:
    accounts.create_account(sqlite_ctx, "sara", Role.CLERK, CLERK_PW)
    accounts.set_role(sqlite_ctx, "sara", Role.SUPERVISOR)
    other = st.sign_in("sara", CLERK_PW, home)
    assert other.actor.role is Role.SUPERVISOR
    other.close()
    with sqlite_ctx.db.reader() as uow:
        ev = audit.browse(uow, sqlite_ctx.actor, audit.AuditFilter(action="account.role")).events[0]
    assert ev.details["changes"] == {"role": ["clerk", "supervisor"]}


def test_change_own_passphrase(ctx: StationContext, home: Path) -> None:
    accounts.create_account(ctx, "sara", Role.CLERK, CLERK_PW)
    me = st.sign_in("sara", CLERK_PW, home)
    try:
        with pytest.raises(StationError) as err:
            accounts.change_own_passphrase(me, "not my passphrase", NEW_PW)
        assert err.value.code == "error.bad_credentials"
        accounts.change_own_passphrase(me, CLERK_PW, NEW_PW)
    finally:
        me.close()
    assert _signin_fails(home, "sara", CLERK_PW) == "error.bad_credentials"
    st.sign_in("sara", NEW_PW, home).close()
    assert ("sara", "account.change_passphrase", "sara") in _actions(ctx)


def test_admin_reset_with_must_change(ctx: StationContext, home: Path) -> None:
    accounts.create_account(ctx, "sara", Role.CLERK, CLERK_PW)
    accounts.reset_passphrase(ctx, "sara", "temporary passphrase", must_change=True)
    assert _signin_fails(home, "sara", CLERK_PW) == "error.bad_credentials"
    me = st.sign_in("sara", "temporary passphrase", home)
    assert me.must_change_password
    accounts.change_own_passphrase(me, "temporary passphrase", NEW_PW)
    assert not me.must_change_password
    me.close()
    me = st.sign_in("sara", NEW_PW, home)
    assert not me.must_change_password
    me.close()


def test_no_passphrase_in_audit_or_key_file(sqlite_ctx: StationContext, home: Path) -> None:
    accounts.create_account(sqlite_ctx, "sara", Role.CLERK, CLERK_PW)
    accounts.reset_passphrase(sqlite_ctx, "sara", NEW_PW)
    ring = (home / KEYRING_FILE).read_text()
    assert CLERK_PW not in ring and NEW_PW not in ring
    with sqlite_ctx.db.reader() as uow:
        page = audit.browse(uow, sqlite_ctx.actor, limit=1000)
    blob = repr(page)
    assert CLERK_PW not in blob and NEW_PW not in blob
    assert "db_key" not in repr(sqlite_ctx) and sqlite_ctx.db_key is not None


def test_lock_and_unlock_by_same_person_or_supervisor(sqlite_ctx: StationContext, home: Path) -> None:
    ctx = sqlite_ctx
    accounts.create_account(ctx, "sara", Role.CLERK, CLERK_PW)
    accounts.create_account(ctx, "omar", Role.CLERK, "omar passphrase 1")
    accounts.create_account(ctx, "lead", Role.SUPERVISOR, "lead passphrase 1")
    clerk = st.sign_in("sara", CLERK_PW, home)
    try:
        st.lock_session(clerk, "idle")
        assert clerk.locked
        with pytest.raises(StationError):
            st.unlock_session(clerk, "sara", "wrong passphrase!")
        with pytest.raises(PermissionDenied):
            st.unlock_session(clerk, "omar", "omar passphrase 1")  # another clerk may not take over
        assert clerk.locked and clerk.actor.username == "sara"
        assert st.unlock_session(clerk, "sara", CLERK_PW).username == "sara"
        st.lock_session(clerk, "shortcut")
        actor = st.unlock_session(clerk, "lead", "lead passphrase 1")
        assert actor.role is Role.SUPERVISOR and clerk.actor == actor and not clerk.locked
        st.sign_out(clerk)
        assert clerk.db_key is None
    finally:
        clerk.close()
    acts = [(a, b) for a, b, _ in _actions(ctx) if b.startswith(("session.", "signin", "signout"))]
    assert acts[-8:] == [
        ("sara", "signin"), ("sara", "session.lock"), ("sara", "signin.failed"), ("omar", "session.unlock_denied"),
        ("sara", "session.unlock"), ("sara", "session.lock"), ("lead", "session.unlock"), ("lead", "signout")]


def test_clear_lockout(sqlite_ctx: StationContext, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts.create_account(sqlite_ctx, "sara", Role.CLERK, CLERK_PW)
    monkeypatch.setattr(st.time, "sleep", lambda s: None)
    for _ in range(st.LOCK_AFTER):
        _signin_fails(home, "sara", "nope nope nope")
    assert _signin_fails(home, "sara", CLERK_PW) == "error.account_locked"
    (view,) = [a for a in accounts.list_accounts(sqlite_ctx) if a.username == "sara"]
    assert view.locked_failures == st.LOCK_AFTER
    accounts.clear_lockout(sqlite_ctx, "sara")
    st.sign_in("sara", CLERK_PW, home).close()
