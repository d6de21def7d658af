"""Packs prove which station wrote them; what a pack names is checked against its format (issue 15).

Before: anyone holding the office public key (it travels as a file) could make a pack the office merged:
households for a station that never existed, people renamed, ids such as `../../../tmp/x`.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from station.errors import StationError
from station.export.container import ReadState, read_records
from station.export.crypto import load_public_key, open_chunks, read_header, stream_key
from station.export.writer import write_pack
from station.services import export as ex
from station.services import pack_import as im
from station.services import pack_origin
from station.services.station import StationContext, initialize
from tests.conftest import PASSPHRASE
from tests.station.export.conftest import OfficeKeys, counts, register_dump
from tests.station.export.test_merge import add_household, export


def _read(pack: Path, keys: OfficeKeys) -> tuple[ReadState, list[tuple[str, dict[str, Any], bytes]]]:
    with open(pack, "rb") as fh:
        header = read_header(fh)
        state = ReadState()
        recs = [(r.part, r.meta, r.blob) for r in read_records(open_chunks(fh, header, stream_key(
            header, keys.private)), state)]
    return state, recs


def _write(folder: Path, keys: OfficeKeys, header: dict[str, Any], items: list[Any], sign: Any = None) -> Path:
    folder.mkdir(exist_ok=True)
    header = {k: v for k, v in header.items() if k != "format"}
    return write_pack(folder, "forged", load_public_key(keys.public_pem), header, items, sign).path


def _refused(ctx: StationContext, pack: Path, keys: OfficeKeys, code: str, **kw: Any) -> None:
    before, dump = counts(ctx), register_dump(ctx)
    with pytest.raises(StationError) as err:
        im.import_pack(ctx.db, ctx.actor, pack, keys.private, **kw)
    assert err.value.code == code, err.value.code
    assert err.value.message()  # one clear sentence from the catalogue
    assert counts(ctx) == before and register_dump(ctx) == dump


def test_signed_pack_is_accepted_and_its_station_pinned(ctx, make_station, office_keys, tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    add_household(a, 1)
    res = im.import_pack(ctx.db, ctx.actor, export(a, tmp_path / "usb"), office_keys.private)
    assert res.stats.households_added == 1
    with ctx.db.reader() as uow:
        identity = pack_origin.station_identity(a.home, "MKH-03")
        assert pack_origin.enrolled(uow.session, "MKH-03") == identity["fingerprint"]


def test_unsigned_pack_for_a_station_that_never_existed(ctx, make_station, office_keys, tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    add_household(a, 1)
    state, items = _read(export(a, tmp_path / "usb"), office_keys)
    forged_header = {**state.header, "station": "ZZZ-09"}
    pack = _write(tmp_path / "forged", office_keys, forged_header, items)  # no signature: only the office key
    _refused(ctx, pack, office_keys, "export.error.unsigned")


def test_contents_changed_after_signing(ctx, make_station, office_keys, tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    add_household(a, 1)
    state, items = _read(export(a, tmp_path / "usb"), office_keys)
    renamed = copy.deepcopy(items)
    for part, meta, _blob in renamed:
        if part == "individuals":
            meta["given_lat"] = "Renamed"
    origin = state.origin
    assert origin is not None
    pack = _write(tmp_path / "forged", office_keys, state.header, renamed, lambda _manifest: origin)
    _refused(ctx, pack, office_keys, "export.error.bad_signature")


def test_another_authority_for_an_enrolled_station(ctx, make_station, office_keys, tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    add_household(a, 1)
    im.import_pack(ctx.db, ctx.actor, export(a, tmp_path / "usb"), office_keys.private)
    home = tmp_path / "impostor"  # someone set up their own "MKH-03" with the program
    home.mkdir()
    impostor, _ = initialize(site_code="MKH", station_number=3, admin_username="admin",
                             admin_passphrase=PASSPHRASE, home=home)
    try:
        ex.set_office_key(impostor.db, impostor.actor, office_keys.public_pem)
        add_household(impostor, 2)
        _refused(ctx, export(impostor, tmp_path / "usb2"), office_keys, "export.error.origin_mismatch")
    finally:
        impostor.close()


def test_strict_office_accepts_only_enrolled_stations(ctx, make_station, office_keys, tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    add_household(a, 1)
    pack = export(a, tmp_path / "usb")
    _refused(ctx, pack, office_keys, "export.error.origin_unknown", enrol=False)
    with ctx.db.uow() as uow:  # installed with the office key exchange instead
        pack_origin.enrol_identity(uow.session, pack_origin.station_identity(a.home, "MKH-03"))
    assert im.import_pack(ctx.db, ctx.actor, pack, office_keys.private, enrol=False).stats.households_added == 1


@pytest.mark.parametrize(("part", "column", "value"), [
    ("households", "id", "../../../tmp/x"),
    ("individuals", "id", "../../../tmp/x"),
    ("households", "registration_number", "../../../tmp/x"),
    ("households", "registration_number", "MKH-03-000001-Z"),  # wrong check character
    ("audit", "station", "../x"),
    ("audit", "event_id", "not-a-uuid"),
])
def test_identifiers_are_checked_before_anything_is_merged(ctx, make_station, office_keys, tmp_path: Path,
                                                           part: str, column: str, value: str) -> None:
    a = make_station("MKH", 3)
    add_household(a, 1)
    state, items = _read(export(a, tmp_path / "usb"), office_keys)
    bad = copy.deepcopy(items)
    target = next(meta for p, meta, _ in bad if p == part)
    target[column] = value
    with a.db.reader() as uow:
        sign = pack_origin.pack_signer(uow.session)  # a station's own key: validation does not rest on trust
    pack = _write(tmp_path / "forged", office_keys, state.header, bad, sign)
    _refused(ctx, pack, office_keys, "export.error.hostile")


@pytest.mark.postgres
def test_a_postgresql_desk_signs_its_packs_and_the_office_takes_them(make_station, office_keys, tmp_path: Path,
                                                                     ) -> None:
    """A desk of a PostgreSQL site has no authority file: before, its packs were unsigned and always refused.
    Now it signs with a key of its own, sealed in its home; the office pins it (or enrols its station-key
    file) as it does a laptop station's."""
    from tests.conftest import _reset_pg, pg_url

    url = pg_url()
    assert url
    _reset_pg(url)
    desk_home = tmp_path / "desk"
    desk_home.mkdir()
    desk, _ = initialize(site_code="MKH", station_number=4, admin_username="admin", admin_passphrase=PASSPHRASE,
                         home=desk_home, database_url=url)
    try:
        ex.set_office_key(desk.db, desk.actor, office_keys.public_pem)
        add_household(desk, 1)
        pack = export(desk, tmp_path / "usb")
        fingerprint = pack_origin.write_identity(desk.home, "MKH-04", tmp_path / "MKH-04.station-key")
        again = export(desk, tmp_path / "usb2")  # the same key for every pack
    finally:
        desk.close()
    import json

    from station.security import sealed

    assert sealed.is_sealed(json.loads((desk_home / "desk-key.json").read_text()))  # like the identity file
    office = make_station("OFF", 1)
    identity = pack_origin.read_identity(tmp_path / "MKH-04.station-key")
    assert identity["fingerprint"] == fingerprint
    pack_origin.enrol_station(office.db, office.actor, identity)
    res = im.import_pack(office.db, office.actor, pack, office_keys.private)
    assert res.stats.households_added == 1
    im.import_pack(office.db, office.actor, again, office_keys.private)
    with office.db.reader() as uow:
        assert pack_origin.enrolled(uow.session, "MKH-04") == fingerprint


def test_a_postgresql_url_without_a_password_is_refused(home: Path) -> None:
    """Images on a server site are sealed with a key derived from the server's password: none, none sealed."""
    with pytest.raises(StationError) as err:
        initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                   home=home, database_url="postgresql+psycopg://desk@127.0.0.1:5432/site")
    assert err.value.code == "security.error.server_password_missing"
    assert "password" in err.value.message()
    assert not (home / "keyring.json").exists()
