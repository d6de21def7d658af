"""Signatures that hold against someone holding the database key: the signed-in account signs what it writes.

- `attach()` (at sign-in and unlock) puts the account's signing key (from the key file) on the open
  database; from then on every audit event it records carries the actor's signature over the event's
  hash (`audit.record` calls `sign_event`), the station's newest event is signed into the authority file
  after each commit (outside the database), and every household changed in a transaction gets a signed
  digest of its rows at commit ("hstate:<id>" in station_meta).
- Account changes made by an administrator (create, role, deactivate, remove, reactivate, passphrase
  reset, recovery code) are turned into signed grants in the authority file after their commit; a role
  in the database without a matching grant is not honoured (`certified_role`).
- `verify()` names what the hash chain alone cannot see: unsigned or wrongly signed events, events cut
  off the end (signed head), roles without a grant, household rows edited outside the station.

Migration (stations set up before this): the first administrator to sign in creates the authority,
grants every account its current database role and signs every household as it stands (trust on first
use); from that event on, every event must be signed. Other accounts get their signing key at their
next sign-in and bind it to their grant then (`claim`). Until an administrator has signed in once,
roles come from the database as before. On a PostgreSQL site the authority is the site's, on the server
(services/trail_site.py: founded by the site's first administrator; each account signs with one key at every desk).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from station.db.rows import (
    AccountRow,
    AuditEventRow,
    DocumentRow,
    HouseholdRow,
    IndividualRow,
    MetaRow,
    NeedRow,
    PhotoRow,
)
from station.db.uow import Database
from station.domain.roles import Role
from station.errors import StationError
from station.security import signing
from station.security.authority import AuthorityFile, Trust, account_statement
from station.security.keyring import RECOVERY_ENTRY, Keyring
from station.services import trail_site
from station.services.household_state import IN_LIST as _IN
from station.services.household_state import household_digest as household_digest  # trail_verify's
from station.services.household_state import household_digests

log = logging.getLogger(__name__)
STATE_PREFIX = "hstate:"
SIG_PREFIX = "asig:"  # station_meta "asig:<event id>" = "<key fingerprint>:<signature over the event's hash>"
# Events a session may sign for someone else (failed sign-ins are recorded by the next good one).
SIGNED_FOR_OTHERS = frozenset({"signin.failed", "session.unlock_denied"})
_RANK = {Role.CLERK: 0, Role.SUPERVISOR: 1, Role.ADMINISTRATOR: 2}
ACCOUNT_ACTIONS = frozenset({"account.create", "account.role", "account.deactivate", "account.remove",
                             "account.reactivate", "account.reset_passphrase", "account.change_passphrase",
                             "recovery.rotate", "recovery.used"})


@dataclass
class Signer:
    home: Path
    username: str
    sk: bytes
    pub: str
    station_id: str

    def sign(self, data: bytes) -> str:
        return signing.sign(self.sk, data)


_signers: weakref.WeakKeyDictionary[Any, Signer] = weakref.WeakKeyDictionary()


def attach(db: Database, home: Path, keyring: Keyring, username: str, passphrase: str | None = None) -> None:
    """Sign what this database session writes with `username`'s key (unwrapped by `keyring` just before; on a
    site, with `passphrase`, the account's key for every desk: trail_site.adopt_server_key)."""
    if passphrase is not None:
        trail_site.adopt_server_key(db, keyring, username, passphrase)
    sk = keyring.signing_key(username)
    if sk is None:
        return
    if keyring.needs_save:
        keyring.save()
        keyring.needs_save = False
    _signers[db.engine.pool] = Signer(home, username, sk, signing.public_of(sk), str(keyring.data["station_id"]))


def signer_of(db: Database) -> Signer | None:
    return _signers.get(db.engine.pool)


def replace_signer(session: Session, sk: bytes) -> None:
    """Sign with `sk` from now on, as the same account (a joining desk's administrator: their site key)."""
    old = signer_for(session)
    pool = getattr(session.get_bind(), "pool", None)
    if old is not None and pool is not None:
        _signers[pool] = Signer(old.home, old.username, sk, signing.public_of(sk), old.station_id)


def detach(db: Database) -> None:
    _signers.pop(db.engine.pool, None)


