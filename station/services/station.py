"""Opening the station: first-run set-up, sign-in (unwrap the database key, migrate, load the account)."""

from __future__ import annotations

import base64
import hmac
import os
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select

from station.db.engine import DB_FILE, sqlcipher_engine, url_engine
from station.db.migrate import upgrade
from station.db.rows import AccountRow, MetaRow, SequenceRow
from station.db.uow import Database, UnitOfWork
from station.domain.regno import SITE_PATTERN
from station.domain.roles import Actor, Role
from station.errors import PermissionDenied, StationError
from station.paths import station_home
from station.security.kdf import KdfParams
from station.security.keyring import RECOVERY_ENTRY, Keyring, new_database_key
from station.services import audit, search_index
from station.settings import StationSettings, save_section, station_settings

# Growing delay after failed sign-ins, then a temporary lock.
FREE_FAILURES = 3
LOCK_AFTER = 8
LOCK_SECONDS = 15 * 60
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
MIN_PASSPHRASE = 10


@dataclass
class StationContext:
    """Everything a signed-in session needs: where, which database, who."""

    home: Path
    settings: StationSettings
    db: Database
    actor: Actor
    # The unwrapped database key, held in memory only for this session: an administrator's session
    # needs it to wrap a copy for a new account. Never written anywhere, never shown in repr().
    db_key: bytes | None = field(default=None, repr=False, compare=False)
    must_change_password: bool = False  # the UI asks for a new passphrase before anything else
    locked: bool = False

    @property
    def station_code(self) -> str:
        return f"{self.settings.site_code}-{self.settings.station_number:02d}"

    def close(self) -> None:
        self.db_key = None
        self.db.dispose()


def validate_username(name: str) -> str:
    name = name.strip().lower()
    if not 2 <= len(name) <= 32 or not set(name) <= USERNAME_CHARS:
        raise StationError("error.username_invalid")
    return name


def validate_passphrase(secret: str) -> None:
    if len(secret) < MIN_PASSPHRASE:
        raise StationError("error.passphrase_too_short", minimum=MIN_PASSPHRASE)


def format_recovery_code(raw: bytes) -> str:
    text = base64.b32encode(raw).decode().rstrip("=")
    return "-".join(text[i : i + 5] for i in range(0, len(text), 5))


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def open_database(home: Path, settings: StationSettings, key: bytes | None) -> Database:
    if settings.database_url:
        engine = url_engine(settings.database_url)
        upgrade(engine)
    else:
        if key is None:
            raise StationError("error.bad_credentials")
        db_path = home / DB_FILE
        engine = sqlcipher_engine(db_path, key)
        upgrade(engine, db_path)
    db = Database(engine)
    try:
        search_index.ensure_current(db)
    except BaseException:
        db.dispose()
        raise
    return db


def initialize(
    *,
    site_code: str,
    station_number: int,
    admin_username: str,
    admin_passphrase: str,
    language: str = "en",
    home: Path | None = None,
    database_url: str = "",
    kdf: KdfParams | None = None,
) -> tuple[StationContext, str]:
    """First-run set-up. Returns the signed-in context and the recovery code for the printed sheet."""
    home = home or station_home()
    site_code = site_code.strip().upper()
    if not SITE_PATTERN.match(site_code):
        raise StationError("error.site_code_invalid")
    if not 1 <= station_number <= 99:
        raise StationError("error.station_number_invalid")
    username = validate_username(admin_username)
    validate_passphrase(admin_passphrase)
    if (home / DB_FILE).exists():
        raise StationError("error.already_set_up")
    station_id = str(uuid.uuid4())
    keyring = Keyring.create(home, station_id)
    db_key = new_database_key()
    recovery_raw = secrets.token_bytes(20)
    recovery_code = format_recovery_code(recovery_raw)
    keyring.wrap(username, admin_passphrase, db_key, kdf)
    keyring.wrap(RECOVERY_ENTRY, normalize_recovery_code(recovery_code), db_key, kdf)
    settings = StationSettings(
        site_code=site_code, station_number=station_number, language=language, database_url=database_url
    )
    try:
        db = open_database(home, settings, db_key)
        actor = Actor(username, Role.ADMINISTRATOR, f"{site_code}-{station_number:02d}")
        _seed(db, actor, station_id, site_code, admin_passphrase if database_url else None)
    except BaseException:
        for suffix in ("", "-wal", "-shm"):  # a half-made set-up can simply be run again
            (home / (DB_FILE + suffix)).unlink(missing_ok=True)
        raise
    keyring.save()  # only once the database exists
    save_section("station", settings, home)
    return StationContext(home, settings, db, actor, db_key=db_key), recovery_code


