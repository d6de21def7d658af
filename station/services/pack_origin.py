"""Packs prove which station wrote them: signed by the exporting account, checked against the enrolled station.

At the station, `pack_signer()` gives the pack writer a function that signs the pack's manifest (which
holds a SHA-256 of every part) with the signed-in account's key and adds the station's authority
statements (its anchor key and the grants that bind the account's key to it), so the office can follow
the signature to the station's anchor without anything else; the signed heads of the station's audit
trail travel with it (kept outside the station's database; a PostgreSQL desk vouches for its site's heads
with its own key), and the office holds the station to them (station/services/pack_trail.py).

At the office, `check()` runs before the import commits: a pack with no signature, a signature that does
not match its contents, or a signer not bound by the station's authority is refused. The station's anchor
key is enrolled once: installed with the office key exchange (`station_identity()` at the station,
`enrol_identity()` at the office) or pinned when the office first accepts one of its packs (the import's
audit event records the pinned fingerprint; `enrol=False` accepts enrolled stations only). A pack from an
enrolled station code with another anchor is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from station.db.rows import MetaRow
from station.db.uow import Database
from station.domain.roles import Actor, Permission
from station.errors import StationError
from station.export.container import ReadState
from station.fsutil import atomic_write_bytes
from station.security import desk_key, signing
from station.security.authority import AuthorityFile, Trust
from station.security.keyring import Keyring
from station.services import audit, trail_guard, trail_site
from station.services.authz import require
from station.settings import station_settings

PIN_PREFIX = "pin:"  # station_meta "pin:<station code>" = "<station id> <anchor public key>"
ORIGIN_FORMAT = 1
IDENTITY_KIND = "registration-station identity"
IDENTITY_FORMAT = 1
_STATION_CODE = re.compile(r"^[A-Z]{2,5}-\d{2}$")
_STATION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
IDENTITY_MAX_BYTES = 4096


def pack_signer(session: Session) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    """The signing function for this session's packs; None on a station with no authority (not signed)."""
    signer = trail_guard.signer_for(session)
    if signer is None:
        return None
    af = AuthorityFile.load(signer.home)
    if af is None:
        return _desk_signer(session, signer.home, signer.station_id)

    def sign(manifest: dict[str, Any]) -> dict[str, Any]:
        fresh = AuthorityFile.load(signer.home) or af  # the newest signed heads of the trail travel too
        authority = {"anchor": fresh.data.get("anchor"), "statements": fresh.data.get("statements", []),
                     "heads": fresh.heads()}
        return {"format": ORIGIN_FORMAT, "station_id": signer.station_id, "authority": authority,
                "by": signer.pub, "sig": signer.sign(signing.canonical(manifest))}

    return sign


def _desk_signer(session: Session, home: Path, station_id: str) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    """A desk of a PostgreSQL site (no authority file): its packs are signed with the desk's own key, its
    anchor travelling in the pack as a laptop station's does (station/security/desk_key.py). A laptop station
    without an authority yet (upgraded, no administrator signed in since) stays unsigned: a desk key now would
    be another anchor than the one its authority will have."""
    bind = session.get_bind()
    if bind is None or bind.dialect.name != "postgresql":
        return None
    sk, anchor = desk_key.desk_authority(home, station_id)

    def sign(manifest: dict[str, Any]) -> dict[str, Any]:
        # The site's heads are signed by its accounts, whose keys the office does not know: the desk vouches
        # for each head the site's authority verified (trail_site.pack_heads) with its own enrolled key.
        heads = {st: signing.sign_statement(sk, head["body"])
                 for st, head in trail_site.pack_heads(home, bind).items()}
        return {"format": ORIGIN_FORMAT, "station_id": station_id,
                "authority": {"anchor": anchor, "statements": [], "heads": heads},
                "by": signing.public_of(sk), "sig": signing.sign(sk, signing.canonical(manifest))}

    return sign


def _authority_of(home: Path) -> AuthorityFile | None:
    """The station's authority file, or on a PostgreSQL desk its own desk key's anchor in the same form."""
    af = AuthorityFile.load(home)
    if af is not None or not station_settings(home).on_server:
        return af
    _sk, anchor = desk_key.desk_authority(home, str(Keyring.load(home).data.get("station_id", "")))
    return AuthorityFile(Path(), {"anchor": anchor, "statements": [], "heads": {}})


def station_identity(home: Path, station_code: str) -> dict[str, str]:
    """What the office enrols for this station (to carry with the office key exchange)."""
    af = _authority_of(home)
    if af is None:
        raise StationError("security.error.no_authority")
    trust = af.trust()
    return {"station": station_code, "station_id": trust.station_id, "anchor": trust.anchor_pub,
            "fingerprint": signing.fingerprint(trust.anchor_pub)}