def signer_for(session: Session) -> Signer | None:
    bind = session.get_bind()
    return _signers.get(getattr(bind, "pool", None)) if bind is not None else None


def event_signature_data(hash_hex: str) -> bytes:
    return b"audit\x00" + hash_hex.encode()


def sign_event(session: Session, row: AuditEventRow) -> None:
    """Called by audit.record once the row's hash is set (the signature is not part of the hash)."""
    signer = signer_for(session)
    if signer is None:
        return
    session.add(MetaRow(key=SIG_PREFIX + row.event_id,
                        value=f"{signing.fingerprint(signer.pub)}:{signer.sign(event_signature_data(row.hash))}"))
    heads = session.info.setdefault("trail_heads", {})
    heads[row.station] = {"station": row.station, "seq": row.seq, "event_id": row.event_id, "hash": row.hash}
    if row.entity_type in ("account", "station") and row.action in ACCOUNT_ACTIONS:
        session.info.setdefault("trail_accounts", []).append((row.action, row.entity_id, dict(row.details)))


# ---- household state digests (station.services.household_state) ----

def state_data(station_id: str, household_id: str, digest: str, ref: tuple[int, str] | None = None) -> bytes:
    """What a household state's signature covers; `ref` (seq, event id): the station's newest event when it
    was signed, so a trail cut back past it (and the outside heads restored from an old copy) still shows."""
    base = f"hstate\x00{station_id}\x00{household_id}\x00{digest}"
    return (base if ref is None else f"{base}\x00{ref[0]}\x00{ref[1]}").encode()


def newest_event(session: Session) -> tuple[int, str] | None:
    """(seq, event id) of this station's newest event as this session sees it (its own, unflushed ones too)."""
    code = session.get(MetaRow, "station_code")
    if code is None:
        return None
    pending = (session.info.get("trail_heads") or {}).get(code.value)
    if pending is not None:
        return int(pending["seq"]), str(pending["event_id"])
    row = session.execute(select(AuditEventRow.seq, AuditEventRow.event_id)
                          .where(AuditEventRow.station == code.value)
                          .order_by(AuditEventRow.seq.desc()).limit(1)).first()
    return (int(row[0]), str(row[1])) if row is not None else None


def _household_of(s: Session, obj: Any) -> str | None:
    if isinstance(obj, HouseholdRow):
        return obj.id
    if isinstance(obj, IndividualRow):
        return obj.household_id
    if isinstance(obj, DocumentRow | NeedRow | PhotoRow):
        member = s.get(IndividualRow, obj.individual_id)
        return member.household_id if member is not None else None
    return None


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _ctx: Any) -> None:
    if signer_for(session) is None:
        return
    touched = session.info.setdefault("trail_households", set())
    objs = [o for o in (*session.new, *session.dirty, *session.deleted)
            if isinstance(o, HouseholdRow | IndividualRow | DocumentRow | NeedRow | PhotoRow)]
    members = {o.id: o.household_id for o in objs if isinstance(o, IndividualRow)}
    for obj in objs:
        if isinstance(obj, DocumentRow | NeedRow | PhotoRow) and obj.individual_id in members:
            hid: str | None = members[obj.individual_id]
        else:
            hid = _household_of(session, obj)
        if hid:
            touched.add(hid)


def households_written(session: Session, ids: Iterable[str]) -> None:
    """Households written without ORM objects (a pack's bulk inserts): sealed at commit like flushed ones."""
    if signer_for(session) is not None:
        session.info.setdefault("trail_households", set()).update(ids)