def _seed(db: Database, actor: Actor, station_id: str, site_code: str, server_passphrase: str | None) -> None:
    username = actor.username
    now = audit.utcnow()
    with db.uow() as uow:
        s = uow.session
        s.add(MetaRow(key="station_id", value=station_id))
        s.add(MetaRow(key="station_code", value=actor.station))
        s.add(SequenceRow(name=f"household:{actor.station}", next_value=1))
        pw_hash = PasswordHasher().hash(server_passphrase) if server_passphrase else None
        s.add(AccountRow(username=username, display_name=username, role=Role.ADMINISTRATOR.value,
                         active=True, password_hash=pw_hash, created_at=now, created_by=username, updated_at=now))
        audit.record(uow, actor, "station.setup", "station", actor.station, {"site": site_code})
        audit.record(uow, actor, "account.create", "account", username, {"role": Role.ADMINISTRATOR.value})


def is_set_up(home: Path | None = None) -> bool:
    home = home or station_home()
    return (home / "keyring.json").exists() or bool(station_settings(home).database_url)


def throttle(keyring: Keyring, username: str) -> None:
    count, last = keyring.failures(username)
    if count >= LOCK_AFTER:
        remaining = LOCK_SECONDS - (time.time() - last)
        if remaining > 0:
            raise StationError("error.account_locked", minutes=max(1, round(remaining / 60)))
    elif count >= FREE_FAILURES:
        delay = min(2 ** (count - FREE_FAILURES), 30)
        wait = delay - (time.time() - last)
        if wait > 0:
            time.sleep(wait)


def sign_in(username: str, passphrase: str, home: Path | None = None) -> StationContext:
    """Unwrap the database key with this account's passphrase, open and migrate the database, load the role."""
    home = home or station_home()
    settings = station_settings(home)
    username = username.strip().lower()
    keyring = Keyring.load(home)
    throttle(keyring, username)
    try:
        key = keyring.unwrap(username, passphrase)
    except StationError:
        keyring.record_failure(username)
        record_failed_signin_later(home, username)
        raise
    db = open_database(home, settings, key)
    try:
        ctx = _load_actor(home, settings, db, username, passphrase, keyring)
    except BaseException:
        db.dispose()
        raise
    ctx.db_key = key
    return ctx



def _active_account(uow: UnitOfWork, username: str, passphrase: str) -> AccountRow:
    """The account row, if it exists and is active; on a server database its password hash is checked too."""
    row = uow.session.scalar(select(AccountRow).where(AccountRow.username == username))
    if row is None or not row.active:
        raise StationError("error.bad_credentials")
    if row.password_hash:
        try:
            PasswordHasher().verify(row.password_hash, passphrase)
        except VerificationError:
            raise StationError("error.bad_credentials") from None
    return row

