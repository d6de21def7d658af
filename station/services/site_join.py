"""A second desk joins its site's database (PostgreSQL) instead of setting up a new station in it."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select

from station.db.rows import AccountRow, MetaRow, SequenceRow
from station.db.uow import Database
from station.domain.roles import Actor, Role
from station.errors import StationError
from station.services import audit


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
        audit.record(uow, actor, "station.join", "station", station, {"site": site_code})
