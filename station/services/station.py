"""Opening the station: first-run set-up, sign-in (unwrap the database key, migrate, load the account)."""

from __future__ import annotations

import dataclasses
import secrets
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select

from station import clock
from station.db.engine import DB_FILE, sqlcipher_engine, url_engine
from station.db.migrate import upgrade
from station.db.rows import AccountRow, MetaRow, SequenceRow
from station.db.uow import Database, UnitOfWork
from station.domain.recovery_code import format_recovery_code, normalize_recovery_code
from station.domain.regno import SITE_PATTERN
from station.domain.roles import Actor, Role
from station.errors import StationError
from station.paths import owner_only, station_home
from station.security import db_secret, sealed
from station.security.kdf import KdfParams
from station.security.keyring import RECOVERY_ENTRY, Keyring, new_database_key
from station.security.signin_guard import (  # noqa: F401  (re-exported: recovery, the windows, tests)
    FAILURE_UNSAVED_DELAY,
    FREE_FAILURES,
    LOCK_AFTER,
    LOCK_SECONDS,
    clear_pending_failures,
    pending_failures,
    record_failed_signin_later,
    reserve_attempt,
    throttle,
)
from station.services import audit, full_disk, search_index_background, setup_files, site_join, trail_guard, trail_site
from station.services.full_disk import flush_pending_audit
from station.settings import StationSettings, save_section, seal_plain, station_settings

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
MIN_PASSPHRASE = 10
DEMO_META = "station.demo"  # "1" on a station set up for synthetic (demo) data only (see services.demo)


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
    disk_full: bool = False  # sign-in found the disk full: the UI says so and offers to export
    # audit events that could not be written on a full disk: (action, entity_id, details)
    pending_audit: list[tuple[str, str, dict[str, object]]] = field(default_factory=list)
    # the index rebuilt in the background after an update (the desk starts it; stopped first at close)
    catch_up: search_index_background.CatchUp | None = field(default=None, repr=False, compare=False)

    @property
    def station_code(self) -> str:
        return f"{self.settings.site_code}-{self.settings.station_number:02d}"

    def __post_init__(self) -> None:
        _OPEN[id(self)] = self

    def close(self) -> None:
        if self.catch_up is not None:  # no write after the database is closed
            self.catch_up.stop()
        self.db_key = None
        trail_guard.forget(self.db)  # the session's signing keys go with it (issue 15)
        _OPEN.pop(id(self), None)
        if not any(other.home == self.home for other in list(_OPEN.values())):
            sealed.forget(self.home)  # and the key of the station's sealed files, once no session needs it
        self.db.dispose()


_OPEN: weakref.WeakValueDictionary[int, StationContext] = weakref.WeakValueDictionary()  # sessions not closed


def validate_username(name: str) -> str:
    name = name.strip().lower()
    if not 2 <= len(name) <= 32 or not set(name) <= USERNAME_CHARS:
        raise StationError("error.username_invalid")
    return name


def validate_passphrase(secret: str) -> None:
    if len(secret) < MIN_PASSPHRASE:
        raise StationError("error.passphrase_too_short", minimum=MIN_PASSPHRASE)


def open_database(home: Path, settings: StationSettings, key: bytes | None,
                  progress: Callable[[int, int], None] | None = None) -> Database:
    """Open (and migrate) the records. After an update that changes the name index, a small register's is
    rebuilt here (`progress(done, total)`); a larger one's in the background, by the desk (issue 18)."""
    if settings.database_url:
        # the server password is sealed under the database key, never in settings.json (issue 15)
        engine = url_engine(db_secret.full_url(home, settings.database_url, key))
        site_join.attach_local_site_key(engine, home)  # images sealed under the site's own key (issue 15)
        upgrade(engine, zone=clock.station_zone(home))
        if key is not None:
            _seal_server_password(home, settings, key)
    else:
        if key is None:
            raise StationError("error.bad_credentials")
        db_path = home / DB_FILE
        engine = sqlcipher_engine(db_path, key)
        upgrade(engine, db_path, zone=clock.station_zone(home))
    db = Database(engine)
    try:  # a newer index or person keys are rebuilt in the background (search_index_background.CatchUp)
        search_index_background.prepare(db, progress)
    except BaseException:
        db.dispose()
        raise
    return db


