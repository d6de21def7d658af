"""Checking the signatures trail_guard makes: what the hash chain alone cannot see (issue 15).

Unsigned or wrongly signed events since the station began signing, events cut off the end (the head
signed into the authority file), account roles in the database with no administrator's grant, grants
in the authority file that do not verify, and household rows edited outside the station (their signed
digests in station_meta). `audit.verify_all` folds these into its reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.db.rows import AccountRow, AuditEventRow, HouseholdRow, MetaRow
from station.security import signing
from station.security.authority import AuthorityFile, Trust
from station.security.site_authority import SiteAuthority
from station.services import trail_site
from station.services.trail_guard import (
    SIG_PREFIX,
    STATE_PREFIX,
    event_signature_data,
    household_digest,
    signer_for,
    state_data,
)


@dataclass(frozen=True)
class Problem:
    station: str
    problem: str  # unsigned | head_removed | head_changed | role | household | grant | authority
    seq: int | None = None
    ref: str | None = None  # event id, account name or registration number


def verify(s: Session, home: Path | None = None) -> list[Problem]:
    """What the signatures show (empty on a station without an authority yet)."""
    if home is None:
        signer = signer_for(s)
        if signer is None:
            return []
        home = signer.home
    bind = s.get_bind()
    af = trail_site.authority_for(home, bind)
    if af is None:
        return []
    local = str((s.get(MetaRow, "station_code") or MetaRow(value="")).value)
    trust = af.trust()
    if not trust.anchor_ok:
        return [Problem(local, "authority")]
    out = [Problem(local, "grant", ref=name) for name in trust.forged]
    out += _check_roles(s, trust, local)
    if isinstance(af, SiteAuthority):  # a site: every desk's trail, each desk's households
        stations = set(s.scalars(select(AuditEventRow.station).group_by(AuditEventRow.station))) | set(af.heads())
        for station in sorted(stations):
            out += _check_events(s, trust, af, station, every=True)
    else:
        out += _check_events(s, trust, af, local)
    out += _check_households(s, trust, local, site_wide=isinstance(af, SiteAuthority))
    return out


def _check_roles(s: Session, trust: Trust, local: str) -> list[Problem]:
    out = []
    for acc in s.scalars(select(AccountRow).order_by(AccountRow.username)):
        cur = trust.current.get(acc.username)
        if acc.active and (cur is None or cur.get("role") != acc.role or not cur.get("active")):
            out.append(Problem(local, "role", ref=acc.username))
    return out


def event_signer_ok(trust: Trust, row: AuditEventRow, sig: str | None) -> bool:
    if not isinstance(sig, str) or ":" not in sig:
        return False
    fp, _, value = sig.partition(":")
    pub = trust.by_fingerprint(fp)
    if pub is None or not signing.verify(pub, event_signature_data(row.hash), value):
        return False
    # Signed by a key this station's authority bound. The signer is the session's account, which is the
    # actor in every service path (failed sign-ins are signed by the next good one); an event whose actor
    # was edited afterwards no longer matches its signed hash anyway.
    return trust.owner.get(pub) is not None


def _check_events(s: Session, trust: Trust, af: AuthorityFile, local: str, every: bool = False) -> list[Problem]:
    """`every`: a station the authority does not name began after it: all its events must be signed."""
    out: list[Problem] = []
    start = trust.signed_from.get(local, 1 if every else None)
    if start is not None:
        rows = s.scalars(select(AuditEventRow).where(AuditEventRow.station == local, AuditEventRow.seq >= start)
                         .order_by(AuditEventRow.seq))
        sigs = {m.key[len(SIG_PREFIX):]: m.value for m in
                s.scalars(select(MetaRow).where(MetaRow.key.startswith(SIG_PREFIX)))}
        for row in rows:
            if not event_signer_ok(trust, row, sigs.get(row.event_id)):
                out.append(Problem(local, "unsigned", row.seq, row.event_id))
                break
    heads = af.head_candidates(local) if isinstance(af, SiteAuthority) else [af.head(local)]
    for head in sorted((h for h in heads if h is not None and h["by"] in trust.owner),
                       key=lambda h: -int(h["body"].get("seq", 0))):
        body = head["body"]
        hrow = s.scalar(select(AuditEventRow).where(AuditEventRow.station == local,
                                                    AuditEventRow.seq == int(body["seq"])))
        last = s.scalar(select(func.max(AuditEventRow.seq)).where(AuditEventRow.station == local)) or 0
        if hrow is None or last < int(body["seq"]):
            out.append(Problem(local, "head_removed", int(body["seq"]), str(body["event_id"])))
            break
        if hrow.hash != body["hash"] or hrow.event_id != body["event_id"]:
            out.append(Problem(local, "head_changed", hrow.seq, hrow.event_id))
            break
    return out


def _check_households(s: Session, trust: Trust, local: str, site_wide: bool = False) -> list[Problem]:
    out: list[Problem] = []
    site, _, number = local.rpartition("-")
    if not site or not number.isdigit():
        return out
    states = {m.key[len(STATE_PREFIX):]: m.value for m in
              s.scalars(select(MetaRow).where(MetaRow.key.startswith(STATE_PREFIX)))}
    mine = HouseholdRow.site_code == site
    if not site_wide:
        mine = mine & (HouseholdRow.station_number == int(number))
    households = s.execute(select(HouseholdRow.id, HouseholdRow.registration_number).where(mine)
                           .order_by(HouseholdRow.registration_number)).all()
    refs: dict[str, int] = {}  # event id -> seq, as the signed states name them
    for hid, regno in households:
        parts = states.get(hid, "").split()
        ok = False
        ref = (int(parts[3]), parts[4]) if len(parts) == 5 and parts[3].isdigit() else None
        if len(parts) == 3 or ref is not None:
            pub = trust.by_fingerprint(parts[1])
            ok = (pub is not None and household_digest(s, hid) == parts[0]
                  and signing.verify(pub, state_data(trust.station_id, hid, parts[0], ref), parts[2]))
        if not ok:
            out.append(Problem(local, "household", ref=regno))
        elif ref is not None:
            refs[ref[1]] = ref[0]
    return out + _check_state_refs(s, local, refs)


def _check_state_refs(s: Session, local: str, refs: dict[str, int]) -> list[Problem]:
    """Each signed household state names the station's newest event when it was signed: that event must be in
    the chain, at that seq. One missing (the trail cut back past it, and its outside heads restored from an
    old copy) is named as events cut off the end, at the newest such event."""
    found: set[tuple[str, int]] = set()
    ids = sorted(refs)
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        found.update((eid, int(seq)) for eid, seq in s.execute(
            select(AuditEventRow.event_id, AuditEventRow.seq)
            .where(AuditEventRow.station == local, AuditEventRow.event_id.in_(chunk))))
    missing = [(seq, eid) for eid, seq in refs.items() if (eid, seq) not in found]
    if not missing:
        return []
    seq, eid = max(missing)
    return [Problem(local, "head_removed", seq, eid)]
