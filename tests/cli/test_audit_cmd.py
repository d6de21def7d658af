"""`station audit verify` names a tampered event; `station audit list` filters; clerks are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from station.cli.main import main
from station.domain.roles import Role
from station.services import accounts, audit
from station.services.station import StationContext
from tests.conftest import PASSPHRASE


@pytest.fixture
def signed_env(sqlite_ctx: StationContext, monkeypatch: pytest.MonkeyPatch) -> StationContext:
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    with sqlite_ctx.db.uow() as uow:
        for i in range(6):
            audit.record(uow, sqlite_ctx.actor, "household.create", "household", f"h{i}", {"i": i})
    return sqlite_ctx


def _events(ctx: StationContext) -> list[tuple[int, str]]:
    with ctx.db.engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(text("SELECT seq, event_id FROM audit_events ORDER BY seq"))]


def test_verify_ok(signed_env: StationContext, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK") and "MKH-02" in out and "chain intact" in out


def test_verify_names_changed_event(signed_env: StationContext, capsys: pytest.CaptureFixture[str]) -> None:
    seq, event_id = _events(signed_env)[4]
    with signed_env.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET entity_id = 'other' WHERE event_id = :e"), {"e": event_id})
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"event {seq} (id {event_id}) was changed" in out
    assert main(["audit", "verify", "--json"]) == 1
    (rep,) = json.loads(capsys.readouterr().out)
    assert (rep["problem"], rep["first_bad_seq"], rep["first_bad_event_id"]) == ("changed", seq, event_id)


def test_verify_names_removed_event(signed_env: StationContext, capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(signed_env)
    seq, event_id = events[3]
    with signed_env.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE event_id = :e"), {"e": event_id})
    assert main(["--lang", "ar", "audit", "verify", "--json"]) == 1
    (rep,) = json.loads(capsys.readouterr().out)
    assert (rep["problem"], rep["first_bad_seq"], rep["first_bad_event_id"]) == ("removed", seq, events[4][1])
    assert main(["--lang", "ar", "audit", "verify"]) == 1
    assert f"الحدث {seq} حُذف" in capsys.readouterr().out


def test_verify_names_inserted_event(signed_env: StationContext, capsys: pytest.CaptureFixture[str]) -> None:
    last_seq, _ = _events(signed_env)[-1]
    with signed_env.db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_events (event_id, station, seq, at, actor, action, entity_type, entity_id, details, "
            "prev_hash, hash) SELECT 'forged-1', station, seq + 1, at, 'admin', 'export.plain', '', '', '{}', hash, "
            "hash FROM audit_events WHERE seq = :q"), {"q": last_seq})
    assert main(["audit", "verify"]) == 1
    assert f"event {last_seq + 1} (id forged-1) was inserted" in capsys.readouterr().out


def test_list_filters(signed_env: StationContext, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "list", "--action", "household.", "--limit", "4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 6 and len(data["events"]) == 4
    assert [e["entity_id"] for e in data["events"]] == ["h5", "h4", "h3", "h2"]  # newest first
    assert main(["audit", "list", "--entity", "h1", "--details"]) == 0
    out = capsys.readouterr().out
    assert "household:h1" in out and '{"i": 1}' in out and "1 of 1" in out


def test_clerk_is_refused(signed_env: StationContext, monkeypatch: pytest.MonkeyPatch, home: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    accounts.create_account(signed_env, "sara", Role.CLERK, "sara passphrase 1")
    monkeypatch.setenv("STATION_USER", "sara")
    monkeypatch.setenv("STATION_PASSPHRASE", "sara passphrase 1")
    for argv in (["audit", "verify"], ["audit", "list"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 1
        assert "view_audit" in capsys.readouterr().err


def test_verify_names_events_cut_off_the_end(signed_env: StationContext, capsys: pytest.CaptureFixture[str]) -> None:
    """Signing in to verify appends an event: the cut must still show (the station continues after its head)."""
    events = _events(signed_env)
    with signed_env.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq >= :q"), {"q": events[-2][0]})
    assert main(["audit", "verify", "--json"]) == 1
    (rep,) = json.loads(capsys.readouterr().out)
    assert (rep["problem"], rep["first_bad_seq"]) == ("removed", events[-2][0])


def test_verify_names_rewritten_last_event(signed_env: StationContext, capsys: pytest.CaptureFixture[str]) -> None:
    """The forger rewrites the newest event and recomputes its hash; the next sign-in must not bless it."""
    from sqlalchemy import select

    from station.db.rows import AuditEventRow

    with signed_env.db.reader() as uow:
        v = uow.session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq.desc()).limit(1)).one()
        forged = audit.event_hash(v.prev_hash, event_id=v.event_id, station=v.station, seq=v.seq, at=v.at,
                                  actor="nobody", action=v.action, entity_type=v.entity_type,
                                  entity_id=v.entity_id, details=v.details)
    with signed_env.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'nobody', hash = :h WHERE event_id = :e"),
                     {"h": forged, "e": v.event_id})
    assert main(["audit", "verify"]) == 1
    assert f"event {v.seq} (id {v.event_id}) was changed" in capsys.readouterr().out
