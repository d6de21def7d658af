"""Portraits and document images are sealed with the site key: a dump of the database shows no faces
(issue 15). Checked on the SQLCipher file read with its key and on a real PostgreSQL server (pg_dump)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import sqlcipher3.dbapi2 as sqlcipher
from PIL import Image
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from station.db import sealed
from station.db.engine import DB_FILE
from station.db.migrate import upgrade
from station.db.rows import DocumentRow, PhotoRow
from station.errors import StationError
from station.services.photos import load_portrait, save_portrait
from station.services.registration import register_household
from station.services.station import StationContext, initialize, sign_in
from tests.conftest import PASSPHRASE, _reset_pg, pg_url
from tests.factories import family_of_five

JPEG_MARKER = b"\xff\xd8\xff"


def portrait(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (80, 60, 3), dtype=np.uint8)).save(buf, "JPEG", quality=85)
    data = buf.getvalue()
    assert data.startswith(JPEG_MARKER) and b"JFIF" in data
    return data


def _register_with_images(ctx: StationContext) -> tuple[str, str, bytes, bytes]:
    """A household whose head has a portrait and a scanned document image; (individual, document, both JPEGs)."""
    face, page = portrait(1), portrait(2)
    with ctx.db.uow() as uow:
        view = register_household(uow, ctx.actor, family_of_five())
        head = view.members[0]
        save_portrait(uow, ctx.actor, head.id, face)
        doc = uow.session.scalars(select(DocumentRow).where(DocumentRow.individual_id == head.id)).one()
        doc.image_jpeg = page
        doc_id = doc.id
    return head.id, doc_id, face, page


def _raw(engine: Engine) -> list[bytes]:
    """The image columns as the database holds them (driver SQL: no column type in between)."""
    with engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("SELECT jpeg FROM photos").fetchall()]
        rows += [r[0] for r in conn.exec_driver_sql(
            "SELECT image_jpeg FROM documents WHERE image_jpeg IS NOT NULL").fetchall()]
    return [bytes(r) for r in rows]


def _assert_no_faces(raw: list[bytes]) -> None:
    assert raw
    for value in raw:
        assert sealed.is_sealed(value)
        assert JPEG_MARKER not in value and b"JFIF" not in value


def test_sqlcipher_file_read_with_its_key_holds_no_jpeg(sqlite_ctx: StationContext) -> None:
    ctx = sqlite_ctx
    iid, doc_id, face, page = _register_with_images(ctx)
    _assert_no_faces(_raw(ctx.db.engine))
    assert ctx.db_key is not None
    conn = sqlcipher.connect(str(ctx.home / DB_FILE))  # every value of every table, read with the file's key
    try:
        conn.execute(f"PRAGMA key = \"x'{ctx.db_key.hex()}'\"")
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        blobs = [v for t in tables for row in conn.execute(f'SELECT * FROM "{t}"') for v in row
                 if isinstance(v, bytes)]
    finally:
        conn.close()
    assert "photos" in tables and len(blobs) >= 2
    assert not [b for b in blobs if JPEG_MARKER in b or b"JFIF" in b]
    with ctx.db.reader() as uow:  # every reader still gets the pictures
        assert load_portrait(uow, ctx.actor, iid) == face
        assert uow.session.get(DocumentRow, doc_id).image_jpeg == page  # type: ignore[union-attr]


def test_sealed_images_survive_sign_out_and_in(home: Path, sqlite_ctx: StationContext) -> None:
    iid, _doc, face, _page = _register_with_images(sqlite_ctx)
    sqlite_ctx.close()
    again = sign_in("admin", PASSPHRASE, home)
    try:
        with again.db.reader() as uow:
            assert load_portrait(uow, again.actor, iid) == face
    finally:
        again.close()


def test_two_engines_in_one_process_keep_their_own_keys() -> None:
    a, b = create_engine("sqlite://"), create_engine("sqlite://")
    sealed.attach_key(a, sealed.derive_key(b"a" * 32, sealed.SOURCE_DB_KEY))
    sealed.attach_key(b, sealed.derive_key(b"b" * 32, sealed.SOURCE_DB_KEY))
    value = sealed.seal(a.dialect, b"\xff\xd8\xffface")
    assert sealed.unseal(a.dialect, value) == b"\xff\xd8\xffface"
    with pytest.raises(StationError):
        sealed.unseal(b.dialect, value)  # another station's key does not open it
    assert sealed.seal(create_engine("sqlite://").dialect, b"x") == b"x"  # no key attached: as it is
    assert sealed.unseal(a.dialect, b"\xff\xd8\xffplain") == b"\xff\xd8\xffplain"  # a legacy row reads


def test_revision_0006_seals_rows_written_before_it(sqlite_ctx: StationContext) -> None:
    ctx = sqlite_ctx
    iid, doc_id, face, page = _register_with_images(ctx)
    engine = ctx.db.engine
    with engine.begin() as conn:  # as an older version left them: plain, and the schema at 0005
        conn.execute(text("UPDATE photos SET jpeg = :v WHERE individual_id = :k"), {"v": face, "k": iid})
        conn.execute(text("UPDATE documents SET image_jpeg = :v WHERE id = :k"), {"v": page, "k": doc_id})
        conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    assert all(v.startswith(JPEG_MARKER) for v in _raw(engine))
    with ctx.db.reader() as uow:  # plain rows of an older version still read
        assert load_portrait(uow, ctx.actor, iid) == face
    assert upgrade(engine)
    _assert_no_faces(_raw(engine))
    with ctx.db.reader() as uow:
        assert uow.session.scalar(select(PhotoRow.jpeg).where(PhotoRow.individual_id == iid)) == face
        assert uow.session.get(DocumentRow, doc_id).image_jpeg == page  # type: ignore[union-attr]


@pytest.mark.postgres
def test_postgresql_dump_shows_no_faces(home: Path) -> None:
    url = pg_url()
    assert url
    _reset_pg(url)
    ctx, _code = initialize(site_code="MKH", station_number=2, admin_username="admin",
                            admin_passphrase=PASSPHRASE, home=home, database_url=url)
    try:
        iid, _doc, face, _page = _register_with_images(ctx)
        _assert_no_faces(_raw(ctx.db.engine))
        with ctx.db.reader() as uow:
            assert load_portrait(uow, ctx.actor, iid) == face
    finally:
        ctx.close()
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    plain = make_url(url).set(drivername="postgresql")
    env = dict(os.environ, PGPASSWORD=str(plain.password or ""))
    dump = subprocess.run(
        [pg_dump, "--no-owner", "-h", str(plain.host), "-p", str(plain.port or 5432), "-U", str(plain.username),
         str(plain.database)], env=env, check=True, capture_output=True).stdout
    assert b"COPY public.photos" in dump and b"COPY public.documents" in dump
    assert b"ffd8ff" not in dump.lower() and JPEG_MARKER not in dump  # bytea is dumped in hex
    assert b"JFIF".hex().encode() not in dump.lower()


@pytest.mark.postgres
def test_postgresql_second_desk_reads_the_first_desks_photos(tmp_path: Path) -> None:
    """Desks of one site derive the same site key: a photo taken at desk 2 shows at desk 3."""
    url = pg_url()
    assert url
    _reset_pg(url)
    (tmp_path / "d2").mkdir()
    (tmp_path / "d3").mkdir()
    first, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                          home=tmp_path / "d2", database_url=url)
    try:
        iid, _doc, face, _page = _register_with_images(first)
    finally:
        first.close()
    second, _ = initialize(site_code="MKH", station_number=3, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=tmp_path / "d3", database_url=url)
    try:
        with second.db.reader() as uow:
            assert load_portrait(uow, second.actor, iid) == face
    finally:
        second.close()
