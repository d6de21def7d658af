"""Import and merge: everything arrives, nothing twice, either order gives the same register."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from station import clock
from station.db.rows import AuditEventRow, HouseholdRow, MetaRow, PrintRecordRow
from station.domain.codes import ReliefItem
from station.domain.model import HouseholdDraft, MemberDraft, NameParts
from station.services import audit, distribution
from station.services import export as ex
from station.services import pack_import as im
from station.services.photos import save_portrait
from station.services.registration import correct_household, register_household
from station.services.search import search
from station.services.station import StationContext
from tests.factories import family_of_five

from .conftest import OfficeKeys, counts, jpeg, register_dump


def add_household(st: StationContext, seed: int, *, photos: bool = True, prints: bool = True) -> str:
    with st.db.uow() as uow:
        view = register_household(uow, st.actor, family_of_five())
        if photos:
            for i, m in enumerate(view.members[:2]):
                save_portrait(uow, st.actor, m.id, jpeg(seed * 10 + i))
        if prints:
            now = audit.utcnow()
            uow.session.add(PrintRecordRow(id=str(uuid.uuid4()), household_id=view.id, kind="wristband",
                                           printed_at=now, printed_by=st.actor.username))
            if distribution.current_round(uow) is None:
                distribution.open_round(uow, st.actor, 1)
            distribution.record_handout(uow, st.actor, view.id, {ReliefItem.FOOD_PARCEL: 1}, in_round=True)
            audit.record(uow, st.actor, "print.wristband", "household", view.id, {})
    return view.id


def export(st: StationContext, out: Path, **kw: object) -> Path:
    out.mkdir(exist_ok=True)
    return ex.export_pack(st.db, st.actor, out, **kw).path  # type: ignore[arg-type]


def rename(draft: HouseholdDraft, given_lat: str, version: int) -> HouseholdDraft:
    head = dataclasses.replace(draft.members[0], name_lat=dataclasses.replace(draft.members[0].name_lat,
                                                                               given=given_lat))
    return dataclasses.replace(draft, members=(head, *draft.members[1:]), expected_version=version)


def as_draft(st: StationContext, hid: str) -> HouseholdDraft:
    from station.services.registration import get_household

    with st.db.reader() as uow:
        v = get_household(uow, st.actor, hid)
    members = tuple(MemberDraft(m.name_ar, m.name_lat, m.sex, m.relationship, m.birth_date, None, m.nationality,
                                m.marital_status, m.documents, m.needs, m.field_sources, m.id) for m in v.members)
    return HouseholdDraft(members, v.origin, v.arrival_point, v.notes, v.arrived_at, v.id, v.version)


def test_export_then_import_carries_everything(ctx: StationContext, make_station, office_keys: OfficeKeys,
                                               tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    for seed in range(3):
        add_household(a, seed)
    pack = export(a, tmp_path / "usb")
    assert pack.name.startswith("MKH-03_") and pack.suffix == ".rspack"
    res = im.import_pack(ctx.db, ctx.actor, pack, office_keys.private)
    assert res.stats.households_added == 3 and res.stats.portraits == 6 and res.stats.prints == 3
    assert res.stats.distributions == 3 and res.chains == {"MKH-03": "complete"}
    got, want = register_dump(ctx, exclude_station=ctx.actor.station), register_dump(a)
    assert want["audit"][-1]["action"] == "export.pack"  # recorded after the pack was verified
    want["audit"].pop()
    assert got == want
    with ctx.db.reader() as uow:  # search index rebuilt for merged households
        assert len(search(uow, ctx.actor, "fatima")) == 3
        assert audit.verify_station(uow, "MKH-03").ok


def test_same_pack_twice_adds_nothing(ctx: StationContext, make_station, office_keys: OfficeKeys,
                                      tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    add_household(a, 1)
    pack = export(a, tmp_path / "usb")
    im.import_pack(ctx.db, ctx.actor, pack, office_keys.private)
    before, dump = counts(ctx), register_dump(ctx)
    again = im.import_pack(ctx.db, ctx.actor, pack, office_keys.private)
    assert again.already_imported and counts(ctx) == before and register_dump(ctx) == dump
    # even with the bookkeeping gone, the content merge itself is idempotent
    others_before = register_dump(ctx, exclude_station=ctx.actor.station)
    with ctx.db.uow() as uow:
        uow.session.execute(delete(MetaRow).where(MetaRow.key.like("import.pack.%")))
    third = im.import_pack(ctx.db, ctx.actor, pack, office_keys.private)
    assert not third.already_imported and not third.stats.changed
    assert third.stats.households_unchanged == 1 and third.stats.audit_known > 0
    # the third merge changed nothing in the register (only the importing station's own trail grew)
    assert register_dump(ctx, exclude_station=ctx.actor.station) == others_before
    assert counts(ctx)[:2] == before[:2]


def test_incremental_exports_and_since(make_station, office_keys: OfficeKeys, tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    first_id = add_household(a, 1)
    p1 = ex.export_pack(a.db, a.actor, tmp_path)
    assert p1.households == 1
    second_id = add_household(a, 2, prints=False)
    p2 = ex.export_pack(a.db, a.actor, tmp_path)
    assert p2.households == 1 and p2.path != p1.path
    with a.db.uow() as uow:  # a portrait alone is a change too
        member = uow.session.get(HouseholdRow, first_id).members[3].id
        save_portrait(uow, a.actor, member, jpeg(77))
    p3 = ex.export_pack(a.db, a.actor, tmp_path)
    assert p3.households == 1 and p3.portraits == 3
    everything = ex.export_pack(a.db, a.actor, tmp_path, everything=True)
    assert everything.households == 2 and everything.audit_events > p1.audit_events
    since = ex.export_pack(a.db, a.actor, tmp_path, since=clock.local_today(zone=clock.system_zone()))
    assert since.households == 2
    assert second_id != first_id


def _two_stations_with_conflict(make_station, office_keys: OfficeKeys, tmp_path: Path) -> list[Path]:
    a, b = make_station("MKH", 3), make_station("MKH", 4)
    shared = add_household(a, 1)
    add_household(a, 2)
    add_household(b, 3)
    packs = [export(a, tmp_path / "a1")]
    im.import_pack(b.db, b.actor, packs[0], office_keys.private)  # B's supervisor also has A's day
    draft = as_draft(b, shared)
    with b.db.uow() as uow:
        correct_household(uow, b.actor, rename(draft, "Fatimah", draft.expected_version or 1))
    with a.db.uow() as uow:  # later, at A, someone corrects the same household differently
        correct_household(uow, a.actor, rename(draft, "Fatma", draft.expected_version or 1))
        uow.session.get(HouseholdRow, shared).updated_at += timedelta(seconds=5)
    packs.append(export(a, tmp_path / "a2"))
    packs.append(export(b, tmp_path / "b1"))
    return packs


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_import_order_does_not_matter(ctx: StationContext, make_station, office_keys: OfficeKeys,
                                      tmp_path: Path, order: tuple[int, int, int]) -> None:
    packs = _two_stations_with_conflict(make_station, office_keys, tmp_path)
    ref = make_station("REF", 9)
    for p in packs:
        im.import_pack(ref.db, ref.actor, p, office_keys.private)
    for i in order:
        im.import_pack(ctx.db, ctx.actor, packs[i], office_keys.private)
    got = register_dump(ctx, exclude_station=ctx.actor.station)
    assert got == register_dump(ref, exclude_station="REF-09")
    assert len(got["households"]) == 3
    names = {m["given_lat"] for hh in got["households"].values() for m in hh[1]}
    assert "Fatma" in names and "Fatimah" not in names  # the newer correction is in the register
    with ctx.db.reader() as uow:  # ... and both corrections are in the audit trail
        updates = uow.session.scalars(select(AuditEventRow.station).where(
            AuditEventRow.action == "household.update")).all()
        assert sorted(updates) == ["MKH-03", "MKH-04"]
        assert audit.verify_station(uow, "MKH-03").ok and audit.verify_station(uow, "MKH-04").ok


def test_refused_packs_change_nothing(ctx: StationContext, make_station, office_keys: OfficeKeys,
                                      tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    add_household(a, 1)
    pack = export(a, tmp_path / "usb")
    good = pack.read_bytes()
    before, dump = counts(ctx), register_dump(ctx)
    variants = {
        "flipped": good[:len(good) // 2] + bytes([good[len(good) // 2] ^ 0x20]) + good[len(good) // 2 + 1:],
        "last_byte": good[:-1] + bytes([good[-1] ^ 1]),
        "truncated": good[: len(good) - 200],
        "empty": b"",
        "garbage": b"PK\x03\x04 not a pack",
    }
    for name, data in variants.items():
        bad = tmp_path / f"{name}.rspack"
        bad.write_bytes(data)
        with pytest.raises(Exception) as err:
            im.import_pack(ctx.db, ctx.actor, bad, office_keys.private)
        assert getattr(err.value, "code", "").startswith("export.error."), name
        assert counts(ctx) == before and register_dump(ctx) == dump, name


def test_tampered_audit_event_is_refused(ctx: StationContext, make_station, office_keys: OfficeKeys,
                                         tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    add_household(a, 1)
    with a.db.uow() as uow:  # someone edits history on the laptop, then exports everything
        ev = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "household.create")).one()
        ev.details = {**ev.details, "registration_number": "X"}
    pack = export(a, tmp_path / "usb", everything=True)
    before = counts(ctx)
    with pytest.raises(Exception) as err:
        im.import_pack(ctx.db, ctx.actor, pack, office_keys.private)
    assert getattr(err.value, "code", "") == "export.error.audit_tampered"
    assert counts(ctx) == before


def test_permissions(make_station, tmp_path: Path, office_keys: OfficeKeys) -> None:
    from station.domain.roles import Actor, Role
    from station.errors import PermissionDenied

    a = make_station("MKH", 3)
    clerk = Actor("clerk1", Role.CLERK, a.actor.station)
    ex.export_pack(a.db, clerk, tmp_path)  # clerks may export packs
    with pytest.raises(PermissionDenied):
        im.import_pack(a.db, clerk, tmp_path / "x.rspack", office_keys.private)
    with pytest.raises(PermissionDenied):
        ex.set_office_key(a.db, clerk, office_keys.public_pem)


def test_no_office_key_no_export(home: Path, tmp_path: Path) -> None:
    from station.services.station import initialize
    from tests.conftest import PASSPHRASE

    st, _ = initialize(site_code="MKH", station_number=4, admin_username="admin", admin_passphrase=PASSPHRASE,
                       home=home)
    try:
        with pytest.raises(Exception) as err:
            ex.export_pack(st.db, st.actor, tmp_path)
        assert getattr(err.value, "code", "") == "export.error.no_office_key"
        assert list(tmp_path.iterdir()) == [home] or not any(p.suffix == ".rspack" for p in tmp_path.iterdir())
    finally:
        st.close()


def test_name_parts_helper() -> None:
    assert NameParts("a", "b", "c", "d").parts() == ("a", "b", "c", "d")
