"""One entry point for reading an ID image: `scan_image(bgr) -> ScanResult` (used by the CLI and the window).

Barcodes are read on the whole frame in a second thread while the MRZ is read (zxing-cpp and OpenCV release
the GIL: on two cores a frame costs about the longer of the two, not their sum). The MRZ: the document found
and straightened; the zone read on the flat card in each of the four 90-degree turns (a page held sideways
or upside down), then on the raw frame as a fallback, then enhanced. A live camera's quick look
(`thorough=False`) tries no more of these than fit in LIVE_BUDGET_S: the next frame tries again. Malformed
input gives a result with a reason, never an exception.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from station.errors import StationError
from station.scanning.barcodes import Barcode, read_barcodes
from station.scanning.document import find_document, sharpness, straighten
from station.scanning.image_io import ImageLimits, load_image_file
from station.scanning.mrz import decolour
from station.scanning.mrz.ocr import CUTS, UNCONFIRMED, MrzRead, read_gray
from station.scanning.mrz.parse import MrzResult

# An ID page photographed whole keeps MRZ characters readable at this size; the header is checked first.
SCAN_LIMITS = ImageLimits(max_decoded_side=3200)
UPRIGHT, SIDEWAYS = (None, cv2.ROTATE_180), (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE)
# A reading this unsure on the upright turns may be text printed across a page held sideways.
SIDEWAYS_BELOW = 0.75
# A live frame's quick look: no new attempt (another turn, the raw frame, an enhanced image) starts unless
# the longest one so far would end within this time. Without it a frame that could not be read valid cost
# up to 375 ms at the 90th percentile (hard level of tests/perf/test_mrz_accuracy.py), and the camera's
# next frame waited; the dialog reads a frame whose quick look saw a zone again thoroughly.
LIVE_BUDGET_S = 0.035
_BARCODES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="barcodes")


@dataclass(frozen=True)
class ScanResult:
    mrz: MrzResult | None
    reason: str  # "" when an MRZ was read; else a message key (scanning.reason.*)
    barcodes: tuple[Barcode, ...]
    document_corners: tuple[tuple[float, float], ...] | None = None
    sharpness: float = 0.0
    confidence: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mrz": self.mrz.to_dict() if self.mrz else None,
            "reason": self.reason,
            "barcodes": [b.to_dict() for b in self.barcodes],
            "document_found": self.document_corners is not None,
            "document_corners": [list(c) for c in self.document_corners] if self.document_corners else None,
            "sharpness": round(self.sharpness, 1),
            "confidence": round(self.confidence, 4),
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }


def load_image(path: str | Path) -> np.ndarray | None:
    """BGR image from a file, or None when it is not a readable image (any bytes are fine).

    Decoded by station.scanning.image_io, which judges the dimensions from the header before decoding.
    """
    try:
        return load_image_file(path, SCAN_LIMITS)
    except StationError:
        return None


# An enhanced image sharpens strokes too: D can turn into B with some confidence. Names carry no check
# digit, so a name read from an enhanced image must be read with this much confidence, or it is doubtful.
ENHANCED_DOUBT_BELOW = 0.9


def _better(a: MrzRead | None, b: MrzRead | None) -> MrzRead | None:
    if a is None:
        return b
    if b is None:
        return a
    ka = (bool(a.result and a.result.valid), a.result is not None, a.reading.mean_confidence)
    kb = (bool(b.result and b.result.valid), b.result is not None, b.reading.mean_confidence)
    return b if kb > ka else a


def _valid(r: MrzRead | None) -> bool:
    return bool(r and r.result and r.result.valid)


def _done(r: MrzRead | None, thorough: bool) -> bool:
    """Nothing more to try: a valid reading, or, for a quick look, one valid but for the confirmation one cut
    cannot give (ocr.UNCONFIRMED: the frame is read again thoroughly; other attempts would only spend the
    frame's time on the same reading)."""
    return _valid(r) or (not thorough and r is not None and r.result is not None
                         and UNCONFIRMED in r.result.problems)


Turns = tuple[int | None, ...]  # rotations tried together (a turn and its opposite)


class Budget:
    """A quick look's time: a new attempt starts only while the longest one so far would still end in time."""

    def __init__(self, seconds: float) -> None:
        self.end = time.perf_counter() + seconds
        self.longest = 0.0

    def room(self) -> bool:
        return time.perf_counter() + self.longest < self.end

    def spent(self, began: float) -> None:
        self.longest = max(self.longest, time.perf_counter() - began)


def _late(budget: Budget | None) -> bool:
    return budget is not None and not budget.room()


def read_turns(gray: np.ndarray, doubt_below: float | None = None,
               pairs: tuple[Turns, ...] = (UPRIGHT, SIDEWAYS), thorough: bool = True,
               budget: Budget | None = None, check: np.ndarray | None = None) -> tuple[MrzRead | None, Turns]:
    """The best reading over the 90-degree turns of `gray`, and the pair of turns where lines were found.

    A turn and its opposite find the same lines, so when one finds none the other is skipped; the
    sideways pair is tried only when the upright one found nothing it could read surely. `thorough`: a
    zone that does not read valid is read again from several cuts (ocr.CUTS); False for a quick look.
    `budget`: a turn after the first is tried only while there is time for it. `check`: see ocr.read_gray.
    """
    best: MrzRead | None = None
    found: Turns = ()
    tried = False
    for pair in pairs:
        if best is not None and best.result is not None and best.reading.mean_confidence >= SIDEWAYS_BELOW:
            break
        for turn in pair:
            if tried and _late(budget):
                return best, found
            tried = True
            began = time.perf_counter()
            img = gray if turn is None else cv2.rotate(gray, turn)
            other = check if check is None or turn is None else cv2.rotate(check, turn)
            cuts = CUTS if thorough else CUTS[:1]
            read = read_gray(img, cuts=cuts, check=other) if doubt_below is None else read_gray(
                img, doubt_below=doubt_below, cuts=cuts, check=other)
            if budget is not None:
                budget.spent(began)
            if read is None:
                break
            if best is None or _better(best, read) is read:
                found = pair
            best = _better(best, read)
            if _done(best, thorough):
                return best, found
    return best, found


def read_mrz(bgr: np.ndarray, thorough: bool = True,
             budget: Budget | None = None) -> tuple[MrzRead | None, np.ndarray | None, float]:
    """(best reading, corners of the document or None, sharpness of what was read); `thorough`, `budget`:
    see read_turns (with no time left, no further image is tried either)."""
    gray_frame = bgr if bgr.ndim == 2 else cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    corners = find_document(bgr)
    best: MrzRead | None = None
    flat: np.ndarray | None = None
    flat_bgr: np.ndarray | None = None
    sharp = 0.0
    found: Turns = ()
    if corners is not None:
        flat_bgr = straighten(bgr, corners)
        flat = cv2.cvtColor(flat_bgr, cv2.COLOR_BGR2GRAY) if bgr.ndim == 3 else flat_bgr
        sharp = sharpness(flat)
        best, found = read_turns(flat, thorough=thorough, budget=budget)
        if _done(best, thorough) or _late(budget):
            return best, corners, sharp
    sharp = sharp or sharpness(gray_frame)
    read, found_frame = read_turns(gray_frame, thorough=thorough, budget=budget)
    if _better(best, read) is read and read is not None:
        found = found_frame
    best = _better(best, read)
    if _done(best, thorough):
        return best, corners, sharp
    colour = flat_bgr if flat_bgr is not None else bgr
    if best is None:  # no zone at all: enhancing will not find one; a stamp over it may have hidden it
        if thorough and colour.ndim == 3:
            best = _read_decoloured(colour, (UPRIGHT, SIDEWAYS), thorough, budget)
        return best, corners, sharp
    # A zone was found but did not read valid: glare, low light and blur often give way to local contrast
    # or sharpening. Measured on generated documents (tests/perf/test_mrz_accuracy.py, n=200 per level):
    # exact and valid 63% -> 74.5% (hard), 98% -> 99.5% (moderate), no new valid-but-wrong reads.
    # Only failed reads pay for it, and only on the turns where lines were found.
    source = flat if flat is not None else gray_frame
    for enhance in (_local_contrast, _sharpen):
        if _late(budget):
            break
        read, _found = read_turns(enhance(source), ENHANCED_DOUBT_BELOW, (found or UPRIGHT,), thorough, budget)
        best = _better(best, read)
        if _done(best, thorough):
            return best, corners, sharp
    if colour.ndim == 3 and not _late(budget):
        best = _better(best, _read_decoloured(colour, (found or UPRIGHT,), thorough, budget))
    return best, corners, sharp


# Coloured ink over the zone (an entry stamp, guilloche): read again from a grey image in which it is lifted
# (station.scanning.mrz.decolour), when the plain grey and the enhanced images did not read valid, and when
# no zone was found at all (a still only: a stamp can hide the zone from the finder). Lifted past the inks'
# own level (LIFT) its strokes turn lighter than the paper and no longer join characters; what it leaves
# over a character is checked against the same page lifted less (LIFT_CHECK: the ink stays a little darker
# than the paper), and a character the two read differently is doubtful (ocr._read_cuts), so a ring that
# turns P into R in one is not believed. Names are held to ENHANCED_DOUBT_BELOW as on an enhanced image (a
# hologram's colours lifted under glare let an F read as R at 0.88 pass on held-out seed 3000098).
# Generated stamps (fieldgen's stamp condition, seeds 20000-25014, 90 images, tuned on): exact and valid
# 0 -> 10, valid-but-wrong 0 -> 1 (an O read 0 in a visa's optional data, which no digit checks and which
# is never marked verified). Field benchmark (tests/perf/test_mrz_field.py, reps 1), stamp condition, 15 images
# a split: tuning 0 -> 1, held-out 1000000 0 -> 1, held-out 3000000 0 -> 4; every other condition as before,
# valid-but-wrong and verified-but-wrong unchanged. Its stamps lie over strong guilloche that is partly grey
# (without the stamp the same pages read 12 of 30): what is left there is mostly misreads, not the stamp.
LIFT, LIFT_CHECK = 2.0, 1.0


def _read_decoloured(bgr: np.ndarray, pairs: tuple[Turns, ...], thorough: bool,
                     budget: Budget | None) -> MrzRead | None:
    gray, excess = decolour.ink_saturation(bgr)
    if not decolour.has_coloured_ink(excess):
        return None  # nothing coloured to lift: the plain grey was this image already
    read, _found = read_turns(decolour.lift(gray, excess, LIFT), ENHANCED_DOUBT_BELOW, pairs, thorough, budget,
                              check=decolour.lift(gray, excess, LIFT_CHECK))
    return read


def _local_contrast(gray: np.ndarray) -> np.ndarray:
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)


