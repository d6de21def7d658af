"""A pack correcting a household the office already holds keeps its indexes current: the search tokens and
the person keys (duplicate checks, tracing) are those of the corrected names, as a rebuild would write them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import delete, select

from station.db.rows import MetaRow, PersonKeyRow
from station.domain.model import HouseholdDraft, MemberDraft
from station.services import matching
from station.services import pack_import as im
from station.services.registration import correct_household, get_household, register_household
from station.services.search import search
from station.services.station import StationContext
from tests.factories import family_of_five
from tests.station.export import conftest as export_fixtures
from tests.station.export.conftest import OfficeKeys
from tests.station.services.test_tracing_packs import export

make_station = export_fixtures.make_station
office_keys = export_fixtures.office_keys


def _found(ctx: StationContext, text: str) -> set[str]:
    with ctx.db.reader() as uow:
        return {h.id for h in search(uow, ctx.actor, text)}


def _keys(ctx: StationContext) -> set[tuple[str, str]]:
    with ctx.db.reader() as uow:
        return {(k, i) for k, i in uow.session.execute(select(PersonKeyRow.key, PersonKeyRow.individual_id))}


def test_an_imported_correction_rewrites_search_tokens_and_person_keys(make_station, office_keys: OfficeKeys,
                                                                       tmp_path: Path) -> None:
    st, office = make_station("MKH", 2), make_station("OFF", 1)
    with st.db.uow() as uow:
        hh = register_household(uow, st.actor, family_of_five())
    im.import_packs(office.db, office.actor, [export(st, tmp_path / "p1")], office_keys.private)
    assert hh.id in _found(office, "Maryam") and hh.id in _found(office, "مريم")
    # the station corrects a name: the girl written Maryam is Ruqaya
    with st.db.reader() as uow:
        view = get_household(uow, st.actor, hh.id)
    members = tuple(
        MemberDraft(dataclasses.replace(m.name_ar, given="رقية") if m.name_lat.given == "Maryam" else m.name_ar,
                    dataclasses.replace(m.name_lat, given="Ruqaya") if m.name_lat.given == "Maryam" else m.name_lat,
                    m.sex, m.relationship, birth_date=m.birth_date, documents=m.documents, needs=m.needs, id=m.id)
        for m in view.members)
    draft = HouseholdDraft(members=members, origin=view.origin, arrival_point=view.arrival_point, id=hh.id,
                           expected_version=view.version)
    with st.db.uow() as uow:
        correct_household(uow, st.actor, draft)
    (result,) = im.import_packs(office.db, office.actor, [export(st, tmp_path / "p2")], office_keys.private)
    assert result.stats.households_updated == 1
    assert hh.id not in _found(office, "Maryam") and hh.id not in _found(office, "مريم")
    assert hh.id in _found(office, "Ruqaya") and hh.id in _found(office, "رقية")
    assert hh.id in _found(office, "Roqaya")  # another spelling of the new name, through its sound-alike key
    kept = _keys(office)
    with office.db.uow() as uow:  # what a rebuild of every person's keys writes
        uow.session.execute(delete(MetaRow).where(MetaRow.key == matching.VERSION_KEY))
    assert matching.ensure_current(office.db) > 0
    assert kept == _keys(office)
