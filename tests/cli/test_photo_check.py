"""`station photo-check IMAGE --json [--crop OUT.jpg]` on real and broken images."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from station.cli.main import main
from tests.station.scanning.camera_fixtures import FACES_DIR, blurred, portrait_frame, two_faces_frame


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().out


def test_good_photo_json_and_crop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    img = tmp_path / "good.png"
    cv2.imwrite(str(img), portrait_frame(1280, 720))
    out = tmp_path / "crop.jpg"
    code, text = _run(capsys, "photo-check", str(img), "--crop", str(out), "--json")
    data = json.loads(text)
    assert code == 0 and data["passed"] is True and data["face_count"] == 1
    assert {"sharpness", "brightness", "face_height", "offset_x", "offset_y"} <= set(data["measures"])
    crop = cv2.imread(str(out))
    assert crop.shape[:2] == (800, 622) and out.stat().st_size == data["jpeg_bytes"]


@pytest.mark.parametrize(
    ("make", "reason"),
    [(two_faces_frame, "camera.reason.many_faces"), (lambda: blurred(portrait_frame(), 3), "camera.reason.blurred")],
)
def test_failing_photos_exit_3_with_reasons(tmp_path: Path, capsys, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    img = tmp_path / "bad.jpg"
    cv2.imwrite(str(img), make())
    code, text = _run(capsys, "photo-check", str(img), "--json")
    data = json.loads(text)
    assert code == 3 and data["passed"] is False and reason in data["reasons"]
    assert len(data["reason_messages"]) == len(data["reasons"])


def test_no_face_picture_and_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _run(capsys, "photo-check", str(FACES_DIR / "chelsea.jpg"))
    assert code == 3 and "No face found" in text


def test_corrupt_file_reports_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really")
    code, text = _run(capsys, "photo-check", str(bad), "--json")
    assert code == 1 and json.loads(text)["error"] == "camera.image.corrupt"


def test_arabic_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    img = tmp_path / "two.jpg"
    cv2.imwrite(str(img), two_faces_frame())
    code, text = _run(capsys, "--lang", "ar", "photo-check", str(img), "--json")
    data = json.loads(text)
    assert code == 3 and any("وجه" in m for m in data["reason_messages"])
