"""A second desk joins its site's database (PostgreSQL) instead of setting up a new station in it; the
site's image key reaches each desk (issue 15).

Joining: `station init --database-url` on a new laptop, with the name and passphrase of one of the site's
administrators (checked against the server's password hash, `join`). The site's image key
(station/security/site_key.py) travels the same way: the server holds it only wrapped under each site
administrator's name and passphrase, so the administrator who types them at the joining desk unwraps it
there (`bring_site_key`), and the desk keeps it sealed in its own folder. Nobody with only the server's
password (or a dump) can open it.

Sites set up by an older version sealed their images under a key derived from the server's password. The
first administrator to sign in at one of its desks makes the site key and re-seals every such image under it
(`_reseal_legacy`); until then, and for values a re-seal has not reached, opening tries both keys
(station.db.sealed). A desk of a site that has its key but does not hold it yet (its administrator's copy
was made before a passphrase change, say) writes no image and opens none sealed under the site key until
an administrator whose copy is current signs in there (`security.error.site_key_missing`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Engine, LargeBinary, String, bindparam, column, delete, func, select, update
from sqlalchemy import table as sa_table
from sqlalchemy.orm import Session

from station.db import sealed as image_seal
from station.db.rows import AccountRow, MetaRow, SequenceRow, SiteKeyWrapRow
from station.db.uow import Database
from station.domain.roles import Actor, Role
from station.errors import StationError
from station.security import sealed, site_key
from station.security.keyring import Keyring
from station.security.site_authority import rewrap_entry
from station.services import audit, trail_guard, trail_site
from station.services.setup_files import SETUP_KEYRING

if TYPE_CHECKING:
    from station.services.station import StationContext

SITE_KEY_META = "site_key_id"  # the id (not the key) of the site's image key: a desk never takes another
RESEALED_META = "site_key_resealed"  # images of the older form re-sealed under the site key
_RESEAL_CHUNK = 200  # about 8 MB of portraits at a time


def existing_station_id(db: Database) -> str | None:
    """The station id of a site database that another desk already set up, or None for a new one."""
    with db.reader() as uow:
        meta = uow.session.get(MetaRow, "station_id")
        return meta.value if meta is not None else None


def join(db: Database, actor: Actor, site_code: str, passphrase: str) -> None:
    """Allowed to one of the site's administrators (same name and passphrase as on the server) for a desk
    number nobody has registered with yet; otherwise refused with a message that says how to join."""
    station = actor.station
    with db.uow() as uow:
        s = uow.session
        row = s.scalar(select(AccountRow).where(AccountRow.username == actor.username))
        ok = row is not None and row.active and row.role == Role.ADMINISTRATOR.value and bool(row.password_hash)
        if ok and row is not None and row.password_hash:
            try:
                PasswordHasher().verify(row.password_hash, passphrase)
            except VerificationError:
                ok = False
        if not ok:
            raise StationError("fault.join_needs_admin")
        code = s.get(MetaRow, "station_code")
        if code is not None and not code.value.startswith(site_code + "-"):
            raise StationError("fault.join_other_site", site=code.value.split("-")[0])
        seq = s.get(SequenceRow, f"household:{station}")
        if seq is not None and seq.next_value > 1:
            raise StationError("fault.join_station_taken", station=station)
        if seq is None:
            s.add(SequenceRow(name=f"household:{station}", next_value=1))
        signer = trail_guard.signer_for(s)
        if signer is not None and row is not None:  # the administrator's key for every desk, from this event on
            trail_site.adopt_at_join(s, signer.home, signer.home / SETUP_KEYRING, actor.username, passphrase,
                                     row.password_hash or "")
        audit.record(uow, actor, "station.join", "station", station, {"site": site_code})


# ---- the site's image key (see the module's note) ----

def attach_local_site_key(engine: Engine, home: Path) -> bool:
    """Put this desk's site key (if it holds one and someone signed in) on a newly opened server engine."""
    key = _local_key(home)
    if key is None:
        return False
    image_seal.attach_site_key(engine, key)
    return True


def _local_key(home: Path) -> bytes | None:
    """This desk's sealed copy; None when it has none, nobody signed in, or the copy is damaged (an
    administrator's sign-in brings it again from the server)."""
    if not sealed.is_open(home):
        return None
    try:
        return site_key.load(home)
    except StationError:
        return None


def bring_site_key(db: Database, home: Path, username: str, passphrase: str, role: Role) -> bool:
    """After a checked sign-in (or set-up, or join) at a desk of a server site: hold the site's image key.

    The desk's own sealed copy, else the signed-in account's copy on the server (unwrapped with the passphrase
    just typed), else, for the first administrator of a site that has none yet, a new key. An administrator's
    server copy is (re)made when missing or older than their passphrase, and copies of accounts that are no
    longer active administrators are dropped. Returns whether the engine now holds the key.

    First the signed roles of the site (trail_site.settle: the account's signing key kept on the server, the
    site's authority founded by its first administrator, the anchor pinned): `role` counts as an
    administrator's here only with an administrator's signed grant."""
    role = trail_site.settle(db, home, username, passphrase, role)
    local = _local_key(home)
    made = False
    with db.uow() as uow:
        s = uow.session
        marker = s.get(MetaRow, SITE_KEY_META)
        account = s.scalar(select(AccountRow).where(AccountRow.username == username))
        admin = (role == Role.ADMINISTRATOR and account is not None and account.active
                 and account.role == Role.ADMINISTRATOR.value)
        own = s.get(SiteKeyWrapRow, username)
        if local is not None and marker is not None and marker.value != site_key.key_id(local):
            local = None  # a copy of another key (a set-up that lost a race): the site's comes from the server
        if local is None and own is not None:
            local = site_key.unwrap(_doc(own), username, passphrase)
            if local is not None and marker is not None and marker.value != site_key.key_id(local):
                local = None  # not the key the site names: never taken
            if local is not None:
                site_key.save(home, local)
        if local is None and marker is None and admin:
            local, made = site_key.new_key(), True  # a new site, or one of an older version: its key is made now
        if local is None:
            image_seal.attach_site_key(db.engine, None)  # a desk copy of another key, attached at opening: gone
            if marker is not None:
                image_seal.require_site_key(db.engine)
            return False
        if marker is None:  # a second desk making one at the same moment fails here, before keeping its own
            s.add(MetaRow(key=SITE_KEY_META, value=site_key.key_id(local)))
            s.flush()
        if admin and account is not None and account.password_hash:
            _keep_admin_copies(s, local, account, own, passphrase)
    if made:
        site_key.save(home, local)  # only once the server names it
    image_seal.attach_site_key(db.engine, local)
    if admin and db.engine.dialect.name == "postgresql":
        _reseal_legacy(db)
    return True


