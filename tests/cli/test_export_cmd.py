"""`station export`, `station import`: keys, packs, drives and plain spreadsheets through the command line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from station.cli.main import main
from station.services.station import initialize
from tests.conftest import PASSPHRASE


@pytest.fixture
def office_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATION_OFFICE_KEY_PASSPHRASE", "office key passphrase")
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)


def run(argv: list[str]) -> int:
    """Exit status of `station ARGV` (expected failures exit through SystemExit)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def _station(home: Path, site: str, number: int) -> None:
    home.mkdir(exist_ok=True)
    ctx, _ = initialize(site_code=site, station_number=number, admin_username="admin",
                        admin_passphrase=PASSPHRASE, home=home)
    ctx.close()


def test_keygen_export_import_round_trip(office_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "office.key"
    assert run(["export", "keygen", "--out", str(key)]) == 0
    assert (tmp_path / "office.pub").exists() and key.stat().st_mode & 0o077 == 0
    station_home, office_home, usb = tmp_path / "st", tmp_path / "office", tmp_path / "usb"
    usb.mkdir()
    _station(station_home, "MKH", 3)
    monkeypatch.setenv("STATION_HOME", str(station_home))
    assert run(["export", "--to", str(usb)]) == 1  # no office key yet: refused with a message
    assert "office key" in capsys.readouterr().err
    assert run(["export", "set-office-key", str(tmp_path / "office.pub")]) == 0
    assert run(["demo", "--households", "12"]) == 1  # a production station: demo data needs a confirmation
    assert "--confirm-training-station" in capsys.readouterr().err
    assert run(["demo", "--households", "12", "--confirm-training-station"]) == 0
    capsys.readouterr()
    assert run(["export", "--to", str(usb)]) == 0
    out = capsys.readouterr().out
    assert "verified" in out and "12 households" in out
    packs = sorted(usb.glob("*.rspack"))
    assert len(packs) == 1 and packs[0].name.startswith("MKH-03_")
    _station(office_home, "OFF", 1)
    monkeypatch.setenv("STATION_HOME", str(office_home))
    assert run(["import", str(packs[0]), "--key", str(key)]) == 1  # synthetic data: the office refuses it
    assert "synthetic" in capsys.readouterr().err
    assert run(["import", str(packs[0]), str(packs[0]), "--key", str(key), "--allow-synthetic"]) == 0
    out = capsys.readouterr().out
    assert "12 households added" in out and "already imported" in out
    monkeypatch.setenv("STATION_OFFICE_KEY_PASSPHRASE", "wrong passphrase!")
    assert run(["import", str(packs[0]), "--key", str(key)]) == 1
    assert "passphrase" in capsys.readouterr().err


def test_export_range_options_and_bad_date(office_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    main(["export", "keygen", "--out", str(tmp_path / "k.key")])
    _station(tmp_path / "st", "MKH", 3)
    monkeypatch.setenv("STATION_HOME", str(tmp_path / "st"))
    main(["export", "set-office-key", str(tmp_path / "k.pub")])
    assert run(["export", "--to", str(tmp_path), "--all", "--since", "2026-01-01"]) == 2  # argparse refuses
    assert run(["export", "--to", str(tmp_path), "--since", "yesterday"]) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert run(["export", "--to", str(tmp_path), "--all"]) == 0
    assert run(["export", "--to", str(tmp_path), "--since", "2026-01-01"]) == 0
    assert len(list(tmp_path.glob("*.rspack"))) == 2
    assert run(["export"]) == 2
    from station.export import drives

    capsys.readouterr()
    monkeypatch.setattr(drives, "removable_drives", lambda: [drives.Drive(tmp_path, "KINGSTON", 7_500_000_000,
                                                                           8_000_000_000)])
    assert run(["export", "drives"]) == 0
    out = capsys.readouterr().out
    assert "KINGSTON" in out and str(tmp_path) in out and "7.0 GB" in out
    monkeypatch.setattr(drives, "removable_drives", lambda: [])
    assert run(["export", "drives"]) == 0
    assert "No removable drive found." in capsys.readouterr().out


def test_plain_spreadsheets_warn_and_neutralise(office_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from station.services.registration import register_household
    from station.services.station import sign_in
    from tests.factories import family_of_five

    _station(tmp_path / "st", "MKH", 3)
    monkeypatch.setenv("STATION_HOME", str(tmp_path / "st"))
    ctx = sign_in("admin", PASSPHRASE, tmp_path / "st")
    draft = family_of_five()
    import dataclasses

    draft = dataclasses.replace(draft, origin=dataclasses.replace(draft.origin, place="=HYPERLINK(\"x\")"))
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, draft)
    ctx.close()
    csv_path, xlsx_path = tmp_path / "reg.csv", tmp_path / "reg.xlsx"
    assert run(["export", "plain", "--out", str(csv_path)]) == 0
    err = capsys.readouterr().err
    assert "NOT encrypted" in err
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "فاطمة".encode() in raw
    rows = list(csv.reader(csv_path.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 6
    place = rows[1][rows[0].index("origin_place")]
    assert not place.startswith("=") and place.lstrip("'").upper().startswith("=HYPERLINK")
    assert run(["export", "plain", "--out", str(xlsx_path)]) == 0
    from openpyxl import load_workbook

    ws = load_workbook(xlsx_path).active
    cells = [c.value for c in ws[2]]
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in cells)
    assert run(["export", "plain", "--out", str(xlsx_path)]) == 1  # never overwrites
