"""Stations kept from released schemas (tests/data/schemas/<revision>/), and the digest of their records.

Each fixture is a whole station folder (station.db, keyring.json, settings.json) as that release wrote it,
plus `manifest.json`: for every record table, its columns and one SHA-256 per row. A newer build must open
the folder (sign in, migrate) and still hold every one of those rows, byte for byte, in those columns.

Made once, by the code of that release (build() refuses when the code's schema is another one). 0003 was made
from commit 14f6d37 (release 0.1.0, the last before migration 0004), with this file copied in:

    git archive 14f6d37 | tar -x -C /tmp/rel
    mkdir -p /tmp/rel/tests/installer && cp tests/installer/{__init__,schema_fixture}.py /tmp/rel/tests/installer/
    cd /tmp/rel && /work/main/.venv/bin/python -m tests.installer.schema_fixture 0003  # copy tests/data/schemas/0003

`--redigest REV` recomputes a stored fixture's digests (after a change to what counts as a record).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, text

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas"
# Synthetic data only (`station demo`): the passphrases are test fixtures, printed here on purpose.
ADMIN, ADMIN_PASSPHRASE = "admin", "fixture passphrase 0003"
CLERK, CLERK_PASSPHRASE = "clerk1", "clerk fixture passphrase"
# Derived or bookkeeping tables a migration may rebuild: not records.
NOT_RECORDS = frozenset({"alembic_version", "name_tokens"})
# station_meta rows that change as the program runs (chain head, index versions): not records either.
MUTABLE_META = "key NOT LIKE 'audit_head:%' AND key NOT LIKE '%_version'"


def _value(v: Any) -> Any:
    if isinstance(v, bytes | bytearray | memoryview):
        return "b:" + hashlib.sha256(bytes(v)).hexdigest()
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


def row_digest(values: tuple[Any, ...]) -> str:
    return hashlib.sha256(json.dumps([_value(v) for v in values], ensure_ascii=False).encode()).hexdigest()


def table_rows(conn: Connection, table: str, columns: list[str]) -> list[str]:
    """One digest per row over `columns` (read as stored: raw SQL, no ORM conversion; images sealed with the
    site key since revision 0006 are opened first, so a sealed portrait counts as the same row), sorted."""
    from station.db import sealed

    def opened(value: Any) -> Any:
        return sealed.unseal(conn.dialect, bytes(value)) if isinstance(value, bytes | memoryview) else value

    cols = ", ".join(f'"{c}"' for c in columns)
    where = f" WHERE {MUTABLE_META}" if table == "station_meta" else ""
    return sorted(row_digest(tuple(opened(v) for v in r))
                  for r in conn.execute(text(f'SELECT {cols} FROM "{table}"{where}')))


def manifest(conn: Connection) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    insp = inspect(conn)
    for table in sorted(insp.get_table_names()):
        if table in NOT_RECORDS or table.startswith("sqlite_"):
            continue
        columns = [c["name"] for c in insp.get_columns(table)]
        tables[table] = {"columns": columns, "rows": table_rows(conn, table, columns)}
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    return {"revision": revision, "tables": tables}


def _fill(home: Path) -> str:
    """A station with every kind of record the release knew; returns the recovery code."""
    from station.domain.codes import ReliefItem
    from station.domain.roles import Role
    from station.services import accounts, distribution, photos
    from station.services import printing as print_svc
    from station.services.demo import fill
    from station.services.station import initialize, sign_in

    ctx, recovery = initialize(site_code="MKH", station_number=2, admin_username=ADMIN,
                               admin_passphrase=ADMIN_PASSPHRASE, language="ar", home=home)
    ctx.close()
    ctx = sign_in(ADMIN, ADMIN_PASSPHRASE, home)
    fill(ctx.db, ctx.actor, 20, seed=13)
    accounts.create_account(ctx, CLERK, Role.CLERK, CLERK_PASSPHRASE, "Clerk One")
    faces = Path(__file__).resolve().parents[1] / "data" / "faces"
    with ctx.db.uow() as uow:
        ids = [r[0] for r in uow.session.execute(text(
            "SELECT i.id, h.id FROM individuals i JOIN households h ON h.id = i.household_id "
            "ORDER BY h.registration_number, i.id"))]
        households = [r[0] for r in uow.session.execute(text(
            "SELECT id FROM households ORDER BY registration_number"))]
    for individual_id, face in zip(ids[:3], ("astronaut.jpg", "chelsea.jpg", "astronaut.jpg"), strict=True):
        with ctx.db.uow() as uow:
            photos.save_portrait(uow, ctx.actor, individual_id, (faces / face).read_bytes())
    with ctx.db.uow() as uow:
        distribution.open_round(uow, ctx.actor, 1)
    for household_id in households[:5]:
        with ctx.db.uow() as uow:
            distribution.record_handout(uow, ctx.actor, household_id,
                                        {ReliefItem.WATER: 2, ReliefItem.FOOD_PARCEL: 1}, in_round=True)
    with ctx.db.uow() as uow:
        job = print_svc.prepare_cards(uow, ctx.actor, households[:2], kind="card")
        print_svc.record_printed(uow, ctx.actor, job, printer="pdf", job_ref=job.job_id)
    ctx.close()
    return recovery


def build(revision: str) -> Path:
    from station.db.migrate import head_revision
    from station.services.station import sign_in

    assert head_revision() == revision, f"the code's schema is {head_revision()}, not {revision}"
    out = SCHEMAS / revision
    assert not out.exists(), f"{out} exists: a released schema's fixture is never made again"
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        recovery = _fill(home)
        ctx = sign_in(ADMIN, ADMIN_PASSPHRASE, home)
        with ctx.db.engine.connect() as conn:
            data = manifest(conn)
        ctx.close()  # the last connection closing checkpoints the WAL into station.db
        wal = home / "station.db-wal"
        assert not wal.exists() or wal.stat().st_size == 0, "the WAL was not checkpointed"
        out.mkdir(parents=True)
        for name in ("station.db", "keyring.json", "settings.json"):
            shutil.copy2(home / name, out / name)
    import station

    data.update(release=station.__version__, admin=ADMIN, admin_passphrase=ADMIN_PASSPHRASE, clerk=CLERK,
                clerk_passphrase=CLERK_PASSPHRASE, recovery_code=recovery)
    (out / "manifest.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def redigest(revision: str) -> None:
    """Recompute a fixture's row digests from its stored database (after a change to what counts as a record)."""
    from station.db.engine import sqlcipher_engine
    from station.security.keyring import Keyring

    folder = SCHEMAS / revision
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "station.db"
        shutil.copy2(folder / "station.db", db)
        engine = sqlcipher_engine(db, Keyring.load(folder).unwrap(data["admin"], data["admin_passphrase"]))
        with engine.connect() as conn:
            data.update(manifest(conn))
        engine.dispose()
    (folder / "manifest.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--redigest"]:
        redigest(sys.argv[2])
    else:
        print(build(sys.argv[1]))
