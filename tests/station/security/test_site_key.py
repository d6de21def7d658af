"""A PostgreSQL site's images are sealed under a random site key, not one derived from the server's password
(issue 15): a dump and the password together open no face, a joining desk receives the key from the
administrator who sets it up, and images of an older site stay readable and are re-sealed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from station.db import sealed as image_seal
from station.db.engine import url_engine
from station.db.rows import MetaRow, SiteKeyWrapRow
from station.domain.roles import Role
from station.errors import StationError
from station.security import sealed, site_key
from station.security.signing import b64
from station.services import accounts, site_join
from station.services.photos import load_portrait, save_portrait
from station.services.site_join import RESEALED_META, SITE_KEY_META
from station.services.station import sign_in
from tests.conftest import PASSPHRASE, _reset_pg, pg_url
from tests.pg_site import desk_ctx
from tests.station.db.test_sealed_images import JPEG_MARKER, _raw, _register_with_images, portrait

CLERK_PASSPHRASE = "clerk passphrase 0001"


def _legacy_key(url: str) -> bytes:
    return image_seal.derive_key(str(make_url(url).password).encode(), image_seal.SOURCE_SERVER_PASSWORD)


# ---- without a server: the key's forms ----

def test_wrapped_copy_opens_only_with_its_name_and_passphrase() -> None:
    key = site_key.new_key()
    doc = json.loads(json.dumps(site_key.wrap(key, "admin", PASSPHRASE)))
    assert b64(key) not in json.dumps(doc) and key.hex() not in json.dumps(doc)
    assert doc["id"] == site_key.key_id(key) != site_key.key_id(site_key.new_key())
    assert site_key.unwrap(doc, "admin", PASSPHRASE) == key
    assert site_key.unwrap(doc, "admin", PASSPHRASE + "x") is None
    assert site_key.unwrap(doc, "other", PASSPHRASE) is None  # the name is bound too
    assert site_key.unwrap({"kdf": doc["kdf"]}, "admin", PASSPHRASE) is None


def test_desk_copy_is_sealed_under_the_station_file_key(tmp_path: Path) -> None:
    key = site_key.new_key()
    sealed.open_station(tmp_path, b"d" * 32)
    site_key.save(tmp_path, key)
    stored = (tmp_path / site_key.SITE_KEY_FILE).read_text()
    assert b64(key) not in stored and key.hex() not in stored
    assert site_key.load(tmp_path) == key
    sealed.forget(tmp_path)
    with pytest.raises(StationError):  # nobody signed in: unreadable
        site_key.load(tmp_path)
    sealed.open_station(tmp_path, b"e" * 32)  # another station's file key
    with pytest.raises(StationError):
        site_key.load(tmp_path)
    sealed.forget(tmp_path)
    assert site_key.load(tmp_path / "nowhere") is None


def test_damaged_desk_copy_counts_as_none_and_a_good_one_is_attached(tmp_path: Path) -> None:
    sealed.open_station(tmp_path, b"d" * 32)
    try:
        (tmp_path / site_key.SITE_KEY_FILE).write_text('{"sealed": 1, "nonce": "", "data": ""}')
        engine = create_engine("sqlite://")
        assert not site_join.attach_local_site_key(engine, tmp_path)  # no error: an administrator brings it again
        assert not image_seal.has_site_key(engine.dialect)
        site_key.save(tmp_path, site_key.new_key())
        assert site_join.attach_local_site_key(engine, tmp_path) and image_seal.has_site_key(engine.dialect)
    finally:
        sealed.forget(tmp_path)


def test_site_key_form_opens_whatever_the_password_and_both_forms_read() -> None:
    old_password, new_password, key = b"old" * 8, b"new" * 8, site_key.new_key()
    writer, reader = create_engine("sqlite://"), create_engine("sqlite://")
    image_seal.attach_key(writer, image_seal.derive_key(old_password, image_seal.SOURCE_SERVER_PASSWORD))
    legacy = image_seal.seal(writer.dialect, b"\xff\xd8\xffold")  # an older site's image
    assert legacy.startswith(image_seal.MAGIC)
    image_seal.attach_site_key(writer, key)
    value = image_seal.seal(writer.dialect, b"\xff\xd8\xffnew")
    assert image_seal.is_site_sealed(value) and b"\xff\xd8\xff" not in value
    image_seal.attach_key(reader, image_seal.derive_key(new_password, image_seal.SOURCE_SERVER_PASSWORD))
    with pytest.raises(StationError) as err:  # the password alone opens nothing of the new form
        image_seal.unseal(reader.dialect, value)
    assert err.value.code == "security.error.site_key_missing"
    image_seal.attach_site_key(reader, key)  # the password changed: the site key still opens it
    assert image_seal.unseal(reader.dialect, value) == b"\xff\xd8\xffnew"
    assert image_seal.unseal(writer.dialect, legacy) == b"\xff\xd8\xffold"  # older form: tried with its own key
    resealed = image_seal.reseal(writer.dialect, legacy)
    assert image_seal.is_site_sealed(resealed) and image_seal.unseal(reader.dialect, resealed) == b"\xff\xd8\xffold"
    blocked = create_engine("sqlite://")
    image_seal.attach_key(blocked, image_seal.derive_key(old_password, image_seal.SOURCE_SERVER_PASSWORD))
    image_seal.require_site_key(blocked)
    with pytest.raises(StationError) as err:  # a desk without the site's key never seals under the password
        image_seal.seal(blocked.dialect, b"\xff\xd8\xffx")
    assert err.value.code == "security.error.site_key_missing"


# ---- on a real PostgreSQL server ----

@pytest.fixture
def site_url() -> str:
    url = pg_url()
    assert url  # the postgres mark skips (or fails) without a server
    _reset_pg(url)
    return url



def _every_value(url: str) -> str:
    """Every row of every table of the server, as text (what a database administrator reads)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
            return "\n".join(str(row) for t in list(tables) for row in conn.execute(text(f'SELECT * FROM "{t}"')))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_server_holds_no_face_and_no_key_the_password_opens(site_url: str, tmp_path: Path) -> None:
    ctx = desk_ctx(tmp_path, site_url, 2)
    try:
        iid, _doc, face, _page = _register_with_images(ctx)
        raw = _raw(ctx.db.engine)
        assert raw and all(image_seal.is_site_sealed(v) and JPEG_MARKER not in v for v in raw)
        key = site_key.load(ctx.home)
        assert key is not None
        with ctx.db.reader() as uow:
            assert load_portrait(uow, ctx.actor, iid) == face
            wrap = uow.session.get(SiteKeyWrapRow, "admin")
            assert uow.session.get(MetaRow, SITE_KEY_META).value == site_key.key_id(key)  # type: ignore[union-attr]
        assert wrap is not None and site_key.unwrap(json.loads(wrap.wrapped), "admin", PASSPHRASE) == key
    finally:
        ctx.close()
    dump = _every_value(site_url)
    assert b64(key) not in dump and key.hex() not in dump and repr(key) not in dump
    spy = url_engine(site_url)  # the server's password and nothing else
    try:
        assert image_seal.has_key(spy.dialect) and not image_seal.has_site_key(spy.dialect)
        with spy.connect() as conn:
            value = bytes(conn.exec_driver_sql("SELECT jpeg FROM photos").scalar_one())
        with pytest.raises(StationError):
            image_seal.unseal(spy.dialect, value)
    finally:
        spy.dispose()
    again = sign_in("admin", PASSPHRASE, ctx.home)  # the desk's own sealed copy: no server copy needed
    try:
        image_seal.attach_key(again.db.engine, _legacy_key(site_url.replace("station_test@", "changed@")))
        with again.db.reader() as uow:  # the password's key plays no part any more: a new password strands nothing
            assert load_portrait(uow, again.actor, iid) == face
    finally:
        again.close()


