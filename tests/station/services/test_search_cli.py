"""`station search TEXT --json`: the desk's search for scripts and the office, signed in from the environment."""

from __future__ import annotations

import json

import pytest

from station.cli.main import main
from station.domain.codes import Relationship, Sex
from station.domain.model import HouseholdDraft, MemberDraft, NameParts, Origin
from station.services.registration import register_household
from station.services.station import StationContext
from tests.conftest import PASSPHRASE


def test_search_from_the_command_line(sqlite_ctx: StationContext, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    draft = HouseholdDraft(members=(MemberDraft(NameParts("عبد الرحمن", "حسين", "", "الجبوري"), NameParts(),
                                                Sex.MALE, Relationship.HEAD, age_years=40),),
                           origin=Origin("Ninewa", "Mosul", ""))
    with sqlite_ctx.db.uow() as uow:
        regno = register_household(uow, sqlite_ctx.actor, draft).registration_number
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    assert main(["search", "Abdulrahman", "Hussein", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 1 and out["more"] == 0
    (found,) = out["households"]
    assert found["registration_number"] == regno and found["approximate"] and found["head_name_ar"].startswith("عبد")
    assert main(["search", "Mahmoud"]) == 3  # nothing found
    assert "0" in capsys.readouterr().out
    monkeypatch.delenv("STATION_PASSPHRASE")
    with pytest.raises(SystemExit) as refused:  # not signed in: refused
        main(["search", "Abdulrahman"])
    assert refused.value.code != 0


def test_the_command_line_says_how_many_more_match(sqlite_ctx: StationContext, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(3):
        draft = HouseholdDraft(members=(MemberDraft(NameParts(), NameParts("Mohammed", "Karim"), Sex.MALE,
                                                    Relationship.HEAD, age_years=40),),
                               origin=Origin("Ninewa", "Mosul", ""))
        with sqlite_ctx.db.uow() as uow:
            register_household(uow, sqlite_ctx.actor, draft)
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)
    assert main(["search", "Mohammed", "--limit", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["total"], out["more"], len(out["households"])) == (3, 2, 1)
    assert main(["search", "Mohammed", "--limit", "1"]) == 0
    assert "2 more households not listed" in capsys.readouterr().out
    assert main(["search", "Mohammed"]) == 0
    assert "more" not in capsys.readouterr().out
