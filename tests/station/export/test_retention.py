"""Retention: nothing purged before the office acknowledged every pack; then only what the settings allow."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text

from station.db.rows import AuditEventRow, HouseholdRow, PhotoRow
from station.services import audit, retention
from station.services import pack_import as im
from tests.station.export.test_merge import add_household, as_draft, export, rename


def _purge_all(st) -> retention.PurgeResult:  # type: ignore[no-untyped-def]
    return retention.purge(st, 0, now=audit.utcnow() + timedelta(days=1))


def test_purge_only_after_a_matching_acknowledgement(ctx, make_station, office_keys, tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    ids = [add_household(a, seed) for seed in range(3)]
    stick = tmp_path / "usb"
    pack = export(a, stick)
    assert _purge_all(a).households == 0  # exported, not acknowledged: nothing goes
    (stick / (pack.name + retention.ACK_SUFFIX)).write_text(json.dumps(  # a forged acknowledgement
        {"format": 1, "pack_id": pack.stem, "token": "0" * 64}))
    header_id = None
    with a.db.reader() as uow:
        keys = uow.session.execute(text("SELECT key FROM station_meta WHERE key LIKE 'retention.export:%'")).all()
        header_id = keys[0][0].split(":", 1)[1]
    (stick / "forged.rspack.ack").write_text(json.dumps({"format": 1, "pack_id": header_id, "token": "f" * 64}))
    assert retention.accept_acks(a, stick) == 0 and _purge_all(a).households == 0

    (stick / "forged.rspack.ack").unlink()
    (stick / (pack.name + retention.ACK_SUFFIX)).unlink()
    im.import_pack(ctx.db, ctx.actor, pack, office_keys.private)  # the office writes the real one
    assert (stick / (pack.name + retention.ACK_SUFFIX)).exists()
    with a.db.uow() as uow:  # one household changes after the pack: not at the office yet
        from station.services.registration import correct_household

        correct_household(uow, a.actor, rename(as_draft(a, ids[0]), "Changed", 1))
    assert retention.accept_acks(a, stick) == 1
    assert retention.accept_acks(a, stick) == 0  # once
    assert retention.purge(a, 30).households == 0  # all arrived today: the settings keep them
    result = _purge_all(a)
    assert result.households == 2 and result.people == 10
    with a.db.reader() as uow:
        left = uow.session.scalars(select(HouseholdRow.id)).all()
        assert left == [ids[0]]
        photos = uow.session.scalars(select(PhotoRow.individual_id)).all()
        assert len(photos) == 2  # only the kept household's portraits
        trail = json.dumps([e.details for e in uow.session.scalars(select(AuditEventRow))], ensure_ascii=False)
        assert "Fatima" not in trail and "فاطمة" not in trail
        assert all(r.ok for r in audit.verify_all(uow))
    counts = retention.purged_counts(a.db)
    assert sum(c["households"] for c in counts.values()) == 2 and sum(c["people"] for c in counts.values()) == 10


def test_a_gap_in_acknowledged_packs_stops_the_purge(ctx, make_station, office_keys, tmp_path: Path) -> None:
    a = make_station("MKH", 3)
    add_household(a, 1)
    first = export(a, tmp_path / "one")  # never reaches the office
    add_household(a, 2)
    second = export(a, tmp_path / "two")
    im.import_pack(ctx.db, ctx.actor, second, office_keys.private)
    assert retention.accept_acks(a, tmp_path / "two") == 1
    assert _purge_all(a).households == 0  # the first pack is not acknowledged: nothing is safe
    im.import_pack(ctx.db, ctx.actor, first, office_keys.private)
    assert retention.accept_acks(a, tmp_path / "one") == 1
    assert _purge_all(a).households == 2
