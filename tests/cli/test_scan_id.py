"""`station scan-id IMAGE... --json`."""

from __future__ import annotations

import json

import cv2
import pytest

from station.cli.main import main
from tests.station.scanning.docgen import make_sample


def test_scan_id_json(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    s = make_sample(21, "easy", "TD3")
    good = tmp_path / "passport.jpg"
    cv2.imwrite(str(good), s.image)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3)
    rc = main(["scan-id", str(good), str(junk), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1  # one image had nothing
    first, second = out
    assert first["mrz"]["format"] == "TD3" and first["mrz"]["valid"] is True
    assert first["mrz"]["raw_lines"] == list(s.lines)
    assert first["mrz"]["fields"]["document_number"] == s.identity.document_number
    assert {c["name"] for c in first["mrz"]["checks"]} == {
        "document_number", "birth_date", "expiry_date", "optional_data", "composite"}
    assert all(c["ok"] for c in first["mrz"]["checks"])
    assert first["barcodes"] == []
    assert second["mrz"] is None and second["reason"] == "scanning.reason.not_image" and second["reason_text"]


def test_scan_id_text(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    s = make_sample(22, "easy", "TD1")
    p = tmp_path / "card.png"
    cv2.imwrite(str(p), s.image)
    assert main(["scan-id", str(p)]) == 0
    assert s.lines[0] in capsys.readouterr().out
