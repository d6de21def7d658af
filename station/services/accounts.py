"""Accounts: create, list, change role, deactivate or remove (revokes the key), passphrases. All audited.

Each account holds its own copy of the database key in the key file, wrapped under its passphrase;
creating an account needs the key from the administrator's open session (`StationContext.db_key`),
and deactivating or removing an account deletes that copy, so the passphrase no longer opens anything.

Password reset without the administrator ever seeing the new passphrase: the administrator opens the
reset dialog and hands the keyboard to the person, who types their new passphrase twice into masked
fields (`reset_passphrase`). If the person is not present, the administrator may set a temporary
passphrase with `must_change=True`; the person must then choose their own at the next sign-in
(`StationContext.must_change_password`, then `change_own_passphrase`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.db.rows import AccountRow
from station.domain.roles import Permission, Role
from station.errors import NotFound, PermissionDenied, StationError
from station.security.keyring import RECOVERY_ENTRY, Keyring
from station.services import audit, trail_site
from station.services.authz import require
from station.services.station import StationContext, validate_passphrase, validate_username, verify_passphrase


@dataclass(frozen=True)
class AccountView:
    username: str
    display_name: str
    role: Role
    active: bool
    must_change_password: bool
    has_key: bool  # a key-file entry exists (the account can sign in on this laptop)
    locked_failures: int  # failed sign-ins counted since the last good one
    created_at: datetime
    created_by: str
    updated_at: datetime


def _key(ctx: StationContext) -> bytes:
    if ctx.db_key is None:
        raise StationError("accounts.error.session_has_no_key")
    return ctx.db_key


def _row(s: Session, username: str) -> AccountRow:
    row = s.scalar(select(AccountRow).where(AccountRow.username == username))
    if row is None:
        raise NotFound("accounts.error.not_found")
    return row


def _view(row: AccountRow, keyring: Keyring) -> AccountView:
    return AccountView(
        row.username, row.display_name, Role(row.role), bool(row.active), bool(row.must_change_password),
        keyring.has(row.username), keyring.failures(row.username)[0], row.created_at, row.created_by,
        row.updated_at,
    )


def _server_hash(ctx: StationContext, passphrase: str) -> str | None:
    """On a PostgreSQL site the server also checks a password hash (the key file is per laptop)."""
    return PasswordHasher().hash(passphrase) if ctx.settings.database_url else None


def _check_display_name(name: str) -> str:
    name = " ".join(name.split())
    if len(name) > 128:
        raise StationError("accounts.error.display_name_too_long")
    return name


def list_accounts(ctx: StationContext) -> list[AccountView]:
    require(ctx.actor, Permission.MANAGE_ACCOUNTS)
    keyring = Keyring.load(ctx.home)
    with ctx.db.reader() as uow:
        rows = uow.session.scalars(select(AccountRow).order_by(AccountRow.username)).all()
        return [_view(r, keyring) for r in rows]


def create_account(
    ctx: StationContext, username: str, role: Role, passphrase: str, display_name: str = "",
    *, must_change: bool = False,
) -> AccountView:
    """A new account with its own wrapped copy of the database key (administrators only)."""
    require(ctx.actor, Permission.MANAGE_ACCOUNTS)
    username = validate_username(username)
    if username == RECOVERY_ENTRY:
        raise StationError("error.username_invalid")
    validate_passphrase(passphrase)
    role = Role(role)
    display_name = _check_display_name(display_name) or username
    keyring = Keyring.load(ctx.home)
    key = _key(ctx)
    with ctx.db.uow() as uow:
        s = uow.session
        if s.scalar(select(AccountRow).where(AccountRow.username == username)) is not None:
            raise StationError("accounts.error.exists")
        # A key entry with no account row is what a crash between keyring.save() and the commit below
        # leaves: it opens nothing (sign-in also needs the row), so it is simply replaced.
        now = audit.utcnow()
        row = AccountRow(username=username, display_name=display_name, role=role.value, active=True,
                         password_hash=_server_hash(ctx, passphrase), must_change_password=must_change,
                         created_at=now, created_by=ctx.actor.username, updated_at=now)
        s.add(row)
        s.flush()
        audit.record(uow, ctx.actor, "account.create", "account", username,
                     {"role": role.value, "must_change": must_change})
        keyring.wrap(username, passphrase, key)
        trail_site.key_changed(uow.session, keyring, username, passphrase, row.password_hash)
        keyring.save()  # before the commit: a failed commit leaves only a key entry that opens nothing
        return _view(row, keyring)


def _active_admins(s: Session, excluding: str) -> int:
    return int(s.scalar(
        select(func.count()).select_from(AccountRow).where(
            AccountRow.role == Role.ADMINISTRATOR.value, AccountRow.active.is_(True),
            AccountRow.username != excluding)
    ) or 0)


def set_role(ctx: StationContext, username: str, role: Role) -> AccountView:
    require(ctx.actor, Permission.MANAGE_ACCOUNTS)
    role = Role(role)
    keyring = Keyring.load(ctx.home)
    with ctx.db.uow() as uow:
        row = _row(uow.session, username)
        old = row.role
        if old == role.value:
            return _view(row, keyring)
        if old == Role.ADMINISTRATOR.value and _active_admins(uow.session, username) == 0:
            raise StationError("accounts.error.last_admin")
        row.role = role.value
        row.updated_at = audit.utcnow()
        audit.record(uow, ctx.actor, "account.role", "account", username, {"changes": {"role": [old, role.value]}})
        return _view(row, keyring)


def set_display_name(ctx: StationContext, username: str, display_name: str) -> AccountView:
    require(ctx.actor, Permission.MANAGE_ACCOUNTS)
    display_name = _check_display_name(display_name)
    keyring = Keyring.load(ctx.home)
    with ctx.db.uow() as uow:
        row = _row(uow.session, username)
        old = row.display_name
        row.display_name = display_name or row.username
        row.updated_at = audit.utcnow()
        audit.record(uow, ctx.actor, "account.update", "account", username,
                     {"changes": {"display_name": [old, row.display_name]}})
        return _view(row, keyring)


def deactivate_account(ctx: StationContext, username: str, *, remove: bool = False) -> None:
    """Revoke an account: its key copy is deleted, so its passphrase opens nothing any more.

    `remove=False` keeps the row (inactive) so the audit trail keeps a name to point at; `remove=True`
    deletes the row too. Nobody may revoke their own account or the last active administrator.
    """
    require(ctx.actor, Permission.MANAGE_ACCOUNTS)
    if username == ctx.actor.username:
        raise StationError("accounts.error.not_yourself")
    keyring = Keyring.load(ctx.home)
    with ctx.db.uow() as uow:
        row = _row(uow.session, username)
        if row.role == Role.ADMINISTRATOR.value and _active_admins(uow.session, username) == 0:
            raise StationError("accounts.error.last_admin")
        audit.record(uow, ctx.actor, "account.remove" if remove else "account.deactivate", "account", username,
                     {"role": row.role})
        if remove:
            uow.session.delete(row)
        else:
            row.active = False
            row.password_hash = None
            row.updated_at = audit.utcnow()
        uow.session.flush()
        keyring.remove(username)
        keyring.save()


def reactivate_account(ctx: StationContext, username: str, passphrase: str) -> AccountView:
    """Give a deactivated account a new key copy; the person types the new passphrase themselves."""
    require(ctx.actor, Permission.MANAGE_ACCOUNTS)
    validate_passphrase(passphrase)
    keyring = Keyring.load(ctx.home)
    key = _key(ctx)
    with ctx.db.uow() as uow:
        row = _row(uow.session, username)
        row.active = True
        row.password_hash = _server_hash(ctx, passphrase)
        row.must_change_password = False
        row.updated_at = audit.utcnow()
        audit.record(uow, ctx.actor, "account.reactivate", "account", username)
        keyring.wrap(username, passphrase, key)
        trail_site.key_changed(uow.session, keyring, username, passphrase, row.password_hash)
        keyring.save()
        return _view(row, keyring)


def reset_passphrase(ctx: StationContext, username: str, new_passphrase: str, *, must_change: bool = False) -> None:
    """Administrator reset: the new passphrase is typed by its owner (or is temporary with must_change)."""
    require(ctx.actor, Permission.MANAGE_ACCOUNTS)
    validate_passphrase(new_passphrase)
    keyring = Keyring.load(ctx.home)
    key = _key(ctx)
    with ctx.db.uow() as uow:
        row = _row(uow.session, username)
        if not row.active:
            raise StationError("accounts.error.inactive")
        row.password_hash = _server_hash(ctx, new_passphrase)
        row.must_change_password = must_change
        row.updated_at = audit.utcnow()
        audit.record(uow, ctx.actor, "account.reset_passphrase", "account", username, {"must_change": must_change})
        keyring.wrap(username, new_passphrase, key)
        trail_site.key_changed(uow.session, keyring, username, new_passphrase, row.password_hash)
        keyring.forget_failures(username)
        keyring.save()


def change_own_passphrase(ctx: StationContext, old_passphrase: str, new_passphrase: str) -> None:
    """The signed-in person replaces their own passphrase (any role); the old one must be right."""
    username = ctx.actor.username
    validate_passphrase(new_passphrase)
    if new_passphrase == old_passphrase:
        raise StationError("accounts.error.same_passphrase")
    verify_passphrase(ctx, username, old_passphrase)
    keyring = Keyring.load(ctx.home)
    key = _key(ctx)
    with ctx.db.uow() as uow:
        row = _row(uow.session, username)
        row.password_hash = _server_hash(ctx, new_passphrase)
        row.must_change_password = False
        row.updated_at = audit.utcnow()
        audit.record(uow, ctx.actor, "account.change_passphrase", "account", username)
        keyring.wrap(username, new_passphrase, key)
        trail_site.key_changed(uow.session, keyring, username, new_passphrase, row.password_hash)
        keyring.save()
    ctx.must_change_password = False


def clear_lockout(ctx: StationContext, username: str) -> None:
    """Lift the failed-sign-in lock on an account (supervisors and administrators)."""
    if ctx.actor.role == Role.CLERK:
        raise PermissionDenied("error.permission_denied", permission="clear_lockout")
    keyring = Keyring.load(ctx.home)
    count, _ = keyring.failures(username)
    keyring.clear_failures(username)
    with ctx.db.uow() as uow:
        audit.record(uow, ctx.actor, "account.clear_lockout", "account", username, {"failures": count})
