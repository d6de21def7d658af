"""Recovery: open the station with the code from the printed recovery sheet and set a new administrator.

The sheet's code unwraps the key-file entry `__recovery__` (made at set-up). Using it is throttled like
a sign-in, audited, and ends with an administrator account holding a fresh passphrase. Its key signs the
`recovery.used` event and grants the account its role: the station's authority binds it (on a PostgreSQL
site each desk's sheet, bound by the site's authority: trail_site.bind_desk_recovery). An
administrator can also issue a new code (the old sheet stops working) with `rotate_recovery_code`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from station.db.rows import AccountRow, MetaRow
from station.domain.recovery_code import format_recovery_code, normalize_recovery_code
from station.domain.roles import Actor, Permission, Role
from station.errors import StationError
from station.paths import station_home
from station.security.keyring import RECOVERY_ENTRY, Keyring
from station.security.signin_guard import record_failed_signin_later, reserve_attempt
from station.services import audit, trail_guard, trail_site
from station.services.authz import require
from station.services.station import (
    StationContext,
    open_database,
    unsealed_settings,
    validate_passphrase,
    validate_username,
)

RECOVERY_CODE_BYTES = 20  # 160 bits: 32 base32 characters in groups of five


def new_recovery_code() -> str:
    return format_recovery_code(secrets.token_bytes(RECOVERY_CODE_BYTES))


def recover(code: str, username: str, new_passphrase: str, home: Path | None = None) -> StationContext:
    """Unlock with the recovery code; (re)create `username` as an administrator with `new_passphrase`."""
    home = home or station_home()
    username = validate_username(username)
    if username == RECOVERY_ENTRY:
        raise StationError("error.username_invalid")
    validate_passphrase(new_passphrase)
    keyring = Keyring.load(home)
    reserve_attempt(keyring, RECOVERY_ENTRY)  # counted before the derivation, under the lock (issue 15)
    try:
        key = keyring.unwrap(RECOVERY_ENTRY, normalize_recovery_code(code))
    except StationError:
        record_failed_signin_later(home, RECOVERY_ENTRY)
        raise StationError("accounts.error.recovery_code_wrong") from None
    settings = unsealed_settings(home)  # who and where the station is: sealed until a key is unwrapped
    db = open_database(home, settings, key)
    trail_guard.attach(db, home, keyring, RECOVERY_ENTRY)  # the recovery key signs what recovery writes
    try:
        station_code = f"{settings.site_code}-{settings.station_number:02d}"
        actor = Actor(username, Role.ADMINISTRATOR, station_code)
        with db.uow() as uow:
            s = uow.session
            meta = s.get(MetaRow, "station_id")
            if meta is None or meta.value != keyring.data["station_id"]:
                raise StationError("error.db_not_ours")
            row = s.scalar(select(AccountRow).where(AccountRow.username == username))
            now = audit.utcnow()
            created = row is None
            if row is None:
                row = AccountRow(username=username, display_name=username, created_at=now,
                                 created_by=RECOVERY_ENTRY, updated_at=now)
                s.add(row)
            old_role = row.role
            row.role, row.active, row.must_change_password, row.updated_at = Role.ADMINISTRATOR.value, True, False, now
            if settings.database_url:
                from argon2 import PasswordHasher

                row.password_hash = PasswordHasher().hash(new_passphrase)
            s.flush()
            audit.record(uow, actor, "recovery.used", "account", username,
                         {"created": created, "old_role": old_role or ""})
            keyring.wrap(username, new_passphrase, key)
            keyring.forget_failures(RECOVERY_ENTRY)
            keyring.forget_failures(username)
            keyring.save()
            # a site: the account's new signing key on the server too, for its other desks (trail_site)
            trail_site.key_changed(s, keyring, username, new_passphrase, row.password_hash)
        if not settings.database_url:
            trail_guard.after_recovery(db, home, keyring, username)  # grant signed, then sign as the new admin
        else:  # granted by this desk's recovery key, bound by the site (trail_site.bind_desk_recovery)
            trail_guard.attach(db, home, keyring, username)
    except BaseException:
        db.dispose()
        raise
    return StationContext(home, settings, db, actor, db_key=key)


def rotate_recovery_code(ctx: StationContext, on_code: Callable[[str], None] | None = None) -> str:
    """A new recovery code (print a new sheet); the old sheet no longer opens anything. Administrators only.

    `on_code(code)` runs before the new code replaces the old one (write the sheet there): if it fails,
    the old sheet stays valid and nothing is lost.
    """
    require(ctx.actor, Permission.MANAGE_SETTINGS)
    if ctx.db_key is None:
        raise StationError("accounts.error.session_has_no_key")
    code = new_recovery_code()
    keyring = Keyring.load(ctx.home)
    if on_code is not None:
        on_code(code)
    with ctx.db.uow() as uow:
        audit.record(uow, ctx.actor, "recovery.rotate", "station", ctx.station_code)
        keyring.wrap(RECOVERY_ENTRY, normalize_recovery_code(code), ctx.db_key)
        keyring.save()
    return code
