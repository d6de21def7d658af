"""`station export station-key` (the station's public identity for the office key exchange) and
`station export enrol-station FILE` (the office enrols it before its first pack); `station erase` and
`station audit verify` say what they cannot do on a site server (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from station.cli.main import main
from station.domain.roles import Role
from station.services import accounts, pack_origin
from station.services.station import initialize, sign_in
from tests.conftest import PASSPHRASE


def _station(home: Path, site: str, number: int) -> None:
    ctx, _ = initialize(site_code=site, station_number=number, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    accounts.create_account(ctx, "sara", Role.CLERK, "sara passphrase 1")
    ctx.close()


def _run(monkeypatch: pytest.MonkeyPatch, home: Path, user: str, secret: str, *argv: str) -> int:
    monkeypatch.setenv("STATION_HOME", str(home))
    monkeypatch.setenv("STATION_USER", user)
    monkeypatch.setenv("STATION_PASSPHRASE", secret)
    try:
        return main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)


def test_station_key_then_enrol_at_the_office(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    desk, office = tmp_path / "desk", home
    desk.mkdir()
    _station(desk, "MKH", 3)
    _station(office, "HQ", 1)
    key_file = tmp_path / "stick" / "MKH-03.station-key"
    key_file.parent.mkdir()

    assert _run(monkeypatch, desk, "sara", "sara passphrase 1", "export", "station-key", "--out", str(key_file)) == 0
    said = capsys.readouterr().out
    doc = json.loads(key_file.read_text())
    assert doc["station"] == "MKH-03" and doc["fingerprint"] in said
    assert set(doc) == {"kind", "format", "station", "station_id", "anchor", "fingerprint"}  # public parts only

    assert _run(monkeypatch, office, "sara", "sara passphrase 1", "export", "enrol-station", str(key_file)) == 1
    assert "manage_settings" in capsys.readouterr().err  # a clerk does not decide whom the office trusts
    assert _run(monkeypatch, office, "admin", PASSPHRASE, "export", "enrol-station", str(key_file)) == 0
    assert "MKH-03" in capsys.readouterr().out
    ctx = sign_in("admin", PASSPHRASE, office)
    try:
        with ctx.db.reader() as uow:
            assert pack_origin.enrolled(uow.session, "MKH-03") == doc["fingerprint"]
    finally:
        ctx.close()

    other = tmp_path / "impostor"
    other.mkdir()
    _station(other, "MKH", 3)  # another laptop claiming the same code: another key, refused
    fake = tmp_path / "fake.station-key"
    assert _run(monkeypatch, other, "admin", PASSPHRASE, "export", "station-key", "--out", str(fake)) == 0
    capsys.readouterr()
    assert _run(monkeypatch, office, "admin", PASSPHRASE, "export", "enrol-station", str(fake)) == 1
    assert "MKH-03 is enrolled at this office with another key" in capsys.readouterr().err

    broken = tmp_path / "broken.station-key"
    for content in ("not json", json.dumps({**doc, "anchor": "AAAA"}), json.dumps({**doc, "station": "../x"}),
                    json.dumps({**doc, "fingerprint": "0" * 16})):
        broken.write_text(content)
        assert _run(monkeypatch, office, "admin", PASSPHRASE, "export", "enrol-station", str(broken)) == 1
        assert "station key file" in capsys.readouterr().err


def test_help_lists_the_station_key_actions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    assert "station-key" in out and "enrol-station" in out


def test_erase_on_a_server_site_says_the_server_keeps_its_records(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (home / "settings.json").write_text(json.dumps({"station": {"site_code": "MKH", "station_number": 2,
                                                                "database_url": "postgresql+psycopg://desk@db/site"}}))
    (home / "keyring.json").write_text("{}")
    monkeypatch.setenv("STATION_HOME", str(home))
    assert main(["erase", "--confirm", "ERASE"]) == 0
    out = capsys.readouterr()
    assert "site server" in out.err and "site server" in out.out and not (home / "keyring.json").exists()


def test_erase_on_a_laptop_station_says_nothing_of_a_server(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    _station(home, "MKH", 2)
    monkeypatch.setenv("STATION_HOME", str(home))
    assert main(["erase", "--confirm", "ERASE"]) == 0
    out = capsys.readouterr()
    assert "server" not in out.err + out.out


@pytest.mark.parametrize("lang", ["en", "ar", "ckb"])
def test_pack_origin_refusals_are_sentences(lang: str) -> None:
    """The office refuses a pack not from its station with a sentence, not a catalogue key."""
    from station import i18n
    from station.errors import StationError

    i18n.set_language(lang)
    for code in ("export.error.unsigned", "export.error.bad_signature", "export.error.origin_mismatch",
                 "export.error.origin_unknown", "security.error.identity_invalid", "security.error.station_locked"):
        text = StationError(code, station="MKH-03", fingerprint="0123456789abcdef").message()
        assert text != code and "{" not in text and ("MKH-03" in text or code.startswith("security."))


def test_server_site_says_what_erase_and_verify_cannot_do(ctx, backend: str, home: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`audit verify` checks signatures on a PostgreSQL site as on a laptop (the site's authority was founded
    when it was set up: no "not signed yet" warning), and `erase` says the records stay on the server (this
    laptop's keys and files go); on a laptop station erase says nothing of a server."""
    ctx.close()
    server = backend == "postgresql"
    assert _run(monkeypatch, home, "admin", PASSPHRASE, "audit", "verify") == 0
    out = capsys.readouterr()
    assert "chain intact" in out.out and "not signed" not in out.err and "signatures" not in out.err
    assert main(["erase", "--confirm", "ERASE"]) == 0
    out = capsys.readouterr()
    assert ("site server" in out.err and "site server" in out.out) is server
    assert [p.name for p in home.iterdir()] == ["ERASED"]