def seal_households(session: Session, signer: Signer, ids: set[str] | list[str]) -> None:
    """Sign the digest of each household as stored (a household gone: its state entry goes too)."""
    ids = sorted(set(ids))
    digests = household_digests(session, ids)
    metas: dict[str, MetaRow] = {}
    for chunk in (ids[i:i + _IN] for i in range(0, len(ids), _IN)):
        metas.update((m.key, m) for m in session.scalars(
            select(MetaRow).where(MetaRow.key.in_([STATE_PREFIX + h for h in chunk]))))
    fingerprint = signing.fingerprint(signer.pub)
    ref = newest_event(session)
    tail = f" {ref[0]} {ref[1]}" if ref is not None else ""
    for hid in ids:
        digest, meta = digests.get(hid), metas.get(STATE_PREFIX + hid)
        if digest is None:
            if meta is not None:
                session.delete(meta)
            continue
        value = f"{digest} {fingerprint} {signer.sign(state_data(signer.station_id, hid, digest, ref))}{tail}"
        if meta is None:
            session.add(MetaRow(key=STATE_PREFIX + hid, value=value))
        else:
            meta.value = value


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    signer = signer_for(session)
    touched = session.info.pop("trail_households", None)
    if signer is None or not touched:
        return
    session.flush()
    touched |= session.info.pop("trail_households", set())
    code = session.get(MetaRow, "station_code")
    site, _, number = (code.value if code is not None else "").rpartition("-")
    if not number.isdigit():
        return
    ids, local, present = sorted(touched), set(), set()
    server = trail_site.on_server(session.get_bind())
    for chunk in (ids[i:i + _IN] for i in range(0, len(ids), _IN)):  # merged households of others: theirs
        for hid, hsite, hnumber in session.execute(select(
                HouseholdRow.id, HouseholdRow.site_code, HouseholdRow.station_number,
        ).where(HouseholdRow.id.in_(chunk))):
            present.add(hid)
            if hsite == site and (hnumber == int(number) or server):  # a site's desks share one authority
                local.add(hid)
    seal_households(session, signer, [h for h in ids if h in local or h not in present])
    session.flush()
    session.info.pop("trail_households", None)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    heads = session.info.pop("trail_heads", None)
    accounts = session.info.pop("trail_accounts", None)
    signer = signer_for(session)
    if signer is None or not (heads or accounts):
        return
    try:
        bind = session.get_bind()
        if trail_site.on_server(bind):  # the site's authority on the server (never an authority.json there)
            trail_site.after_commit(signer.home, bind.engine, signer, heads, accounts)
            return
        af = AuthorityFile.load(signer.home)
        if af is None:
            return
        if accounts:
            trail_site.grant(af, signer, accounts)
        if heads:
            af.set_heads({st: signing.sign_statement(signer.sk, body) for st, body in heads.items()})
    except (OSError, StationError, SQLAlchemyError):
        # A full disk (or a key file gone, or the server): the database change is committed; the signed head
        # stays behind (the events are signed one by one all the same) and a grant not written leaves the role
        # unhonoured, which verify names. Never an error after a commit that succeeded.
        log.warning("authority file not updated (disk full, or key file unreadable)")


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    for key in ("trail_heads", "trail_accounts", "trail_households"):
        session.info.pop(key, None)


# ---- sign-in: migration, claims, the role that counts ----

def begin_session(db: Database, home: Path, keyring: Keyring, username: str, db_role: Role, *,
                  migrate: bool = True) -> Role:
    """After sign-in: sign with this account's key, create the authority on an upgraded station (first
    administrator; not on a shared PostgreSQL site), bind a first key to its grant, return the role that counts."""
    attach(db, home, keyring, username)
    signer = _signers.get(db.engine.pool)
    af = trail_site.authority_for(home, db.engine)
    if af is None:
        if migrate and db_role == Role.ADMINISTRATOR and signer is not None and signer.username == username:
            establish(db, home, keyring, fresh=False)
        return db_role
    trust = af.trust()
    cur = trust.current.get(username)
    if signer is not None and cur is not None and cur.get("pub") is None and cur.get("active"):
        from station.services.audit import utcnow

        af.add(signing.sign_statement(signer.sk, account_statement(
            trust.station_id, username, str(cur["role"]), True, signer.pub, utcnow().isoformat(), claim=True)))
        trust = af.trust()
    return trail_site.site_role(trust, username, signer, certified_role(trust, username, db_role))


_remembered: weakref.WeakKeyDictionary[Any, dict[str, Signer]] = weakref.WeakKeyDictionary()


def remember(db: Database, home: Path, keyring: Keyring, username: str, db_role: Role) -> Role:
    """A passphrase checked during a session (unlock): keep that account's key for `switch()`, and return
    the role that counts for it."""
    sk = keyring.signing_key(username)
    if sk is not None:
        if keyring.needs_save:
            keyring.save()
            keyring.needs_save = False
        _remembered.setdefault(db.engine.pool, {})[username] = Signer(
            home, username, sk, signing.public_of(sk), str(keyring.data["station_id"]))
    trust = trust_of(home, db)
    pub = (trust.current.get(username) or {}).get("pub") if trust is not None else None
    wrong_key = pub is not None and (sk is None or signing.public_of(sk) != pub)  # trail_site.site_role
    return Role.CLERK if wrong_key else certified_role(trust, username, db_role)


