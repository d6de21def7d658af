"""Arrival times across packs: new packs carry UTC (header `arrival_times: utc`) and land unchanged; a pack
written before migration 0005 carried the station's wall-clock time, which the office reads in its zone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from station.db.rows import HouseholdRow
from station.export import collect
from station.export.container import KIND, Record
from station.export.merge import Merger
from station.services import export as ex
from station.services import pack_import as im
from station.services.registration import register_household
from station.services.station import StationContext
from tests.factories import family_of_five

from .conftest import OfficeKeys


def _arrivals(ctx: StationContext) -> dict[str, Any]:
    with ctx.db.reader() as uow:
        return {hid: at for hid, at in uow.session.execute(select(HouseholdRow.id, HouseholdRow.arrived_at))}


def test_a_new_pack_keeps_arrival_instants(make_station: Any, office_keys: OfficeKeys, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Baghdad")  # the office would shift a pack it took for wall-clock times
    desk, office = make_station("MKH", 2), make_station("OFF", 1)
    with desk.db.uow() as uow:
        register_household(uow, desk.actor, family_of_five())
    pack = ex.export_pack(desk.db, desk.actor, tmp_path).path
    got = im.import_pack(office.db, office.actor, pack, office_keys.private)
    assert got.stats.households_added == 1
    assert _arrivals(office) == _arrivals(desk)


def test_a_pack_of_wall_clock_times_is_read_in_the_office_zone(make_station: Any) -> None:
    desk, office = make_station("MKH", 2), make_station("OFF", 1)
    with desk.db.uow() as uow:
        register_household(uow, desk.actor, family_of_five())
    with desk.db.reader() as uow:
        ids = list(uow.session.scalars(select(HouseholdRow.id)))
        records = [Record(KIND[part], meta, blob) for part, meta, blob in collect.household_items(uow.session, ids)]
    wall = _arrivals(desk)  # stands for the wall-clock time an old pack carried
    with office.db.uow() as uow:
        merger = Merger(uow, arrival_zone=ZoneInfo("Asia/Baghdad"))
        for rec in records:
            merger.feed(rec)
        merger.finish()
    assert _arrivals(office) == {hid: at - timedelta(hours=3) for hid, at in wall.items()}
