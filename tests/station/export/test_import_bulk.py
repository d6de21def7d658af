"""The office import's bulk writes (issue 18): the rows and search tokens are the ones the desk wrote, a pack
whose ids contradict each other or this register is refused with a clear error (never a database traceback),
and an import killed half-way leaves the office database as it was."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from station.db.engine import integrity_ok
from station.db.rows import HouseholdRow, IndividualRow, NameTokenRow, PhotoRow
from station.errors import StationError
from station.export import collect
from station.export.container import KIND, Record
from station.export.merge import Merger
from station.services import audit
from station.services import export as ex
from station.services import pack_import as im
from station.services.registration import register_household
from station.services.station import StationContext
from tests.factories import family_of_five

from .conftest import KEY_PASSPHRASE, OfficeKeys, jpeg

ROOT = Path(__file__).resolve().parents[3]
HOUSEHOLDS = 700


def _tokens(ctx: StationContext) -> set[tuple[str, str]]:
    with ctx.db.reader() as uow:
        return {(h, t) for h, t in uow.session.execute(select(NameTokenRow.household_id, NameTokenRow.token))}


def _records(ctx: StationContext) -> list[Record]:
    with ctx.db.reader() as uow:
        ids = list(uow.session.scalars(select(HouseholdRow.id).order_by(HouseholdRow.id)))
        return [Record(KIND[part], meta, blob) for part, meta, blob in collect.household_items(uow.session, ids)]


def test_office_writes_the_search_tokens_the_desk_wrote(make_station: Any, office_keys: OfficeKeys,
                                                        tmp_path: Path) -> None:
    desk, office = make_station("MKH", 2), make_station("OFF", 1)
    with desk.db.uow() as uow:
        for _ in range(3):
            register_household(uow, desk.actor, family_of_five())
    pack = ex.export_pack(desk.db, desk.actor, tmp_path).path
    got = im.import_pack(office.db, office.actor, pack, office_keys.private)
    assert got.stats.households_added == 3
    desk_tokens = _tokens(desk)
    assert len(desk_tokens) > 3 * 20
    assert _tokens(office) == desk_tokens


def test_two_households_of_a_pack_claiming_one_member_are_refused(make_station: Any) -> None:
    desk, office = make_station("MKH", 2), make_station("OFF", 1)
    with desk.db.uow() as uow:
        for _ in range(2):
            register_household(uow, desk.actor, family_of_five())
    records = _records(desk)
    first_member = next(r for r in records if r.part == "individuals")
    second_household = [r for r in records if r.part == "households"][1]
    at = records.index(second_household)
    stolen = copy.deepcopy(first_member.meta)
    stolen["household_id"] = second_household.meta["id"]
    records.insert(at + 1, Record(first_member.kind, stolen))  # the same person in the second household too
    with pytest.raises(StationError) as err, office.db.uow() as uow:
        merger = Merger(uow)
        for rec in records:
            merger.feed(rec)
        merger.finish()
    assert err.value.code == "export.error.inconsistent"
    with office.db.reader() as uow:
        assert uow.session.scalar(select(func.count()).select_from(HouseholdRow)) == 0


def test_a_document_id_of_another_household_here_is_refused_cleanly(make_station: Any) -> None:
    desk, office = make_station("MKH", 2), make_station("OFF", 1)
    with desk.db.uow() as uow:
        register_household(uow, desk.actor, family_of_five())
    first = _records(desk)
    with office.db.uow() as uow:  # the office holds this household already
        merger = Merger(uow)
        for rec in first:
            merger.feed(rec)
        merger.finish()
    with desk.db.uow() as uow:
        register_household(uow, desk.actor, family_of_five())
    second = [r for r in _records(desk) if r.meta.get("id") not in {f.meta.get("id") for f in first}]
    doc = next(r for r in first if r.part == "documents")
    clash = next(r for r in second if r.part == "documents")
    clash.meta["id"] = doc.meta["id"]  # a new household's document carries an id the office has for another
    with pytest.raises(StationError) as err, office.db.uow() as uow:
        merger = Merger(uow)
        for rec in second:
            merger.feed(rec)
        merger.finish()
    assert err.value.code == "export.error.inconsistent"


_CHILD = """
import sys
from pathlib import Path
from station.export.crypto import load_private_key
from station.services import pack_import as im
from station.services.station import sign_in
home, pack, key, passphrase = sys.argv[1:5]
office = sign_in("admin", passphrase, Path(home))
private = load_private_key(Path(key), sys.argv[5])
print("READY", flush=True)
im.import_pack(office.db, office.actor, Path(pack), private, lambda done, size: print("READ", done, flush=True),
               allow_synthetic=True)
print("DONE", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_import_killed_half_way_leaves_the_office_as_it_was(make_station: Any, office_keys: OfficeKeys,
                                                            tmp_path: Path) -> None:
    from tests.conftest import PASSPHRASE
    from tests.perf.bulk import bulk_households

    desk, office = make_station("MKH", 2), make_station("OFF", 1)
    bulk_households(desk.db, desk.actor.station, HOUSEHOLDS, seed=3)  # two batches of the merger
    with desk.db.uow() as uow:  # portraits: a pack of several 4 MB progress steps
        ids = list(uow.session.scalars(select(IndividualRow.id).limit(300)))
        uow.session.execute(insert(PhotoRow), [
            {"individual_id": iid, "jpeg": jpeg(i, 200, 260), "width": 200, "height": 260, "quality": {},
             "override_reason": "", "taken_at": audit.utcnow(), "taken_by": "admin"} for i, iid in enumerate(ids)])
    pack = ex.export_pack(desk.db, desk.actor, tmp_path, everything=True).path
    home = office.home
    office.close()
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(home), str(pack), str(office_keys.path), PASSPHRASE,
                             KEY_PASSPHRASE], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "READY"
    line = proc.stdout.readline().strip()  # the first 4 MB read: batches are being merged
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = line == "DONE" or any(out.strip() == "DONE" for out in proc.stdout)
    from station.services.station import sign_in

    office = sign_in("admin", PASSPHRASE, home)
    try:
        assert integrity_ok(office.db.engine)
        with office.db.reader() as uow:
            s = uow.session
            households = s.scalar(select(func.count()).select_from(HouseholdRow))
            tokens = s.scalar(select(func.count()).select_from(NameTokenRow)) or 0
        if finished:
            assert households == HOUSEHOLDS and tokens > 0
            return
        assert households == 0 and tokens == 0  # all or nothing: nothing
        got = im.import_pack(office.db, office.actor, pack, office_keys.private, allow_synthetic=True)
        assert got.stats.households_added == HOUSEHOLDS and not got.already_imported
    finally:
        office.close()
