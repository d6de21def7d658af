"""The office holds each station to the signed trail heads its packs carry (issue 15).

Before: the heads travelled as evidence only; a station whose database was copied back to an older state
(its trail rolled back, events gone) or whose trail was rewritten exported packs the office took as any
other, and nothing at the office said so.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from station.db.rows import AuditEventRow
from station.errors import StationError
from station.security import signing
from station.services import pack_import as im
from station.services import pack_origin, pack_trail, trail_guard
from station.services.station import StationContext, sign_in
from tests.conftest import PASSPHRASE
from tests.station.export.conftest import OfficeKeys, counts
from tests.station.export.test_merge import add_household, export
from tests.station.export.test_pack_origin import _read, _write


@pytest.fixture
def office(make_station: Any) -> StationContext:
    return make_station("OFF", 1)  # type: ignore[no-any-return]


def _accepted(office: StationContext, station: str = "MKH-03") -> int | None:
    with office.db.reader() as uow:
        last = pack_trail.last_accepted(uow.session, station)
    return int(last["seq"]) if last else None


def _refusals(office: StationContext) -> list[dict[str, Any]]:
    with office.db.reader() as uow:
        return [dict(e.details) for e in uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "import.refused").order_by(AuditEventRow.seq))]


def _refused(office: StationContext, pack: Path, keys: OfficeKeys, code: str) -> StationError:
    before, refusals = counts(office), len(_refusals(office))
    with pytest.raises(StationError) as err:
        im.import_pack(office.db, office.actor, pack, keys.private)
    assert err.value.code == code, err.value.code
    message = err.value.message()
    assert "MKH-03" in message and "{" not in message  # one clear sentence, its station named
    households, photos, events = counts(office)
    assert (households, photos, events) == (before[0], before[1], before[2] + 1)  # only the refusal, recorded:
    recorded = _refusals(office)
    assert len(recorded) == refusals + 1 and recorded[-1]["reason"] == code
    return err.value


def test_a_sequence_of_packs_imports_and_a_late_one_too(office, make_station, office_keys, tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    packs = []
    for i in range(3):
        add_household(a, i + 1)
        packs.append(export(a, tmp_path / f"usb{i}"))
    im.import_pack(office.db, office.actor, packs[0], office_keys.private)
    first = _accepted(office)
    assert first is not None
    im.import_pack(office.db, office.actor, packs[2], office_keys.private)  # the second one was left behind
    third = _accepted(office)
    assert third is not None and third > first
    res = im.import_pack(office.db, office.actor, packs[1], office_keys.private)  # late: named by the trail
    assert res.stats.households_added == 1 and res.chains["MKH-03"] == "complete"
    assert _accepted(office) == third and _refusals(office) == []


@pytest.mark.parametrize(("work", "code"), [
    (False, "export.error.trail_rolled_back"),  # signed in and exported: its head is behind the accepted one
    (True, "export.error.trail_forked"),  # registered again since: another trail past the accepted head
])
def test_a_station_copied_back_to_an_older_state_is_refused(office, make_station, office_keys, tmp_path: Path,
                                                            work: bool, code: str) -> None:
    a = make_station("MKH", 3)
    add_household(a, 1)
    im.import_pack(office.db, office.actor, export(a, tmp_path / "usb1"), office_keys.private)
    saved = tmp_path / "copy"
    a.close()
    shutil.copytree(a.home, saved)  # the whole folder, as it was after the first pack
    a = sign_in("admin", PASSPHRASE, a.home)
    try:
        add_household(a, 2)
        im.import_pack(office.db, office.actor, export(a, tmp_path / "usb2"), office_keys.private)
    finally:
        a.close()
    accepted = _accepted(office)
    shutil.rmtree(a.home)
    shutil.copytree(saved, a.home)  # someone copies the older station back (what was done since is gone)
    b = sign_in("admin", PASSPHRASE, a.home)
    try:
        if work:
            add_household(b, 3)
        pack = export(b, tmp_path / "usb3")
    finally:
        b.close()
    err = _refused(office, pack, office_keys, code)
    if not work:
        assert err.params["accepted"] == accepted and int(str(err.params["seq"])) < int(str(accepted))
    # what it holds contradicts the office's, too (a registration number given again, events at seqs held)
    assert _refusals(office)[-1]["merge"] in pack_trail.CONFLICTS
    assert _accepted(office) == accepted


def _genuine(a: StationContext, office: StationContext, keys: OfficeKeys, tmp_path: Path) -> Path:
    """Two packs accepted from MKH-03 (so it has sent heads), then a third made, not imported yet."""
    for i in range(2):
        add_household(a, i + 1)
        im.import_pack(office.db, office.actor, export(a, tmp_path / f"usb{i}"), keys.private)
    add_household(a, 3)
    return export(a, tmp_path / "usb-next")


def _reissued(a: StationContext, keys: OfficeKeys, pack: Path, folder: Path, heads: Any) -> Path:
    """The same pack signed again by the station's own key (an account holding it), with other heads."""
    state, items = _read(pack, keys)
    with a.db.reader() as uow:
        sign = pack_origin.pack_signer(uow.session)
    assert sign is not None

    def resign(manifest: dict[str, Any]) -> dict[str, Any]:
        origin = sign(manifest)
        origin["authority"]["heads"] = heads(origin["authority"]["heads"])
        return origin

    return _write(folder, keys, state.header, items, resign)