def _seal_server_password(home: Path, settings: StationSettings, key: bytes) -> None:
    """Move a password out of the stored URL into database-secret.json (sealed under the database key)."""
    bare = db_secret.seal_from_settings_url(home, settings.database_url, key)
    if bare is not None:
        save_section("station", dataclasses.replace(settings, database_url=bare), home)


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
    demo: bool = False,
    on_recovery_code: Callable[[str], None] | None = None,
) -> tuple[StationContext, str]:
    """First-run set-up. Returns the signed-in context and the recovery code for the printed sheet.

    All or nothing under a kill (see setup_files): the key file appears, by one rename, only once the
    database and the settings are in place, and an interrupted set-up is cleared when it is run again.
    `on_recovery_code` is called just before that commit (e.g. to save the code to a file), so a station
    never exists whose recovery code was never handed out. `demo=True` marks a station for synthetic data.
    On a site database that another desk already set up, this desk joins it (see `_join`).
    """
    home = home or station_home()
    site_code = site_code.strip().upper()
    if not SITE_PATTERN.match(site_code):
        raise StationError("error.site_code_invalid")
    if not 1 <= station_number <= 99:
        raise StationError("error.station_number_invalid")
    username = validate_username(admin_username)
    validate_passphrase(admin_passphrase)
    if database_url and db_secret.split_password(database_url)[1] is None:
        # the desk opens the server with its password, kept sealed beside the database key (security.db_secret)
        raise StationError("security.error.server_password_missing")
    setup_files.clear_unfinished_setup(home)  # raises already_set_up on a finished station
    settings = StationSettings(site_code=site_code, station_number=station_number, language=language,
                               database_url=database_url, server_site=bool(database_url))
    actor = Actor(username, Role.ADMINISTRATOR, f"{site_code}-{station_number:02d}")
    joined_id = _existing_site(home, settings) if database_url else None
    station_id = joined_id or str(uuid.uuid4())
    keyring = Keyring.create(home, station_id)
    db_key = new_database_key()
    recovery_raw = secrets.token_bytes(20)
    recovery_code = format_recovery_code(recovery_raw)
    keyring.wrap(username, admin_passphrase, db_key, kdf)
    keyring.wrap(RECOVERY_ENTRY, normalize_recovery_code(recovery_code), db_key, kdf)
    keyring.keep_duress_slot()  # a decoy: the entry count does not say whether a duress passphrase is set
    Keyring(home / setup_files.SETUP_KEYRING, keyring.data).save()  # marks everything below as unfinished
    keyring.needs_save = False  # saved just above as the staging file: the key file itself appears at the commit
    db: Database | None = None
    try:
        db = open_database(home, settings, db_key)
        trail_guard.attach(db, home, keyring, username)  # events signed by their actor (issue 15)
        if joined_id:
            site_join.join(db, actor, site_code, admin_passphrase)
        else:
            _seed(db, actor, station_id, site_code, admin_passphrase if database_url else None, demo=demo)
            if not database_url:  # the authority file: roles and the trail signed (trail_guard)
                trail_guard.establish(db, home, keyring, fresh=True)
        if database_url:  # the site's image key: made for a new site, unwrapped by a joining administrator
            site_join.bring_site_key(db, home, username, admin_passphrase, Role.ADMINISTRATOR)
        save_section("station", settings, home)
        _seal_server_password(home, settings, db_key)
        if on_recovery_code is not None:
            on_recovery_code(recovery_code)
        setup_files.commit_setup(home)
    except BaseException:
        if db is not None:
            db.dispose()
        if not setup_files.is_committed(home):
            try:  # a half-made set-up can simply be run again
                setup_files.clear_unfinished_setup(home)
            except (OSError, StationError):
                pass  # cleared at the next attempt
        raise
    setup_files.ensure_reserve(home)
    owner_only(home)
    if database_url:  # this desk's recovery sheet bound by the site's authority (issue 15)
        trail_site.bind_after_setup(db, home, actor.station)
    return StationContext(home, settings, db, actor, db_key=db_key), recovery_code


def _existing_site(home: Path, settings: StationSettings) -> str | None:
    db = open_database(home, settings, None)
    try:
        return site_join.existing_station_id(db)
    finally:
        db.dispose()


def _seed(
    db: Database, actor: Actor, station_id: str, site_code: str, server_passphrase: str | None, *, demo: bool = False
) -> None:
    username = actor.username
    now = audit.utcnow()
    with db.uow() as uow:
        s = uow.session
        s.add(MetaRow(key="station_id", value=station_id))
        if demo:
            s.add(MetaRow(key=DEMO_META, value="1"))
        s.add(MetaRow(key="station_code", value=actor.station))
        s.add(SequenceRow(name=f"household:{actor.station}", next_value=1))
        pw_hash = PasswordHasher().hash(server_passphrase) if server_passphrase else None
        s.add(AccountRow(username=username, display_name=username, role=Role.ADMINISTRATOR.value,
                         active=True, password_hash=pw_hash, created_at=now, created_by=username, updated_at=now))
        audit.record(uow, actor, "station.setup", "station", actor.station, {"site": site_code})
        audit.record(uow, actor, "account.create", "account", username, {"role": Role.ADMINISTRATOR.value})