def _sharpen(gray: np.ndarray) -> np.ndarray:
    return cv2.addWeighted(gray, 1.8, cv2.GaussianBlur(gray, (0, 0), 2.0), -0.8, 0)


def _timed_barcodes(bgr: np.ndarray) -> tuple[tuple[Barcode, ...], float]:
    t = time.perf_counter()
    return tuple(read_barcodes(bgr)), (time.perf_counter() - t) * 1000


def scan_image(bgr: np.ndarray | None, *, barcodes: bool = True, thorough: bool = True) -> ScanResult:
    """Read the MRZ and every barcode in one image. Never raises on bad input.

    `thorough` (a still: a file or a capture the clerk asked for): a zone that does not read valid is
    read again from several cuts averaged, which costs a failing read about twice the time; a live
    camera's automatic captures, retried frame after frame, may pass False: then no more attempts are made
    than fit in LIVE_BUDGET_S (the next frame is the next attempt).
    """
    if not isinstance(bgr, np.ndarray) or bgr.ndim not in (2, 3) or min(bgr.shape[:2]) < 16 or bgr.dtype != np.uint8:
        return ScanResult(None, "scanning.reason.not_image", ())
    if bgr.ndim == 3 and bgr.shape[2] == 4:
        bgr = cv2.cvtColor(bgr, cv2.COLOR_BGRA2BGR)
    elif bgr.ndim == 3 and bgr.shape[2] != 3:
        return ScanResult(None, "scanning.reason.not_image", ())
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    pending = _BARCODES.submit(_timed_barcodes, bgr) if barcodes else None
    read, corners, sharp = read_mrz(bgr, thorough, None if thorough else Budget(LIVE_BUDGET_S))
    timings["mrz"] = (time.perf_counter() - t0) * 1000
    codes: tuple[Barcode, ...] = ()
    if pending is not None:
        codes, timings["barcodes"] = pending.result()
    timings["total"] = (time.perf_counter() - t0) * 1000
    corner_t = tuple((float(x), float(y)) for x, y in corners) if corners is not None else None
    if read is None:
        return ScanResult(None, "scanning.reason.no_mrz", codes, corner_t, sharp, 0.0, timings)
    if read.result is None:
        return ScanResult(None, "scanning.reason.unreadable", codes, corner_t, sharp,
                          read.reading.mean_confidence, timings)
    return ScanResult(read.result, "", codes, corner_t, sharp, read.reading.mean_confidence, timings)