def _load_actor(
    home: Path, settings: StationSettings, db: Database, username: str, passphrase: str, keyring: Keyring
) -> StationContext:
    station_code = f"{settings.site_code}-{settings.station_number:02d}"
    with db.uow() as uow:
        meta = uow.session.get(MetaRow, "station_id")
        if meta is None or meta.value != keyring.data["station_id"]:
            raise StationError("error.db_not_ours")
        row = _active_account(uow, username, passphrase)
        actor = Actor(username, Role(row.role), station_code)
        must_change = bool(row.must_change_password)
        pending = _pending_failures(home)
        for failed_name, at in pending:
            audit.record(uow, failed_name, "signin.failed", "account", failed_name, {"at": at},
                         station=station_code)
        audit.record(uow, actor, "signin", "account", username)
    _clear_pending_failures(home)
    keyring.clear_failures(username)
    return StationContext(home, settings, db, actor, must_change_password=must_change)


# Screen lock, unlock and sign-out. The lock itself is the window's business; the core records it
# and checks who may unlock: the same person, or a supervisor or administrator (who then takes over).
UNLOCK_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def lock_session(ctx: StationContext, reason: str = "idle") -> None:
    """Record that the screen was locked (reason: idle | shortcut)."""
    ctx.locked = True
    with ctx.db.uow() as uow:
        audit.record(uow, ctx.actor, "session.lock", "account", ctx.actor.username, {"reason": reason})


def verify_passphrase(ctx: StationContext, username: str, passphrase: str) -> Actor:
    """Check `username`'s passphrase against this session (throttled like sign-in); the account's Actor."""
    username = username.strip().lower()
    keyring = Keyring.load(ctx.home)
    throttle(keyring, username)
    try:
        key = keyring.unwrap(username, passphrase)
        if ctx.db_key is not None and not hmac.compare_digest(key, ctx.db_key):
            raise StationError("error.bad_credentials")
        with ctx.db.reader() as uow:
            role = Role(_active_account(uow, username, passphrase).role)
    except StationError:
        keyring.record_failure(username)
        with ctx.db.uow() as uow:
            safe = "".join(ch for ch in username if ch in USERNAME_CHARS)[:32] or "?"
            audit.record(uow, safe, "signin.failed", "account", safe, {"during": "unlock"},
                         station=ctx.station_code)
        raise
    keyring.clear_failures(username)
    return Actor(username, role, ctx.station_code)


def unlock_session(ctx: StationContext, username: str, passphrase: str) -> Actor:
    """Unlock a locked screen. The same person, or a supervisor/administrator who then takes over the session."""
    previous = ctx.actor
    actor = verify_passphrase(ctx, username, passphrase)
    if actor.username != previous.username and actor.role not in UNLOCK_ROLES:
        with ctx.db.uow() as uow:
            audit.record(uow, actor, "session.unlock_denied", "account", previous.username)
        raise PermissionDenied("error.permission_denied", permission="unlock_other_session")
    with ctx.db.uow() as uow:
        audit.record(uow, actor, "session.unlock", "account", actor.username, {"locked_user": previous.username})
    ctx.actor = actor
    ctx.locked = False
    return actor


def sign_out(ctx: StationContext) -> None:
    """Record the sign-out and forget the key."""
    try:
        with ctx.db.uow() as uow:
            audit.record(uow, ctx.actor, "signout", "account", ctx.actor.username)
    finally:
        ctx.close()


# A failed sign-in cannot write to the encrypted database (no key). It is noted in a small file
# holding only the account name and time, and moved into the audit trail at the next sign-in.
_PENDING = "failed-signins.log"


def record_failed_signin_later(home: Path, username: str) -> None:
    safe = "".join(ch for ch in username if ch in USERNAME_CHARS)[:32] or "?"
    with open(home / _PENDING, "a", encoding="utf-8") as fh:
        fh.write(f"{datetime.now().isoformat(timespec='seconds')} {safe}\n")
        fh.flush()
        os.fsync(fh.fileno())


def _pending_failures(home: Path) -> list[tuple[str, str]]:
    path = home / _PENDING
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        at, _, name = line.partition(" ")
        if name:
            out.append((name, at))
    return out


def _clear_pending_failures(home: Path) -> None:
    (home / _PENDING).unlink(missing_ok=True)
