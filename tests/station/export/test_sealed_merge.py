"""A merged portrait is stored sealed under the office's own site key (issue 15), not the desk's."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from station.db import sealed
from station.db.rows import PhotoRow
from station.errors import StationError
from station.services import export as ex
from station.services import pack_import as im
from station.services.photos import save_portrait
from station.services.registration import register_household
from tests.factories import family_of_five

from .conftest import OfficeKeys, jpeg


def test_merged_portraits_are_sealed_with_the_offices_key(make_station, office_keys: OfficeKeys,
                                                          tmp_path: Path) -> None:
    desk, office = make_station("MKH", 2), make_station("MKH", 9)
    face = jpeg(7)
    with desk.db.uow() as uow:
        view = register_household(uow, desk.actor, family_of_five())
        save_portrait(uow, desk.actor, view.members[0].id, face)
    out = tmp_path / "stick"
    out.mkdir()
    pack = ex.export_pack(desk.db, desk.actor, out).path
    assert pack is not None
    im.import_pack(office.db, office.actor, pack, office_keys.private)
    with office.db.engine.connect() as conn:
        raw = bytes(conn.exec_driver_sql("SELECT jpeg FROM photos").scalar_one())
    assert sealed.is_sealed(raw) and b"\xff\xd8\xff" not in raw
    assert sealed.unseal(office.db.engine.dialect, raw) == face
    with pytest.raises(StationError):
        sealed.unseal(desk.db.engine.dialect, raw)  # the desk's key does not open the office's copy
    with office.db.reader() as uow:
        assert uow.session.scalar(select(PhotoRow.jpeg)) == face
