"""Signed roles and trail on a PostgreSQL site (issue 15): what trail_guard does with the laptop's authority
file, done with the site's authority on the server (station/security/site_authority.py).

- `authority_for(home, bind)`: the authority that counts for a session: the laptop's file, or on a server
  the site's statements (None until the site is founded). A desk of a site never gets an `authority.json`
  (pack_origin would take it for the desk's enrolled identity).
- At sign-in (`adopt_server_key`, before the sign-in's own event): an account whose server copy of its
  signing key is current (made for its present password hash) and differs from this desk's key-file entry
  takes it into the entry, so it signs with the key the authority binds at every desk. A desk that joins
  does the same for its administrator (`adopt_at_join`).
- After the server checked the passphrase (`settle`): the account's key is copied to the server (wrapped
  under its passphrase) when missing or made for an older password hash; the first administrator to sign in
  on a site without an authority founds it (a new site: every event signed from the first; a site of an older
  version: from each desk's next event, every account granted its present role, every household signed as it
  stands: trust on first use); the desk pins the anchor. Returns the role that counts.
- After each commit (`after_commit`): the desk's signed head goes to the server and to the desk's folder;
  account changes become signed grants on the server.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from station.db.rows import (
    AccountKeyRow,
    AccountRow,
    AuditEventRow,
    HouseholdRow,
    MetaRow,
    SiteAuthorityRow,
    SiteHeadRow,
)
from station.db.uow import Database
from station.domain.roles import Role
from station.errors import StationError
from station.security import signing
from station.security.authority import ADMIN, AuthorityFile, Trust, account_statement
from station.security.keyring import RECOVERY_ENTRY, Keyring, _read
from station.security.site_authority import (
    SiteAuthority,
    adopt_signing_key,
    keep_desk_heads,
    note_statements,
    pin_anchor,
    pinned_anchor,
    unwrap_account_key,
    wrap_account_key,
)

if TYPE_CHECKING:
    from station.services.trail_guard import Signer

log = logging.getLogger(__name__)
FRESH_LIMIT = 50  # a site with more events than this when founded is one of an older version


def on_server(bind: Any) -> bool:
    return bind is not None and bind.dialect.name == "postgresql"


def authority_for(home: Path, bind: Any) -> AuthorityFile | None:
    """The authority of the station whose database `bind` is (an Engine or a Connection)."""
    if not on_server(bind):
        return AuthorityFile.load(home)
    return load(home, bind.engine if hasattr(bind, "engine") else bind)


def load(home: Path, engine: Engine) -> SiteAuthority | None:
    with engine.connect() as conn:
        rows = conn.execute(select(SiteAuthorityRow.kind, SiteAuthorityRow.statement)
                            .order_by(SiteAuthorityRow.id)).all()
        heads = dict(conn.execute(select(SiteHeadRow.station, SiteHeadRow.statement)).all())
    anchor = next((_json(st) for kind, st in rows if kind == "anchor"), None)  # the first; later ones ignored
    if anchor is None and pinned_anchor(home) is None:
        return None  # not founded yet (as far as this desk knows)
    # A desk that pinned an anchor the server no longer has: an authority that proves nothing (every role a
    # clerk's, verify names it), never a site "not founded" that the next administrator would found again.
    statements = [_json(st) for kind, st in rows if kind != "anchor"]
    return SiteAuthority(home, anchor if isinstance(anchor, dict) else {}, statements,
                         {k: _json(v) for k, v in heads.items()},
                         lambda st: _append(engine, st), lambda h: put_heads(engine, h))


def pack_heads(home: Path, bind: Any) -> dict[str, Any]:
    """Every desk's newest signed head, for a pack to carry (the trail's end kept outside the server too)."""
    af = load(home, bind.engine) if on_server(bind) else None
    return af.heads() if af is not None and af.trust().anchor_ok else {}


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _append(engine: Engine, statement: dict[str, Any]) -> None:
    from station.services.audit import utcnow

    kind = str(statement.get("body", {}).get("kind", "account"))
    with engine.begin() as conn:
        conn.execute(SiteAuthorityRow.__table__.insert().values(  # type: ignore[attr-defined]
            kind="recovery" if kind == "recovery" else "account", statement=json.dumps(statement),
            added_at=utcnow()))


def put_heads(engine: Engine, heads: dict[str, dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for station, st in heads.items():
            stmt = pg_insert(SiteHeadRow).values(station=station, statement=json.dumps(st))
            conn.execute(stmt.on_conflict_do_update(index_elements=["station"],
                                                    set_={"statement": stmt.excluded.statement}))


def after_commit(home: Path, engine: Engine, signer: Signer, heads: dict[str, Any] | None,
                 accounts: list[tuple[str, str, dict[str, Any]]] | None) -> None:
    """The signed heads (kept even before the site is founded: a head by a key not bound is ignored) and the
    grants of the account changes just committed."""
    if heads:
        signed = {st: signing.sign_statement(signer.sk, body) for st, body in heads.items()}
        keep_desk_heads(home, signed)
        put_heads(engine, signed)
    if accounts:
        af = load(home, engine)
        if af is not None:
            grant(af, signer, accounts)


def grant(af: AuthorityFile, signer: Signer, changes: list[tuple[str, str, dict[str, Any]]]) -> None:
    """Turn committed account events into signed statements (only an administrator's key can grant)."""
    from station.services.audit import utcnow

    trust = af.trust()
    keyring = Keyring.load(signer.home)
    at = utcnow().isoformat()
    for action, username, details in changes:
        cur = trust.current.get(username) or {}
        role, active, pub = cur.get("role"), bool(cur.get("active", True)), cur.get("pub")
        flags: dict[str, bool] = {}
        if action == "recovery.rotate":
            new = keyring.public_key(RECOVERY_ENTRY)
            if new and signer.pub in trust.admins:
                # on a site each desk has its own sheet: the new one replaces that desk's (`bind_desk_recovery`)
                desk = {"station": username} if isinstance(af, SiteAuthority) else {}
                af.add(signing.sign_statement(signer.sk, {"kind": "recovery", "station_id": trust.station_id,
                                                          "username": RECOVERY_ENTRY, "pub": new, "at": at,
                                                          **desk}))
            continue
        if action == "account.create":
            role, active, pub = str(details.get("role", "")), True, keyring.public_key(username)
        elif action == "account.role":
            role = str((details.get("changes") or {}).get("role", ["", role])[1])
        elif action in ("account.deactivate", "account.remove"):
            active = False
        elif action in ("account.reactivate", "account.reset_passphrase", "recovery.used"):
            active, pub = True, keyring.public_key(username)
            role = ADMIN if action == "recovery.used" else role
        elif action == "account.change_passphrase":
            pub = keyring.public_key(username)
            flags = {"rotate": True}
        if not role:
            continue
        if not flags and signer.pub not in trust.admins:
            continue  # not an administrator's key: no grant (the database change alone is not honoured)
        af.add(signing.sign_statement(signer.sk, account_statement(
            trust.station_id, username, str(role), active, pub, at, **flags)))
        trust = af.trust()


# ---- the account's signing key: one for every desk ----

def adopt_server_key(db: Database, keyring: Keyring, username: str, passphrase: str) -> None:
    """Before the sign-in's first event: take the account's current server copy into this desk's entry when
    the entry holds another key (a desk joined, or the site founded at another desk)."""
    if not on_server(db.engine):
        return
    with db.reader() as uow:
        row = uow.session.get(AccountKeyRow, username)
        acc = uow.session.scalar(select(AccountRow).where(AccountRow.username == username))
        if row is None or acc is None or not acc.password_hash or row.for_hash != acc.password_hash:
            return
        if row.pub == keyring.public_key(username):
            return
        doc = _json(row.wrapped)
    sk = unwrap_account_key(doc, username, passphrase)
    if sk is not None and adopt_signing_key(keyring, username, passphrase, sk):
        keyring.save()
        keyring.needs_save = False


def server_key(s: Session, username: str, passphrase: str, password_hash: str) -> bytes | None:
    """The account's signing key from its server copy, if that copy is current and `passphrase` opens it."""
    row = s.get(AccountKeyRow, username)
    if row is None or row.for_hash != password_hash:
        return None
    return unwrap_account_key(_json(row.wrapped), username, passphrase)


def adopt_at_join(s: Session, home: Path, staged: Path, username: str, passphrase: str,
                  password_hash: str) -> None:
    """A desk joining: its administrator signs with their site key from the join's own event on (the staged
    key file of the set-up is rewritten with it)."""
    from station.services import trail_guard

    row = s.get(AccountKeyRow, username)
    signer = trail_guard.signer_for(s)
    if row is None or signer is None or row.for_hash != password_hash:
        return
    sk = unwrap_account_key(_json(row.wrapped), username, passphrase)
    if sk is None or signing.public_of(sk) == signer.pub:
        return
    if staged.exists():
        ring = Keyring(staged, _read(staged))
        ring._open_names()
        if adopt_signing_key(ring, username, passphrase, sk):
            ring.save()
    trail_guard.replace_signer(s, sk)


def _keep_server_key(s: Session, signer: Signer, acc: AccountRow, passphrase: str) -> None:
    row = s.get(AccountKeyRow, acc.username)
    if row is not None and row.for_hash == acc.password_hash:
        return  # current (of this key, or of another taken at the next sign-in: `adopt_server_key`)
    _put_key(s, row, acc.username, signer.sk, passphrase, acc.password_hash or "")


def _put_key(s: Session, row: AccountKeyRow | None, username: str, sk: bytes, passphrase: str,
             password_hash: str) -> None:
    from station.services.audit import utcnow

    wrapped, pub = json.dumps(wrap_account_key(sk, username, passphrase)), signing.public_of(sk)
    if row is None:
        s.add(AccountKeyRow(username=username, pub=pub, wrapped=wrapped, for_hash=password_hash, updated_at=utcnow()))
    else:
        row.pub, row.wrapped, row.for_hash, row.updated_at = pub, wrapped, password_hash, utcnow()


def key_changed(s: Session, keyring: Keyring, username: str, passphrase: str, password_hash: str | None) -> None:
    """A new passphrase on a site (own change, reset, reactivation; its new signing key is in `keyring`): the
    server's copy is replaced at once, so every desk takes the new key (`adopt_server_key`, `take_new_passphrase`
    of a desk whose entry still holds the previous passphrase)."""
    sk = keyring.signing_key(username)
    if password_hash and sk is not None and on_server(s.get_bind()):
        _put_key(s, s.get(AccountKeyRow, username), username, sk, passphrase, password_hash)


# ---- after the server checked the passphrase: key copy, founding, pin, the role that counts ----

def settle(db: Database, home: Path, username: str, passphrase: str, db_role: Role) -> Role:
    from station.services import trail_guard

    signer = trail_guard.signer_of(db)
    if signer is None or signer.username != username or not on_server(db.engine):
        return db_role
    with db.uow() as uow:
        acc = uow.session.scalar(select(AccountRow).where(AccountRow.username == username))
        if acc is not None and acc.active and acc.password_hash:
            _keep_server_key(uow.session, signer, acc, passphrase)
    af = load(home, db.engine)
    if af is None and db_role == Role.ADMINISTRATOR:
        af = found(db, home, signer) or load(home, db.engine)  # founded here, or at another desk meanwhile
    if af is None:
        return db_role
    trust = af.trust()
    mine = trust.current.get(username) or {}
    if pinned_anchor(home) is None and trust.anchor_ok and mine.get("pub") in (None, signer.pub):
        # trust on first use (set-up, join, or an older desk), and only an authority that binds this account's
        # own key (or none yet): one written by someone else for the occasion is not pinned
        pin_anchor(home, af.anchor_pub())
        af = load(home, db.engine) or af
    bind_desk_recovery(af, signer, _desk_code(home))
    trust = af.trust()  # (verifies every statement: once)
    if trust.anchor_ok and isinstance(af, SiteAuthority):
        note_statements(home, af.statement_digests())  # one deleted on the server later is noticed here
    return site_role(trust, username, signer, trail_guard.certified_role(trust, username, db_role))


def bind_after_setup(db: Database, home: Path, station: str) -> None:
    """A desk just set up (or joined; its key file and settings now in place): its sheet bound at once."""
    from station.services import trail_guard

    signer = trail_guard.signer_of(db)
    if signer is None or not on_server(db.engine):
        return
    try:
        af = load(home, db.engine)
        if af is not None:
            bind_desk_recovery(af, signer, station)
    except (OSError, StationError, SQLAlchemyError):
        log.warning("desk recovery key not bound at set-up (bound at the next administrator's sign-in)")


def _desk_code(home: Path) -> str:
    from station.settings import station_settings

    settings = station_settings(home)  # sealed: read once someone signed in (empty during a set-up)
    return f"{settings.site_code}-{settings.station_number:02d}" if settings.site_code else ""


def bind_desk_recovery(af: AuthorityFile, signer: Signer, station: str) -> None:
    """This desk's recovery key (its printed sheet) bound by the site's authority, signed by the administrator
    signed in here, once per desk: at set-up (station.initialize), or for a desk set up before this, at its
    first administrator's sign-in (trust on first use, as the site's founding). The sheet then works on a site
    as on a laptop: `recovery.used` is signed by a key the authority binds and grants the recovered account
    its role. Later sheets of the desk are bound by `grant` ("recovery.rotate"), each replacing the desk's
    previous one; a key-file entry changed otherwise is never bound."""
    if not station:
        return
    trust = af.trust()
    if not trust.anchor_ok or signer.pub not in trust.admins or station in trust.desk_recovery:
        return
    try:
        pub = Keyring.load(signer.home).public_key(RECOVERY_ENTRY)
    except (OSError, StationError):
        return
    if pub is None or pub in trust.owner:
        return
    from station.services.audit import utcnow

    af.add(signing.sign_statement(signer.sk, {"kind": "recovery", "station_id": trust.station_id, "station": station,
                                              "username": RECOVERY_ENTRY, "pub": pub, "at": utcnow().isoformat()}))


def site_role(trust: Trust, username: str, signer: Signer | None, role: Role) -> Role:
    """A role counts only for the key the authority binds to the account: someone who set an account's
    password hash on the server and set a desk up under its name, or who holds a laptop's database key and
    added a key-file entry under an administrator's name, signs with another key, and is a clerk."""
    pub = (trust.current.get(username) or {}).get("pub")
    if pub is not None and (signer is None or signer.pub != pub):
        return Role.CLERK
    return role


def _fresh(s: Session, signer: Signer) -> bool:
    """Every event of the site signed by the founder (a site just set up)."""
    from station.services.trail_guard import SIG_PREFIX, event_signature_data

    events = s.scalars(select(AuditEventRow).limit(FRESH_LIMIT + 1)).all()
    if len(events) > FRESH_LIMIT:
        return False
    sigs = {m.key[len(SIG_PREFIX):]: m.value for m in s.scalars(
        select(MetaRow).where(MetaRow.key.startswith(SIG_PREFIX)))}
    fp = signing.fingerprint(signer.pub) + ":"
    return all(sigs.get(e.event_id, "").startswith(fp)
               and signing.verify(signer.pub, event_signature_data(e.hash), sigs[e.event_id][len(fp):])
               for e in events)


def found(db: Database, home: Path, signer: Signer) -> SiteAuthority | None:
    """The site's authority, founded by the signed-in administrator (see the module's note)."""
    from station.services.audit import utcnow
    from station.services.trail_guard import seal_households

    with db.uow() as uow:
        s = uow.session
        # Two administrators signing in at two desks at the same moment: each would see no anchor and found
        # one, and the desk whose anchor came second would pin a key every reader ignores. The lock makes
        # the second wait for the first's commit and see its anchor (a mode that conflicts with itself, not
        # with readers).
        s.execute(text(f"LOCK TABLE {SiteAuthorityRow.__tablename__} IN SHARE ROW EXCLUSIVE MODE"))
        if s.scalar(select(SiteAuthorityRow.id).limit(1)) is not None:
            return None  # another desk founded it a moment ago: the caller takes that one
        fresh = _fresh(s, signer)
        newest = {st: int(last) for st, last in s.execute(
            select(AuditEventRow.station, func.max(AuditEventRow.seq)).group_by(AuditEventRow.station))}
        at = utcnow()
        body = {"kind": "anchor", "station_id": signer.station_id, "founder": signer.username, "pub": signer.pub,
                "recovery": None, "signed_from": {st: 1 if fresh else last + 1 for st, last in newest.items()},
                "at": at.isoformat()}
        s.add(SiteAuthorityRow(kind="anchor", statement=json.dumps(signing.sign_statement(signer.sk, body)),
                               added_at=at))
        s.flush()  # one founder: a second anchor row is ignored by every reader
        for acc in s.scalars(select(AccountRow).order_by(AccountRow.username)):
            if acc.username != signer.username:  # its key is bound at its next sign-in (a claim)
                s.add(SiteAuthorityRow(kind="account", added_at=at, statement=json.dumps(signing.sign_statement(
                    signer.sk, account_statement(signer.station_id, acc.username, acc.role, bool(acc.active),
                                                 None, at.isoformat())))))
        seal_households(s, signer, list(s.scalars(select(HouseholdRow.id))))
        heads = {st: {"station": st, "seq": ev.seq, "event_id": ev.event_id, "hash": ev.hash}
                 for st in newest if (ev := s.scalar(select(AuditEventRow).where(
                     AuditEventRow.station == st, AuditEventRow.seq == newest[st]))) is not None}
    pin_anchor(home, signer.pub)
    try:
        after_commit(home, db.engine, signer, heads, None)
    except (OSError, StationError):
        log.warning("site heads not kept at founding")
    return load(home, db.engine)