def test_a_forged_head_is_refused(office, make_station, office_keys, tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    pack = _genuine(a, office, office_keys, tmp_path)

    def edited(heads: dict[str, Any]) -> dict[str, Any]:  # its body changed, its signature kept
        out = copy.deepcopy(heads)
        out["MKH-03"]["body"]["seq"] += 5
        return out

    def stranger(heads: dict[str, Any]) -> dict[str, Any]:  # signed by a key the station does not bind
        return {"MKH-03": signing.sign_statement(signing.new_private_key(), heads["MKH-03"]["body"])}

    def elsewhere(heads: dict[str, Any]) -> dict[str, Any]:  # another station's head, given as this one's
        return {"MKH-03": _signed(a, {**heads["MKH-03"]["body"], "station": "MKH-04"})}

    for i, change in enumerate((edited, stranger, elsewhere)):
        forged = _reissued(a, office_keys, pack, tmp_path / f"forged{i}", change)
        _refused(office, forged, office_keys, "export.error.trail_head_forged")
    _refused(office, _reissued(a, office_keys, pack, tmp_path / "none", lambda _h: {}), office_keys,
             "export.error.trail_head_missing")
    assert im.import_pack(office.db, office.actor, pack, office_keys.private).stats.households_added == 1


def _signed(a: StationContext, body: dict[str, Any]) -> dict[str, Any]:
    with a.db.reader() as uow:
        signer = trail_guard.signer_for(uow.session)
    assert signer is not None
    return signing.sign_statement(signer.sk, body)


def test_a_head_signed_by_the_station_for_another_trail_is_refused(office, make_station, office_keys,
                                                                   tmp_path: Path) -> None:
    """Someone holding the station's key signs a head of a rewritten trail: it contradicts what the office
    holds (another event at its seq), or the head accepted before (same seq, another hash)."""
    a = make_station("MKH", 3)
    pack = _genuine(a, office, office_keys, tmp_path)
    accepted = _accepted(office)
    assert accepted is not None
    with office.db.reader() as uow:
        held = uow.session.scalar(select(AuditEventRow).where(AuditEventRow.station == "MKH-03",
                                                              AuditEventRow.seq == accepted - 1))
        assert held is not None
        other = {"station": "MKH-03", "seq": held.seq, "event_id": held.event_id, "hash": "0" * 64}
    rewritten = _reissued(a, office_keys, pack, tmp_path / "rw", lambda _h: {"MKH-03": _signed(a, other)})
    _refused(office, rewritten, office_keys, "export.error.trail_forked")
    with office.db.reader() as uow:
        last = pack_trail.last_accepted(uow.session, "MKH-03")
    assert last is not None
    same_seq = {"station": "MKH-03", "seq": last["seq"], "event_id": last["event_id"], "hash": "1" * 64}
    forked = _reissued(a, office_keys, pack, tmp_path / "fk", lambda _h: {"MKH-03": _signed(a, same_seq)})
    _refused(office, forked, office_keys, "export.error.trail_forked")


def test_an_old_pack_sent_again_as_new_is_refused(office, make_station, office_keys, tmp_path: Path) -> None:
    """The station's first pack again, under a new pack id and signed anew (a station put back to that day
    exports what it holds): its head is behind the one accepted, and the trail held here names no such
    pack after it."""
    a = make_station("MKH", 3)
    add_household(a, 1)
    first = export(a, tmp_path / "usb1")
    first_state, _ = _read(first, office_keys)
    im.import_pack(office.db, office.actor, first, office_keys.private)
    add_household(a, 2)
    im.import_pack(office.db, office.actor, export(a, tmp_path / "usb2"), office_keys.private)
    state, items = _read(first, office_keys)
    header = {**state.header, "pack_id": "0d7c5a4e-1c1e-4d0b-9d38-6a3f0c7e0b11"}
    old_heads = first_state.origin["authority"]["heads"]  # type: ignore[index]
    with a.db.reader() as uow:
        sign = pack_origin.pack_signer(uow.session)
    assert sign is not None

    def as_then(manifest: dict[str, Any]) -> dict[str, Any]:
        origin = sign(manifest)
        origin["authority"]["heads"] = old_heads
        return origin

    again = _write(tmp_path / "again", office_keys, header, items, as_then)
    err = _refused(office, again, office_keys, "export.error.trail_rolled_back")
    assert err.params["seq"] == old_heads["MKH-03"]["body"]["seq"]


@pytest.mark.postgres
def test_a_postgresql_desk_vouches_for_its_site_heads(office, office_keys, tmp_path: Path) -> None:
    """A desk's heads are signed by the site's accounts, whose keys the office does not know: the desk signs
    each head the site's authority verified with its own enrolled key, and the office holds it to them."""
    from station.services import export as ex
    from station.services.station import initialize
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
        first = export(desk, tmp_path / "usb1")
        add_household(desk, 2)
        second = export(desk, tmp_path / "usb2")
    finally:
        desk.close()
    state, _ = _read(second, office_keys)
    head = state.origin["authority"]["heads"]["MKH-04"]  # type: ignore[index]
    assert head["by"] == state.origin["authority"]["anchor"]["by"]  # type: ignore[index]
    im.import_pack(office.db, office.actor, first, office_keys.private)
    one = _accepted(office, "MKH-04")
    im.import_pack(office.db, office.actor, second, office_keys.private)
    two = _accepted(office, "MKH-04")
    assert one is not None and two is not None and two > one


def test_a_statement_taken_back_with_the_database_is_refused(office, make_station, office_keys,  # type: ignore[no-untyped-def]
                                                             tmp_path: Path) -> None:
    """Someone holding the station's key demotes nobody in the open: a clerk promoted (statement and event),
    then the statement deleted from the authority file together with the role in the database. The
    station's trail still chains; the office, which saw the statement in an earlier pack, names it."""
    from station.domain.roles import Role
    from station.security.authority import AuthorityFile
    from station.services import accounts

    a = make_station("MKH", 3)
    add_household(a, 1)
    im.import_pack(office.db, office.actor, export(a, tmp_path / "usb0"), office_keys.private)
    accounts.create_account(a, "clerk", Role.CLERK, "clerk passphrase 42")
    add_household(a, 2)
    im.import_pack(office.db, office.actor, export(a, tmp_path / "usb1"), office_keys.private)
    af = AuthorityFile.load(a.home)
    assert af is not None
    statements = af.data["statements"]
    assert any(st["body"].get("username") == "clerk" for st in statements)
    af.data["statements"] = [st for st in statements if st["body"].get("username") != "clerk"]
    af._write()  # the key holder's edit (the account's row goes with it in a real attack; the pack shows it)
    add_household(a, 3)
    _refused(office, export(a, tmp_path / "usb2"), office_keys, "export.error.authority_rolled_back")
    assert _refusals(office)[-1]["missing"] >= 1