def is_set_up(home: Path | None = None) -> bool:
    """Set-up finished: the key file exists (its rename is set-up's last step, see setup_files)."""
    return setup_files.is_committed(home or station_home())


def sign_in(username: str, passphrase: str, home: Path | None = None,
            progress: Callable[[int, int], None] | None = None) -> StationContext:
    """Unwrap the database key with this account's passphrase, open and migrate the database, load the role."""
    home = home or station_home()
    owner_only(home)
    before = station_settings(home)  # before the key is unwrapped: without who and where the station is
    username = username.strip().lower()
    keyring = Keyring.load(home)
    reserve_attempt(keyring, username)
    try:
        key = keyring.unwrap(username, passphrase)
    except StationError:
        from station.services import duress  # tried only after a failure: no cost to ordinary sign-ins

        value = None if before.on_server else duress.duress_value(keyring, passphrase)
        if value is not None:
            return duress.erase_and_open_empty(home, before, username, passphrase, value)
        _note_failure(home, keyring, username)
        raise
    settings = unsealed_settings(home)
    released = full_disk.make_room(home)
    db = open_database(home, settings, key, progress)
    trail_guard.attach(db, home, keyring, username, passphrase)  # the sign-in event is signed too
    try:
        ctx = _load_actor(home, settings, db, username, passphrase, keyring)
        if settings.database_url:  # the site's image key, from this desk's sealed copy or the account's
            site_join.bring_site_key(db, home, username, passphrase, ctx.actor.role)
        # the role counts only with an administrator's signed grant (issue 15)
        ctx.actor = Actor(username, trail_guard.begin_session(db, home, keyring, username, ctx.actor.role,
                                                             migrate=not settings.database_url),
                          ctx.station_code)
    except BaseException:
        db.dispose()
        raise
    ctx.db_key = key
    ctx.disk_full = ctx.disk_full or released
    return ctx


def unsealed_settings(home: Path) -> StationSettings:
    """The station's settings with who and where it is (sealed, issue 15), once a key was unwrapped in this
    process. What an older version left in settings.json (site code, desk number, server address) is moved
    into the sealed identity file now, and settings.json rewritten without it."""
    settings = station_settings(home)
    if settings.database_url and not settings.server_site:  # the plain "server site" flag, for before sign-in
        settings = dataclasses.replace(settings, server_site=True)
        try:
            save_section("station", settings, home)  # the flag and the sealed identity in one go
        except OSError:
            pass  # a full disk: done at the next sign-in with room to write
    try:
        seal_plain(home)
    except OSError:
        pass
    return settings


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
    with db.reader() as uow:
        meta = uow.session.get(MetaRow, "station_id")
        if meta is None or meta.value != keyring.data["station_id"]:
            raise StationError("error.db_not_ours")
        row = _active_account(uow, username, passphrase)
        actor = Actor(username, Role(row.role), station_code)
        must_change = bool(row.must_change_password)
    ctx = StationContext(home, settings, db, actor, must_change_password=must_change)
    if full_disk.record_signin(ctx, pending_failures(home)):
        try:
            clear_pending_failures(home)
        except OSError:
            pass
    try:
        keyring.clear_failures(username)
    except OSError:
        pass  # a full disk: the counter is cleared at the next sign-in with room to write
    return ctx


def _note_failure(home: Path, keyring: Keyring, username: str) -> None:
    """Note a failed sign-in (already counted by `reserve_attempt`) for the audit trail."""
    try:
        record_failed_signin_later(home, username)
    except OSError:
        time.sleep(FAILURE_UNSAVED_DELAY)


def sign_out(ctx: StationContext) -> None:
    """Record the sign-out and forget the key."""
    try:
        flush_pending_audit(ctx)
        with ctx.db.uow() as uow:
            audit.record(uow, ctx.actor, "signout", "account", ctx.actor.username)
    finally:
        ctx.close()


# Screen lock and unlock (station.services.session_lock), where the windows and tests have always found them.
from station.services.session_lock import UNLOCK_ROLES as UNLOCK_ROLES  # noqa: E402 (it imports this module lazily)
from station.services.session_lock import lock_session as lock_session  # noqa: E402
from station.services.session_lock import unlock_session as unlock_session  # noqa: E402
from station.services.session_lock import verify_passphrase as verify_passphrase  # noqa: E402
