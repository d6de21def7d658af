"""Barcodes: every supported format, several per frame, hostile payloads, garbage images."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import zxingcpp

from station.scanning.barcodes import MAX_TEXT, read_barcodes

F = zxingcpp.BarcodeFormat


def _img(text: str, fmt: object, scale: int = 3) -> np.ndarray:
    im = np.asarray(zxingcpp.create_barcode(text, fmt).to_image(scale=scale))
    im = cv2.copyMakeBorder(im, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(im, cv2.COLOR_GRAY2BGR)


@pytest.mark.parametrize(
    ("fmt", "name", "text"),
    [(F.QRCode, "QRCode", "RS1:MKH-02-000123-K:1:abcd"), (F.PDF417, "PDF417", "ANSI 636000 DATA"),
     (F.DataMatrix, "DataMatrix", "DM-12345"), (F.Aztec, "Aztec", "AZTEC 42"),
     (F.Code128, "Code128", "MKH-02-000123-K"), (F.Code39, "Code39", "ABC-123")],
)
def test_formats(fmt: object, name: str, text: str) -> None:
    found = read_barcodes(_img(text, fmt))
    assert [(b.format, b.text) for b in found] == [(name, text)]
    assert len(found[0].position) == 4 and found[0].clean


def test_several_in_one_frame() -> None:
    a, b = _img("FIRST-CODE", F.QRCode), _img("SECOND", F.DataMatrix)
    h = max(a.shape[0], b.shape[0])
    frame = np.full((h + 20, a.shape[1] + b.shape[1] + 60, 3), 255, np.uint8)
    frame[: a.shape[0], : a.shape[1]] = a
    frame[: b.shape[0], a.shape[1] + 60 :] = b
    assert sorted(x.text for x in read_barcodes(frame)) == ["FIRST-CODE", "SECOND"]


def test_control_characters_and_long_text() -> None:
    found = read_barcodes(_img("MKH\x00\x1b[2J\x07", F.QRCode))
    assert found and not found[0].clean
    long = "A" * 4000
    found = read_barcodes(_img(long, F.QRCode, scale=2))
    assert found and found[0].text == long and len(found[0].text) <= MAX_TEXT


@pytest.mark.parametrize(
    "img",
    [np.zeros((0, 0, 3), np.uint8), np.zeros((5, 5), np.uint8),
     np.random.default_rng(0).integers(0, 255, (200, 300, 3), dtype=np.uint8)],
)
def test_garbage(img: np.ndarray) -> None:
    assert read_barcodes(img) == []


def test_bytes_that_are_not_utf8_are_never_clean() -> None:
    """zxing renders such bytes as escaped text ("<ETX>"): that text must not pass for a clean payload."""
    im = np.asarray(zxingcpp.create_barcode(b"AB\x03\xff\xfeCD", F.QRCode).to_image(scale=4))
    im = cv2.copyMakeBorder(im, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    found = read_barcodes(im)
    assert len(found) == 1 and not found[0].clean
