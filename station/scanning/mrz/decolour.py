"""A grey image in which coloured ink fades and black print stays: for an MRZ under an entry stamp or coloured
security print.

The MRZ is printed in black; stamps (blue, violet, red, green ink) and guilloche are coloured. In plain grey
a stamp's ring is as dark as print: it joins the characters it crosses into shapeless components, the zone
finder loses the line there (or the whole zone) and the cells it joined across are distrusted
(ocr.hidden_cells). Here each pixel is lifted by `alpha` times its saturation above the paper's around it
(max - min channel, less its local minimum, so a tinted page is not lifted): the ring's own darkness goes,
while black characters under the ink keep the part of their contrast the ink let through.

`alpha` that cancels a stamp exactly is (paper - the ink's luma) / the ink's saturation, independent of how
thickly the ink lies: 1.1-1.5 for the usual dark blue, red, green and violet inks. Above it the ring turns
lighter than the paper (it can no longer join characters), below it a faint ring stays. A black stamp has no
saturation and is not lifted at all: the plain grey's reading, and its distrust of what it covers, stand.
"""

from __future__ import annotations

import cv2
import numpy as np

# Pixels this much more saturated than the paper around them are coloured ink.
INK_SATURATION = 40
# A page with fewer coloured-ink pixels than this share has nothing worth lifting.
MIN_INK_SHARE = 0.001


def ink_saturation(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(plain grey, saturation above the paper's local minimum), both float32."""
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    sat = bgr.max(axis=2).astype(np.float32) - bgr.min(axis=2).astype(np.float32)
    k = max(9, round(max(bgr.shape[:2]) / 64)) | 1  # wider than a stamp's stroke, a few characters wide
    paper = cv2.erode(sat, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    excess: np.ndarray = np.maximum(sat - paper, 0.0)
    return gray, excess


def has_coloured_ink(excess: np.ndarray) -> bool:
    return bool(np.count_nonzero(excess > INK_SATURATION) >= MIN_INK_SHARE * excess.size)


def lift(gray: np.ndarray, excess: np.ndarray, alpha: float) -> np.ndarray:
    """`gray` lifted by `alpha` times the saturation `excess` (see the module), as uint8."""
    out: np.ndarray = np.clip(gray + alpha * excess, 0, 255).astype(np.uint8)
    return out