def write_identity(home: Path, station_code: str, out: Path) -> str:
    """`station export station-key`: the station's public identity (no secret, no person) as a file to carry
    to the office with the office key exchange; returns its fingerprint (to read out over the phone)."""
    identity = station_identity(home, station_code)
    doc = {"kind": IDENTITY_KIND, "format": IDENTITY_FORMAT, **identity}
    atomic_write_bytes(out, (json.dumps(doc, indent=1) + "\n").encode("utf-8"), 0o644)
    return identity["fingerprint"]


def read_identity(path: Path) -> dict[str, str]:
    """A station identity file, checked against its format (StationError security.error.identity_invalid)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(IDENTITY_MAX_BYTES + 1)
        doc = json.loads(raw.decode("utf-8")) if len(raw) <= IDENTITY_MAX_BYTES else None
    except (OSError, ValueError):
        doc = None
    if not isinstance(doc, dict) or doc.get("kind") != IDENTITY_KIND or doc.get("format") != IDENTITY_FORMAT:
        raise StationError("security.error.identity_invalid")
    station, station_id, anchor = doc.get("station"), doc.get("station_id"), doc.get("anchor")
    if not (isinstance(station, str) and _STATION_CODE.match(station) and isinstance(station_id, str)
            and _STATION_ID.match(station_id) and isinstance(anchor, str)):
        raise StationError("security.error.identity_invalid")
    try:
        if len(signing.unb64(anchor)) != 32:
            raise ValueError
    except ValueError:
        raise StationError("security.error.identity_invalid") from None
    if doc.get("fingerprint") not in (None, signing.fingerprint(anchor)):
        raise StationError("security.error.identity_invalid")
    return {"station": station, "station_id": station_id, "anchor": anchor,
            "fingerprint": signing.fingerprint(anchor)}


def enrol_station(db: Database, actor: Actor, identity: dict[str, str]) -> str:
    """(Office, administrators) enrol a station from its identity file before its first pack; audited.
    A station already enrolled with another key is refused (export.error.origin_mismatch)."""
    require(actor, Permission.MANAGE_SETTINGS)
    with db.uow() as uow:
        enrol_identity(uow.session, identity)
        audit.record(uow, actor, "station.enrol", "station", identity["station"],
                     {"fingerprint": identity["fingerprint"]})
    return identity["fingerprint"]


def enrol_identity(session: Session, identity: dict[str, str]) -> None:
    """Install a station's identity at the office (replacing none: an enrolled station keeps its key)."""
    _pin(session, str(identity["station"]), str(identity["station_id"]), str(identity["anchor"]), enrol=True)


def check(session: Session, state: ReadState, *, enrol: bool = True) -> str:
    """Refuse the pack unless signed by an account its station's enrolled authority binds; returns the
    signer's account name. `enrol=True` pins a station seen for the first time."""
    return check_origin(session, state, enrol=enrol)[0]


def check_origin(session: Session, state: ReadState, *, enrol: bool = True) -> tuple[str, Trust]:
    """`check`, with what the pack's authority proves (the keys it binds: the trail heads' signers,
    station/services/pack_trail.py)."""
    origin = state.origin
    station = str(state.header.get("station", ""))
    if not isinstance(origin, dict) or origin.get("format") != ORIGIN_FORMAT:
        raise StationError("export.error.unsigned", station=station)
    by, sig, authority = origin.get("by"), origin.get("sig"), origin.get("authority")
    if not isinstance(by, str) or not isinstance(sig, str) or not isinstance(authority, dict):
        raise StationError("export.error.bad_signature", station=station)
    if state.manifest.get("station") != station or not signing.verify(by, signing.canonical(state.manifest), sig):
        raise StationError("export.error.bad_signature", station=station)
    af = AuthorityFile(Path(), {"statements": authority.get("statements") or [], "heads": {},
                                "anchor": authority.get("anchor")})
    trust = af.trust()
    if not trust.anchor_ok or trust.station_id != origin.get("station_id") or by not in trust.owner:
        raise StationError("export.error.bad_signature", station=station)
    _pin(session, station, trust.station_id, trust.anchor_pub, enrol=enrol)
    return trust.owner[by], trust


def _pin(session: Session, station: str, station_id: str, anchor: str, *, enrol: bool) -> None:
    key = PIN_PREFIX + station
    row = session.get(MetaRow, key)
    value = f"{station_id} {anchor}"
    if row is not None:
        if row.value != value:
            raise StationError("export.error.origin_mismatch", station=station)
        return
    if not enrol:
        raise StationError("export.error.origin_unknown", station=station,
                           fingerprint=signing.fingerprint(anchor))
    session.add(MetaRow(key=key, value=value))


def enrolled(session: Session, station: str) -> str | None:
    """The fingerprint of the anchor enrolled for `station`, if any."""
    row = session.get(MetaRow, PIN_PREFIX + station)
    return signing.fingerprint(row.value.split()[1]) if row is not None and len(row.value.split()) == 2 else None
