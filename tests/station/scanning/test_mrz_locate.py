"""The zone finder on small print: characters a few pixels high run together when binarised (a run of
fillers becomes one wide blob), and the lines must still be found whole, the filler tails included."""

from __future__ import annotations

from datetime import date

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from station.scanning.mrz.compose import Identity, td3
from station.scanning.mrz.locate import find_zones
from tests.station.scanning.docgen import OCRB

LINES = td3(Identity("ERIKSSON", "ANNA", "L898902C3", "UTO", date(1974, 8, 12), "F", date(2032, 4, 15), "UTO"))


def _small_print(cap_px: int) -> tuple[np.ndarray, float, float]:
    """Grey image of the two lines with capitals `cap_px` high, blurred as a print-and-scan blurs them;
    x of the first and last character centre."""
    probe = ImageFont.truetype(str(OCRB), 100)
    box = probe.getbbox("A")
    font = ImageFont.truetype(str(OCRB), round(100 * cap_px / (box[3] - box[1])))
    pitch = font.getlength("A")
    img = Image.new("L", (int(pitch * 44 + 60), int(cap_px * 8)), 235)
    d = ImageDraw.Draw(img)
    for i, text in enumerate(LINES):
        d.text((30, cap_px * 3 + i * cap_px * 1.7), text, font=font, fill=30)
    return cv2.GaussianBlur(np.asarray(img), (0, 0), 1.2), 30 + pitch / 2, 30 + pitch * 43.5


def test_small_print_lines_are_found_whole() -> None:
    for cap in (6, 7, 8):
        gray, first, last = _small_print(cap)
        zones = [z for z in find_zones(gray) if len(z.lines) == 2]
        assert zones, f"no zone at {cap} px"
        z = zones[0]
        left = min(ln.left for ln in z.lines) * z.scale
        right = max(ln.right for ln in z.lines) * z.scale
        pitch = (last - first) / 43
        assert abs(left - first) < pitch and abs(right - last) < pitch, (cap, left, right, first, last)
