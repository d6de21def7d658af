"""Emergency erase: afterwards nothing opens and no file holds a name (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from station.db.engine import DB_FILE, sqlcipher_engine
from station.errors import StationError
from station.services import erase
from station.services.recovery import recover
from station.services.station import initialize, is_set_up, sign_in
from tests.conftest import PASSPHRASE
from tests.station.printing.print_helpers import add_household


def test_erase_leaves_nothing_that_opens_or_names(home: Path) -> None:
    ctx, code = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    for _ in range(3):
        add_household(ctx)
    ctx.db.dispose()  # a backup-like copy of everything to check against: the files as they were
    ctx = sign_in("admin", PASSPHRASE, home)
    key_seen = bytes(ctx.db_key or b"")  # a copy of the key someone took out of the process earlier
    key_object = ctx.db_key
    names = [b"Fatima", b"Al-Jubouri", "فاطمة".encode(), b"Awezan"]
    before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}
    assert any(p.name == DB_FILE for p in before)

    report = erase.erase(home, (ctx,))

    assert report.key_files >= 2 and report.files >= 1
    assert ctx.db_key is None and key_object == bytes(32)  # the session's key object overwritten in place
    assert erase.was_erased(home) and not is_set_up(home)
    assert [p.name for p in home.rglob("*")] == [erase.ERASED_MARKER]
    assert not any(n in (home / erase.ERASED_MARKER).read_bytes() for n in names)
    with pytest.raises(StationError):
        sign_in("admin", PASSPHRASE, home)
    with pytest.raises(StationError):
        recover(code, "admin", "a brand new passphrase", home)
    assert not (home / DB_FILE).exists()
    with pytest.raises(OperationalError):  # the database itself is gone: even the old key opens nothing
        engine = sqlcipher_engine(home / DB_FILE, key_seen)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM households").scalar_one()


def test_erase_twice_is_harmless(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    erase.erase(home, (ctx,))
    again = erase.erase(home)
    assert again.key_files == 0 and erase.was_erased(home)


def test_erase_destroys_tracing_cases_distributions_and_photos_too(home: Path, tmp_path: Path) -> None:
    """Every table added since the erase was written (tracing cases and alerts, person and tracing keys,
    hand-outs, duplicate decisions) lives in the one encrypted database: nothing of them survives."""
    from datetime import date

    from sqlalchemy import func, select

    from station.db.rows import DistributionRow, TracingAlertRow, TracingCaseRow
    from station.domain.codes import ReliefItem
    from station.domain.tracing import CaseDraft
    from station.services import distribution, tracing
    from station.services.registration import register_household
    from tests.factories import family_of_five

    ctx, code = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    households = [add_household(ctx) for _ in range(3)]  # with portraits
    sought = ("Zubair", "Khalid", "Hassan", "Al-Obaidi")
    with ctx.db.uow() as uow:
        seeker = register_household(uow, ctx.actor, family_of_five(date(2026, 6, 1)))
        tracing.open_case(uow, ctx.actor, CaseDraft(
            seeker.id, seeker_individual_id=seeker.members[0].id, sought_ar=("زبير", "خالد", "حسن", "العبيدي"),
            sought_lat=sought, sex="M", age_years=17, origin="Mosul, Ninewa", last_seen_place="Mosul old city",
            circumstances="taken to hospital in Erbil", consent_to_share=True), on=date(2026, 6, 1))
        distribution.open_round(uow, ctx.actor, 1)
    with ctx.db.uow() as uow:
        distribution.record_handout(uow, ctx.actor, households[0].id, {ReliefItem.WATER: 2}, in_round=True)
    with ctx.db.reader() as uow:
        s = uow.session
        assert s.scalar(select(func.count()).select_from(TracingCaseRow)) == 1
        assert s.scalar(select(func.count()).select_from(DistributionRow)) == 1
        assert s.scalar(select(func.count()).select_from(TracingAlertRow)) is not None
    keys = [bytes(ctx.db_key or b"")]
    names = [n.encode() for n in (*sought, "Fatima", "Al-Jubouri", "فاطمة", "زبير", "Erbil", "Mosul old city")]

    report = erase.erase(home, (ctx,))

    assert report.key_files >= 2
    left = [p for p in home.rglob("*") if p.is_file()]
    assert [p.name for p in left] == [erase.ERASED_MARKER]
    for path in [p for p in tmp_path.rglob("*") if p.is_file()]:  # nothing of them anywhere this test wrote
        raw = path.read_bytes()
        assert not any(n in raw for n in names) and b"\xff\xd8\xff" not in raw, path
    with pytest.raises(StationError):
        sign_in("admin", PASSPHRASE, home)
    with pytest.raises(StationError):
        recover(code, "admin", "a brand new passphrase", home)
    for key in keys:
        with pytest.raises(OperationalError):
            engine = sqlcipher_engine(home / DB_FILE, key)
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM tracing_cases").scalar_one()