def switch(db: Database, username: str) -> None:
    """Sign as `username` from now on (after an unlock by someone else, who takes the session over)."""
    signer = _remembered.get(db.engine.pool, {}).pop(username, None)
    if signer is not None:
        _signers[db.engine.pool] = signer


def certified_role(trust: Trust | None, username: str, db_role: Role) -> Role:
    """The database role if an administrator granted it; otherwise the lower of the two (no grant: clerk)."""
    if trust is None:
        return db_role
    cur = trust.current.get(username)
    if not trust.anchor_ok or cur is None or not cur.get("active"):
        return Role.CLERK
    try:
        granted = Role(str(cur.get("role")))
    except ValueError:
        return Role.CLERK
    return db_role if _RANK[db_role] <= _RANK[granted] else granted


def after_recovery(db: Database, home: Path, keyring: Keyring, username: str) -> None:
    """After the recovery code made `username` an administrator (its "recovery.used" event is committed and,
    where the recovery key is an authority, granted): sign as `username` from now on. Where the recovery
    key is no authority (a station upgraded from before signatures whose code was not renewed since), the
    recovered administrator founds a new authority, keeping every grant the old one held."""
    af = AuthorityFile.load(home)
    trust = af.trust() if af is not None else None
    recovery_pub = keyring.public_key(RECOVERY_ENTRY)
    attach(db, home, keyring, username)
    if trust is not None and trust.anchor_ok and recovery_pub in trust.admins:
        return
    establish(db, home, keyring, fresh=False, previous=trust)


def establish(db: Database, home: Path, keyring: Keyring, *, fresh: bool,
              previous: Trust | None = None) -> AuthorityFile | None:
    """Create the authority with the attached signer (an administrator) as founder; grant every account its
    current role (or, with `previous`, the grant it held there) and sign every household as it stands.
    `fresh`: a new station, every event signed from 1."""
    from station.services.audit import utcnow

    signer = _signers.get(db.engine.pool)
    if signer is None:
        return None
    with db.uow() as uow:
        s = uow.session
        signed_from: dict[str, int] = {}
        for station, last in s.execute(select(AuditEventRow.station, func.max(AuditEventRow.seq))
                                       .group_by(AuditEventRow.station)):
            signed_from[station] = 1 if fresh else int(last) + 1
        accounts = s.scalars(select(AccountRow)).all()
        at = utcnow().isoformat()
        recovery_pub = keyring.public_key(RECOVERY_ENTRY) if fresh else None
        af = AuthorityFile.create(home, signer.station_id, signer.username, signer.sk, recovery_pub=recovery_pub,
                                  signed_from=signed_from, at=at)
        for acc in accounts:
            if acc.username == signer.username:
                continue
            pub = keyring.public_key(acc.username) if fresh else None
            role, active = acc.role, bool(acc.active)
            old = previous.current.get(acc.username) if previous is not None and previous.anchor_ok else None
            if old is not None:
                role, active, pub = str(old.get("role")), bool(old.get("active")), old.get("pub")
            elif previous is not None and previous.anchor_ok:
                role = Role.CLERK.value  # no grant in the old authority: the database alone proves nothing
            af.add(signing.sign_statement(signer.sk, account_statement(
                signer.station_id, acc.username, role, active, pub, at)))
        seal_households(s, signer, list(s.scalars(select(HouseholdRow.id))))
    return af


def trust_of(home: Path, db: Database | None = None) -> Trust | None:
    af = trail_site.authority_for(home, db.engine if db is not None else None)
    return af.trust() if af is not None else None


def forget(db: Database) -> None:
    """Drop (and overwrite in place) the signing keys held for this database (emergency erase, sign-out)."""
    from station.security.wipe import wipe

    signer = _signers.pop(db.engine.pool, None)
    if signer is not None:
        wipe(signer.sk)
    for remembered in _remembered.pop(db.engine.pool, {}).values():
        wipe(remembered.sk)
