"""`station print ...` from scripts: PDF out, records written, reprint needs a reason, printer errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from station.cli.main import main
from station.db.rows import HouseholdRow, PrintRecordRow
from tests.conftest import PASSPHRASE
from tests.station.printing.print_helpers import add_household, page_size_mm, pdf_text


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATION_USER", "admin")
    monkeypatch.setenv("STATION_PASSPHRASE", PASSPHRASE)


def test_print_card_to_pdf_and_reprint(sqlite_ctx, env, tmp_path: Path, capsys) -> None:
    hh = add_household(sqlite_ctx)
    sqlite_ctx.close()
    out = tmp_path / "cards.pdf"
    assert main(["print", "sheet", hh.registration_number, "--out", str(out)]) == 0
    assert abs(page_size_mm(out)[0] - 210) < 0.5 and hh.registration_number in pdf_text(out)
    assert (out.stat().st_mode & 0o077) == 0
    with pytest.raises(SystemExit) as ex:
        main(["print", "card", hh.registration_number, "--out", str(tmp_path / "again.pdf")])
    assert ex.value.code == 1 and "reason" in capsys.readouterr().err.lower()
    assert main(["print", "card", hh.registration_number, "--out", str(tmp_path / "again.pdf"),
                 "--reason", "lost"]) == 0
    with sqlite_ctx.db.reader() as uow:
        assert uow.session.get(HouseholdRow, hh.id).card_issue == 2
        assert len(uow.session.scalars(select(PrintRecordRow)).all()) == 2


@pytest.mark.cups  # a scheduler must answer to say which queue is missing
def test_print_to_missing_printer_fails_cleanly(sqlite_ctx, env, capsys) -> None:
    hh = add_household(sqlite_ctx, with_photo=False)
    sqlite_ctx.close()
    with pytest.raises(SystemExit) as ex:
        main(["print", "wristband", hh.registration_number, "--printer", "NoSuchQueue"])
    assert ex.value.code == 1
    err = capsys.readouterr().err
    assert "NoSuchQueue" in err and ("not installed" in err or "cannot be reached" in err), err
    with sqlite_ctx.db.reader() as uow:
        assert uow.session.scalars(select(PrintRecordRow)).all() == []


@pytest.mark.cups
def test_print_wristbands_to_queue(sqlite_ctx, env, capsys) -> None:
    hh = add_household(sqlite_ctx, with_photo=False)
    sqlite_ctx.close()
    assert main(["print", "wristband", hh.registration_number, "--printer", "StationPDF", "--wait", "10"]) == 0
    assert "StationPDF-" in capsys.readouterr().out
    with sqlite_ctx.db.reader() as uow:
        assert len(uow.session.scalars(select(PrintRecordRow)).all()) == 3
