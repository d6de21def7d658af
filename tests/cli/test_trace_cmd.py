"""`station trace add|list|matches|confirm|dismiss|close`, signed in like the other commands."""

from __future__ import annotations

import json

import pytest

from station.cli.main import main
from station.services.registration import register_household
from station.services.station import StationContext
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five
from tests.station.services.test_tracing import household, the_son


@pytest.fixture
def signed(sqlite_ctx: StationContext, monkeypatch: pytest.MonkeyPatch) -> tuple[StationContext, str, str]:
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    with sqlite_ctx.db.uow() as uow:
        seeker = register_household(uow, sqlite_ctx.actor, family_of_five())
        son = register_household(uow, sqlite_ctx.actor, household(the_son()))
    return sqlite_ctx, seeker.registration_number, son.registration_number


def test_add_list_matches_confirm(signed, capsys: pytest.CaptureFixture[str]) -> None:
    _ctx, seeker, son = signed
    assert main(["trace", "add", "--seeker", seeker, "--given", "Omar", "--father", "Khalid", "--grandfather",
                 "Hassan", "--family-ar", "العبيدي", "--sex", "M", "--age", "17", "--origin", "Mosul",
                 "--circumstances", "injured, taken to hospital in Erbil", "--consent", "--json"]) == 0
    case = json.loads(capsys.readouterr().out)
    assert case["status"] == "possible_match" and case["open_alerts"] == 1 and case["consent_to_share"]
    assert main(["trace", "list", "--text", "umar", "--json"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)] == [case["id"]]
    assert main(["trace", "matches", "--json"]) == 0
    (alert,) = json.loads(capsys.readouterr().out)
    assert alert["candidate"]["registration_number"] == son and alert["case"]["id"] == case["id"]
    assert {"names", "sex_same", "age_close"} <= {code for code, _ in alert["candidate"]["reasons"]}
    assert main(["trace", "matches"]) == 0
    assert "same sex" in capsys.readouterr().out
    assert main(["trace", "confirm", str(alert["id"]), "--note", "seen at the desk"]) == 0
    assert "found" in capsys.readouterr().out
    assert main(["trace", "matches", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_dismiss_and_close(signed, capsys: pytest.CaptureFixture[str]) -> None:
    _ctx, seeker, _son = signed
    assert main(["trace", "add", "--seeker", seeker, "--given-ar", "عمر", "--father-ar", "خالد", "--sex", "M",
                 "--age", "18", "--json"]) == 0
    case = json.loads(capsys.readouterr().out)
    assert main(["trace", "matches", "--json"]) == 0
    (alert,) = json.loads(capsys.readouterr().out)
    assert main(["trace", "dismiss", str(alert["id"])]) == 0
    assert "open" in capsys.readouterr().out
    assert main(["trace", "close", case["id"], "--reason", "family reunited"]) == 0
    assert "closed" in capsys.readouterr().out
    assert main(["trace", "list", "--status", "closed", "--json"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)] == [case["id"]]
