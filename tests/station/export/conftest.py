"""Fixtures for export tests: one office key pair per session, stations in their own homes, helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select

from station.db.rows import (
    AuditEventRow,
    DistributionRow,
    HouseholdRow,
    PhotoRow,
    PrintRecordRow,
)
from station.export.codec import to_meta
from station.export.collect import individual_meta
from station.export.crypto import generate_office_key, load_private_key
from station.services import export as ex
from station.services.station import StationContext, initialize
from tests.conftest import PASSPHRASE

KEY_PASSPHRASE = "office key passphrase"


@dataclass(frozen=True)
class OfficeKeys:
    private_pem: bytes
    public_pem: bytes
    private: X25519PrivateKey
    path: Path


@pytest.fixture(scope="session")
def office_keys(tmp_path_factory: pytest.TempPathFactory) -> OfficeKeys:
    priv, pub = generate_office_key(KEY_PASSPHRASE)
    path = tmp_path_factory.mktemp("office") / "office.key"
    path.write_bytes(priv)
    return OfficeKeys(priv, pub, load_private_key(path, KEY_PASSPHRASE), path)


@pytest.fixture
def make_station(tmp_path: Path, office_keys: OfficeKeys) -> Iterator[Any]:
    """make_station(site, number) -> a signed-in administrator on a fresh SQLCipher station with the key set."""
    made: list[StationContext] = []

    def make(site: str = "MKH", number: int = 2) -> StationContext:
        home = tmp_path / f"home-{site}-{number}"
        home.mkdir()
        ctx, _ = initialize(site_code=site, station_number=number, admin_username="admin",
                            admin_passphrase=PASSPHRASE, home=home)
        ex.set_office_key(ctx.db, ctx.actor, office_keys.public_pem)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def register_dump(ctx: StationContext, *, exclude_station: str | None = None) -> dict[str, Any]:
    """Everything merge touches, as plain data independent of local row ids and import order."""
    with ctx.db.reader() as uow:
        s = uow.session
        households = {}
        for hh in s.scalars(select(HouseholdRow).order_by(HouseholdRow.id)):
            households[hh.id] = (to_meta(hh), [individual_meta(m) for m in hh.members],
                                 sorted((to_meta(d), d.image_jpeg) for m in hh.members for d in m.documents))
        photos = {p.individual_id: (p.taken_at, p.jpeg) for p in s.scalars(select(PhotoRow))}
        prints = sorted(p.id for p in s.scalars(select(PrintRecordRow)))
        dists = sorted((d.id, d.item, d.quantity, d.round_no or 0, d.station)
                       for d in s.scalars(select(DistributionRow)))
        q = select(AuditEventRow).order_by(AuditEventRow.station, AuditEventRow.seq)
        if exclude_station:
            q = q.where(AuditEventRow.station != exclude_station)
        events = [to_meta(e, frozenset({"id"})) for e in s.scalars(q)]
    return {"households": households, "photos": photos, "prints": prints, "dists": dists, "audit": events}


def counts(ctx: StationContext) -> tuple[int, int, int]:
    from sqlalchemy import func

    with ctx.db.reader() as uow:
        s = uow.session
        return (s.scalar(select(func.count()).select_from(HouseholdRow)) or 0,
                s.scalar(select(func.count()).select_from(PhotoRow)) or 0,
                s.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


def jpeg(seed: int, w: int = 60, h: int = 80) -> bytes:
    """A small real JPEG, different for every seed."""
    import io

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    img = Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()
