"""Barcodes with zxing-cpp: QR, PDF417, DataMatrix, Aztec, Code 128, Code 39; several per frame.

Decoded text is kept as read (capped), with a `clean` flag telling whether it holds control characters,
so nothing downstream mistakes a strange payload for one of the station's own codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import zxingcpp

MAX_TEXT = 4096
FORMATS = [
    zxingcpp.BarcodeFormat.QRCode,
    zxingcpp.BarcodeFormat.PDF417,
    zxingcpp.BarcodeFormat.DataMatrix,
    zxingcpp.BarcodeFormat.Aztec,
    zxingcpp.BarcodeFormat.Code128,
    zxingcpp.BarcodeFormat.Code39,
]


@dataclass(frozen=True)
class Barcode:
    format: str
    text: str
    position: tuple[tuple[int, int], ...]  # four corners, image coordinates
    truncated: bool = False
    clean: bool = True  # valid UTF-8 without control characters

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "text": self.text, "position": [list(p) for p in self.position],
                "truncated": self.truncated, "clean": self.clean}


def has_control(text: str) -> bool:
    return any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029\ufeff" for c in text)


def _format_name(fmt: object) -> str:
    return str(fmt).split(".")[-1].replace(" ", "")  # "QR Code" -> "QRCode"


def read_barcodes(image: np.ndarray) -> list[Barcode]:
    """Every supported barcode in a BGR or grey image; [] for anything unreadable."""
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or min(image.shape[:2]) < 8:
        return []
    try:
        found = zxingcpp.read_barcodes(np.ascontiguousarray(image), formats=FORMATS,  # type: ignore[arg-type]
                                       try_rotate=True, try_downscale=True)
    except (ValueError, RuntimeError):
        return []
    out = []
    for r in found:
        if not r.valid:
            continue
        raw = bytes(r.bytes or b"")  # the payload itself; r.text escapes control characters as <NUL>
        try:
            text = raw.decode("utf-8")
            clean = not has_control(text)
        except UnicodeDecodeError:  # binary or another character set: shown as zxing renders it, never clean
            text = r.text or raw.decode("latin-1")
            clean = False
        p = r.position
        pos = tuple((int(pt.x), int(pt.y)) for pt in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
        out.append(Barcode(_format_name(r.format), text[:MAX_TEXT], pos, len(text) > MAX_TEXT, clean))
    return out