@pytest.mark.postgres
def test_joining_desk_receives_the_key_through_the_administrators_passphrase(site_url: str, tmp_path: Path) -> None:
    first = desk_ctx(tmp_path, site_url, 2)
    try:
        iid, _doc, face, _page = _register_with_images(first)
        key = site_key.load(first.home)
        accounts.create_account(first, "clerk", Role.CLERK, CLERK_PASSPHRASE)
    finally:
        first.close()
    second = desk_ctx(tmp_path, site_url, 3)  # joins: the administrator's typing unwraps the key here
    try:
        assert site_key.load(second.home) == key
        with second.db.reader() as uow:
            assert load_portrait(uow, second.actor, iid) == face
        with second.db.uow() as uow:
            save_portrait(uow, second.actor, iid, portrait(7))
        with second.db.reader() as uow:
            assert uow.session.get(SiteKeyWrapRow, "clerk") is None  # copies for administrators only
    finally:
        second.close()
    assert all(image_seal.is_site_sealed(v) for v in _raw(create_engine(site_url)))


@pytest.mark.postgres
def test_older_site_stays_readable_and_is_resealed_at_an_administrators_sign_in(site_url: str,
                                                                                 tmp_path: Path) -> None:
    ctx = desk_ctx(tmp_path, site_url, 2)
    try:
        iid, doc_id, face, page = _register_with_images(ctx)
        accounts.create_account(ctx, "clerk", Role.CLERK, CLERK_PASSPHRASE)
    finally:
        ctx.close()
    home = ctx.home
    # as an older version left the site: images under the password's key, no site key anywhere
    legacy = create_engine("sqlite://")
    image_seal.attach_key(legacy, _legacy_key(site_url))
    engine = create_engine(site_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE photos SET jpeg = :v"), {"v": image_seal.seal(legacy.dialect, face)})
        conn.execute(text("UPDATE documents SET image_jpeg = :v WHERE id = :k"),
                     {"v": image_seal.seal(legacy.dialect, page), "k": doc_id})
        conn.execute(text("DELETE FROM site_key_wraps"))
        conn.execute(text("DELETE FROM station_meta WHERE key IN (:a, :b)"), {"a": SITE_KEY_META, "b": RESEALED_META})
    (home / site_key.SITE_KEY_FILE).unlink()
    assert all(v.startswith(image_seal.MAGIC) for v in _raw(engine))
    clerk = sign_in("clerk", CLERK_PASSPHRASE, home)  # a clerk makes no key: the older images still read
    try:
        with clerk.db.reader() as uow:
            assert load_portrait(uow, clerk.actor, iid) == face
        assert not (home / site_key.SITE_KEY_FILE).exists()
    finally:
        clerk.close()
    admin = sign_in("admin", PASSPHRASE, home)  # the first administrator: key made, every image re-sealed
    try:
        raw = _raw(engine)
        assert len(raw) == 2 and all(image_seal.is_site_sealed(v) for v in raw)
        with admin.db.reader() as uow:
            assert load_portrait(uow, admin.actor, iid) == face
            assert uow.session.get(MetaRow, RESEALED_META) is not None
    finally:
        admin.close()
    spy = url_engine(site_url)
    try:
        for value in _raw(engine):
            with pytest.raises(StationError):  # the password no longer opens any of them
                image_seal.unseal(spy.dialect, value)
    finally:
        spy.dispose()
        engine.dispose()


@pytest.mark.postgres
def test_desk_without_the_key_refuses_images_until_an_administrator_signs_in(site_url: str,
                                                                              tmp_path: Path) -> None:
    first = desk_ctx(tmp_path, site_url, 2)
    try:
        iid, _doc, face, _page = _register_with_images(first)
    finally:
        first.close()
    second = desk_ctx(tmp_path, site_url, 3)
    try:
        accounts.create_account(second, "clerk", Role.CLERK, CLERK_PASSPHRASE)
    finally:
        second.close()
    (second.home / site_key.SITE_KEY_FILE).unlink()  # this desk lost its copy (or never had a current one)
    clerk = sign_in("clerk", CLERK_PASSPHRASE, second.home)
    try:
        for attempt in ("read", "write"):
            with pytest.raises(StationError) as err:
                if attempt == "read":
                    with clerk.db.reader() as uow:
                        load_portrait(uow, clerk.actor, iid)
                else:
                    with clerk.db.uow() as uow:
                        save_portrait(uow, clerk.actor, iid, portrait(9))
            assert err.value.code == "security.error.site_key_missing"
    finally:
        clerk.close()
    assert all(image_seal.is_site_sealed(v) for v in _raw(create_engine(site_url)))  # nothing under the password
    admin = sign_in("admin", PASSPHRASE, second.home)
    admin.close()
    clerk = sign_in("clerk", CLERK_PASSPHRASE, second.home)
    try:
        with clerk.db.reader() as uow:
            assert load_portrait(uow, clerk.actor, iid) == face
        site_key.save(second.home, site_key.new_key())  # a copy of another key (a set-up that lost a race)
    finally:
        clerk.close()
    clerk = sign_in("clerk", CLERK_PASSPHRASE, second.home)
    try:
        with pytest.raises(StationError) as err, clerk.db.reader() as uow:
            load_portrait(uow, clerk.actor, iid)  # never taken for the site's
        assert err.value.code == "security.error.site_key_missing"
    finally:
        clerk.close()
    admin = sign_in("admin", PASSPHRASE, second.home)  # the site's key again, from the administrator's copy
    try:
        with admin.db.reader() as uow:
            assert load_portrait(uow, admin.actor, iid) == face
    finally:
        admin.close()