def _doc(row: SiteKeyWrapRow) -> object:
    try:
        return json.loads(row.wrapped)
    except ValueError:
        return None


def _keep_admin_copies(s: Session, key: bytes, account: AccountRow, own: SiteKeyWrapRow | None,
                       passphrase: str) -> None:
    ident = site_key.key_id(key)
    current = own is not None and own.for_hash == account.password_hash and \
        isinstance(doc := _doc(own), dict) and doc.get("id") == ident
    if not current:
        wrapped = json.dumps(site_key.wrap(key, account.username, passphrase))
        if own is None:
            s.add(SiteKeyWrapRow(username=account.username, wrapped=wrapped, for_hash=account.password_hash or "",
                                 updated_at=audit.utcnow()))
        else:
            own.wrapped, own.for_hash, own.updated_at = wrapped, account.password_hash or "", audit.utcnow()
    admins = select(AccountRow.username).where(AccountRow.active.is_(True),
                                               AccountRow.role == Role.ADMINISTRATOR.value)
    s.execute(delete(SiteKeyWrapRow).where(SiteKeyWrapRow.username.not_in(admins)))


def _reseal_legacy(db: Database) -> None:
    """Every image still sealed under the password-derived key, sealed again under the site key (once).
    Raw bytes (LargeBinary, not the sealing column type), in chunks, as revision 0006 does."""
    with db.reader() as uow:
        if uow.session.get(MetaRow, RESEALED_META) is not None:
            return
    dialect = db.engine.dialect
    magic = image_seal.MAGIC
    for name, key_name, value_name in (("photos", "individual_id", "jpeg"), ("documents", "id", "image_jpeg")):
        table = sa_table(name, column(key_name, String(36)), column(value_name, LargeBinary()))
        k, v = table.c[key_name], table.c[value_name]
        after = ""
        while True:
            with db.uow() as uow:
                conn = uow.session.connection()
                rows = conn.execute(select(k, v).where(func.substr(v, 1, len(magic)) == magic, k > after)
                                    .order_by(k).limit(_RESEAL_CHUNK)).all()
                if not rows:
                    break
                after = rows[-1][0]
                changes = []
                for key, value in rows:
                    try:
                        changes.append({"k": key, "v": image_seal.reseal(dialect, bytes(value))})
                    except StationError:
                        continue  # a damaged value stays as it is (its reader is told the record is damaged)
                if changes:
                    conn.execute(update(table).where(k == bindparam("k")).values({value_name: bindparam("v")}),
                                 changes)
    with db.uow() as uow:
        uow.session.merge(MetaRow(key=RESEALED_META, value="1"))


# ---- a passphrase changed at another desk ----

def take_new_passphrase(username: str, old_passphrase: str, new_passphrase: str,
                        home: Path | None = None) -> StationContext:
    """Sign in at a desk whose key-file entry still holds the passphrase `username` changed at another desk
    (or an administrator reset there): the previous passphrase opens this desk's entry (only it does: the
    server's own password is sealed under the desk's database key, so nothing the server holds can be read
    before), the server checks the new one against its password hash, and the entry is wrapped again under
    the new one with the account's signing key (the server's current copy, trail_site.key_changed). Any
    account with an entry at this desk, clerks as administrators. StationError('error.bad_credentials')
    when either passphrase is wrong."""
    from station.paths import station_home
    from station.security.signin_guard import reserve_attempt
    from station.services.station import open_database, sign_in, unsealed_settings, validate_passphrase

    home = home or station_home()
    username = username.strip().lower()
    validate_passphrase(new_passphrase)
    keyring = Keyring.load(home)
    reserve_attempt(keyring, username)
    key = keyring.unwrap(username, old_passphrase)
    settings = unsealed_settings(home)
    if not settings.database_url:
        raise StationError("error.bad_credentials")
    db = open_database(home, settings, key)
    try:
        with db.reader() as uow:
            row = uow.session.scalar(select(AccountRow).where(AccountRow.username == username))
            if row is None or not row.active or not row.password_hash:
                raise StationError("error.bad_credentials")
            try:
                PasswordHasher().verify(row.password_hash, new_passphrase)
            except VerificationError:
                raise StationError("error.bad_credentials") from None
            sk = trail_site.server_key(uow.session, username, new_passphrase, row.password_hash)
    finally:
        db.dispose()
    rewrap_entry(keyring, username, new_passphrase, key, sk)
    keyring.forget_failures(username)
    keyring.save()
    return sign_in(username, new_passphrase, home)
