"""Entry stamps over the MRZ: coloured ink is lifted out of the grey image (station.scanning.mrz.decolour) and
the zone is read under it; a black stamp, which no colour trick removes, is read right or refused."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from station.scanning import idscan
from station.scanning.mrz import decolour
from station.scanning.mrz.locate import find_zones
from tests.station.scanning.docgen import make_sample

BLUE, RED, BLACK = (190, 80, 30), (50, 40, 200), (40, 40, 40)  # BGR ink


def stamp(img: np.ndarray, ink: tuple[int, int, int], where: float) -> np.ndarray:
    """`img` with a round entry stamp (two rings, a bar and a date) over both MRZ lines at `where` (0..1
    along the zone), in `ink` that absorbs light as real ink does (the page shows through it)."""
    zone = find_zones(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))[0]
    s, h = zone.scale, zone.height
    top, bottom = zone.lines[0], zone.lines[-1]
    x = top.left + where * (top.right - top.left)
    y = (top.y_at(x) + bottom.y_at(x)) / 2
    centre, r, t = (round(x * s), round(y * s)), round(2.6 * h * s), max(2, round(0.3 * h * s))
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.circle(mask, centre, r, 255, t)
    cv2.circle(mask, centre, round(r * 0.72), 255, max(1, t // 2))
    cv2.line(mask, (centre[0] - r, centre[1] - round(0.6 * h * s)), (centre[0] + r, centre[1] - round(0.6 * h * s)),
             255, t)
    cv2.putText(mask, "ENTRY 02.12", (centre[0] - round(0.6 * r), centre[1] + round(0.3 * h * s)),
                cv2.FONT_HERSHEY_SIMPLEX, h * s / 30, 255, max(1, t // 2))
    cover = (mask.astype(np.float32) / 255 * 0.9)[..., None]
    colour = np.array(ink, np.float32)[None, None, :] / 255
    out: np.ndarray = np.clip(img.astype(np.float32) * (1 - cover + cover * colour), 0, 255).astype(np.uint8)
    return out


# (docgen seed, layout, where the stamp lies): across the names and the dates of TD1 and TD3 documents.
CASES = ((1, "TD1", 0.6), (3, "TD1", 0.3), (2, "TD3", 0.6))


@pytest.mark.parametrize("ink", [BLUE, RED], ids=["blue", "red"])
@pytest.mark.parametrize(("seed", "kind", "where"), CASES)
def test_a_zone_under_a_coloured_stamp_is_read_exactly(seed: int, kind: str, where: float,
                                                       ink: tuple[int, int, int]) -> None:
    sample = make_sample(seed, "easy", kind)
    r = idscan.scan_image(stamp(sample.image, ink, where), barcodes=False)
    assert r.mrz is not None and r.mrz.valid and r.mrz.lines == sample.lines


@pytest.mark.parametrize(("seed", "kind", "where"), CASES)
def test_without_lifting_the_ink_the_stamped_zone_does_not_read(monkeypatch: pytest.MonkeyPatch, seed: int,
                                                                kind: str, where: float) -> None:
    """The reading above is the lifted image's: the plain grey and the enhanced images do not read it."""
    monkeypatch.setattr(idscan, "_read_decoloured", lambda *a, **kw: None)
    sample = make_sample(seed, "easy", kind)
    for ink in (BLUE, RED):
        r = idscan.scan_image(stamp(sample.image, ink, where), barcodes=False)
        assert not (r.mrz is not None and r.mrz.valid)


@pytest.mark.parametrize(("seed", "kind", "where"), CASES[:2])
def test_a_black_stamp_is_found_and_read_right_or_refused(seed: int, kind: str, where: float) -> None:
    """Black ink has no colour to lift: the zone is still found, and what the stamp hides is not passed off
    as read (the cells it covers stay doubtful, ocr.hidden_cells)."""
    sample = make_sample(seed, "easy", kind)
    r = idscan.scan_image(stamp(sample.image, BLACK, where), barcodes=False)
    assert r.reason != "scanning.reason.no_mrz"
    assert r.mrz is None or not r.mrz.valid or r.mrz.lines == sample.lines


def test_lifting_fades_coloured_ink_and_keeps_black_print() -> None:
    page = np.full((60, 200, 3), (215, 225, 230), np.uint8)  # a slightly tinted page
    cv2.rectangle(page, (28, 20), (31, 40), (30, 30, 30), -1)  # a stroke of black print
    cv2.rectangle(page, (88, 20), (91, 40), (175, 70, 35), -1)  # a blue stamp's stroke
    cv2.rectangle(page, (148, 20), (151, 40), (45, 40, 185), -1)  # a red one
    plain = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    gray, excess = decolour.ink_saturation(page)
    assert decolour.has_coloured_ink(excess)
    lifted = decolour.lift(gray, excess, idscan.LIFT)
    paper = int(lifted[5, 5])
    assert int(plain[30, 90]) < paper - 100 and int(plain[30, 150]) < paper - 100  # dark as print in plain grey
    assert int(lifted[30, 90]) >= paper - 10 and int(lifted[30, 150]) >= paper - 10  # gone
    assert int(lifted[30, 30]) == int(plain[30, 30]) < 50  # the black print is untouched
    assert not decolour.has_coloured_ink(decolour.ink_saturation(cv2.cvtColor(plain, cv2.COLOR_GRAY2BGR))[1])
