"""Find the MRZ in a grey image: character blobs chained into text lines, then 2-3 aligned long lines.

Returns the geometry the reader needs: for each line, a fitted baseline and the centre of every one of
its N character cells (N = 30, 36 or 44; the pitch comes from the line's length because OCR-B in the MRZ
is monospaced). Residual perspective is absorbed by fitting cell centres with a quadratic in the index.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

MIN_CHAIN = 14  # blobs in a line before it may be MRZ
# A stamp or a glare spot over a few characters merges them into one shapeless component, which is
# dropped: the line falls apart into pieces shorter than MIN_CHAIN. Pieces this long are kept and joined
# with the collinear pieces beside them before the length is judged.
MIN_PIECE = 5
MAX_CANDIDATES = 5  # groups of lines tried in turn, most MRZ-like first


@dataclass(frozen=True)
class Blob:
    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class TextLine:
    blobs: tuple[Blob, ...]
    height: float  # typical character height
    slope: float
    intercept: float
    # Height of the tallest characters: a line mostly of fillers (a visa's name line, a TD1 third line)
    # has a low `height` (the 75th percentile is a filler's), which would part it from the line below it.
    cap: float = 0.0
    # Stretches (x from, x to) where pieces of the line were joined across a gap: something (a stamp, a
    # glare spot) covered the characters there, and they are not to be trusted where no digit checks them.
    gaps: tuple[tuple[float, float], ...] = ()

    @property
    def left(self) -> float:
        return float(self.blobs[0].cx)

    @property
    def right(self) -> float:
        return float(self.blobs[-1].cx)

    def y_at(self, x: float) -> float:
        return self.slope * x + self.intercept


@dataclass(frozen=True)
class Zone:
    lines: tuple[TextLine, ...]
    scale: float  # image coordinates / working coordinates

    @property
    def height(self) -> float:
        return float(np.median([ln.height for ln in self.lines]))


def binarize(gray: np.ndarray, char_h: float | None = None) -> np.ndarray:
    """Dark ink -> 255. Local threshold so that glare and shadow across the card do not matter."""
    block = int(char_h * 2.2) | 1 if char_h else 31
    block = max(block, 11)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)


def _blobs(binary: np.ndarray, min_h: int, max_h: int) -> list[Blob]:
    """Character-sized components. A wide one (characters run together: small print, blur, a run of
    fillers) is cut into character-wide pieces, so the line it belongs to stays whole."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    out = []
    width = binary.shape[1]
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if not (min_h <= h <= max_h and area >= 0.12 * w * h and area >= 6):
            continue
        if x == 0 or x + w >= width:  # the edge of a straightened card, not a character: it would lengthen
            continue  # the line, and a line too long for its characters is not read at all
        if w <= 1.6 * h:
            out.append(Blob(x, y, w, h))
        elif w <= 40 * h and area >= 0.2 * w * h:
            k = max(2, round(w / (0.85 * h)))
            piece = w / k
            out.extend(Blob(round(x + j * piece), y, max(1, round(piece)), h) for j in range(k))
    return out


def _chains(blobs: list[Blob], min_len: int = MIN_PIECE) -> list[list[Blob]]:
    """Link each blob to its nearest right neighbour of similar height on the same row."""
    blobs = sorted(blobs, key=lambda b: b.x)
    xs = np.array([b.x for b in blobs])
    nxt: dict[int, int] = {}
    taken: set[int] = set()
    for i, a in enumerate(blobs):
        best, best_gap = -1, 1e9
        lo = int(np.searchsorted(xs, a.x + 1))
        hi = int(np.searchsorted(xs, a.x + a.w + 2.2 * a.h))
        for j in range(lo, min(hi, len(blobs))):
            b = blobs[j]
            if not 0.55 < b.h / a.h < 1.8 or abs(b.cy - a.cy) > 0.45 * max(a.h, b.h):
                continue
            gap = b.cx - a.cx
            if gap <= 0.3 * a.h:
                continue
            if gap < best_gap:
                best, best_gap = j, gap
        if best >= 0 and best not in taken:
            nxt[i] = best
            taken.add(best)
    chains = []
    for i in range(len(blobs)):
        if i in taken:
            continue
        chain = [blobs[i]]
        k = i
        while k in nxt:
            k = nxt[k]
            chain.append(blobs[k])
        if len(chain) >= min_len:
            chains.append(chain)
    return chains


def _line(chain: list[Blob]) -> TextLine:
    cx = np.array([b.cx for b in chain])
    cy = np.array([b.cy for b in chain])
    dx = cx - cx.mean()
    denom = float(dx @ dx)
    slope = float(dx @ (cy - cy.mean())) / denom if denom > 0 else 0.0  # least squares, as np.polyfit(deg=1)
    intercept = float(cy.mean()) - slope * float(cx.mean())
    height, cap = np.percentile([b.h for b in chain], [75, 90])
    return TextLine(tuple(chain), float(height), slope, intercept, float(cap))


def _merge_collinear(lines: list[TextLine]) -> list[TextLine]:
    """Join pieces of one line split by a gap (a glare spot, a broken character)."""
    lines = sorted(lines, key=lambda ln: ln.left)
    out: list[TextLine] = []
    for ln in lines:
        for k, prev in enumerate(out):
            gap = ln.left - prev.right
            same_row = abs(prev.y_at(ln.left) - ln.blobs[0].cy) < 0.5 * prev.height
            if -0.5 * prev.height < gap < 8 * prev.height and same_row and 0.7 < ln.cap / prev.cap < 1.4:
                hidden = ((prev.right, ln.left),) if gap > prev.height else ()
                out[k] = replace(_line([*prev.blobs, *ln.blobs]), gaps=(*prev.gaps, *ln.gaps, *hidden))
                break
        else:
            out.append(ln)
    return out


def find_zones(gray: np.ndarray, work_width: int = 1100, limit: int = MAX_CANDIDATES, zoom: float = 1.0) -> list[Zone]:
    """Groups of 2 or 3 long, parallel, left-aligned text lines, most MRZ-like first (at most `limit`).

    Printed labels or a line of text near the MRZ can outscore it, so the reader tries each in turn
    until one validates. `zoom` > 1 enlarges the image first (capped at `work_width` * zoom), so that
    characters a few pixels high still come apart as blobs.
    """
    scale = 1.0
    target = min(gray.shape[1] * zoom, work_width * zoom) if zoom > 1 else min(gray.shape[1], work_width)
    if round(target) != gray.shape[1]:
        scale = gray.shape[1] / target
        interp = cv2.INTER_AREA if scale > 1 else cv2.INTER_CUBIC
        gray = cv2.resize(gray, (round(target), round(gray.shape[0] / scale)), interpolation=interp)
    binary = binarize(gray)
    h_img = gray.shape[0]
    blobs = _blobs(binary, 6, max(12, h_img // 3))
    lines = _merge_collinear([_line(c) for c in _chains(blobs)])
    lines = [ln for ln in lines if len(ln.blobs) >= MIN_CHAIN and ln.right - ln.left > 12 * ln.height]
    lines.sort(key=lambda ln: ln.y_at(ln.left))
    scored: list[tuple[float, list[TextLine]]] = []
    for i in range(len(lines)):
        for n in (3, 2):
            group = lines[i : i + n]
            if len(group) < n:
                continue
            hs = [g.cap for g in group]
            h = float(np.median(hs))
            ys = [g.y_at((g.left + g.right) / 2) for g in group]
            gaps = np.diff(ys)
            if max(hs) / min(hs) > 1.35 or np.any(gaps < 1.1 * h) or np.any(gaps > 2.6 * h):
                continue
            lefts = [g.left for g in group]
            rights = [g.right for g in group]
            span = max(rights) - min(lefts)
            if max(lefts) - min(lefts) > 2.5 * h or max(rights) - min(rights) > 0.3 * span:
                continue
            score = sum(len(g.blobs) for g in group) + (5 if n == 3 else 0)
            scored.append((score, group))
    scored.sort(key=lambda sg: -sg[0])
    return [Zone(tuple(group), scale) for _score, group in scored[:limit]]


def find_zone(gray: np.ndarray, work_width: int = 1100) -> Zone | None:
    """The most MRZ-like group of 2 or 3 long, parallel, left-aligned text lines, or None."""
    zones = find_zones(gray, work_width, 1)
    return zones[0] if zones else None


def cell_centres(line: TextLine, n: int, left: float, right: float) -> np.ndarray:
    """(n, 2) array of cell centres along `line`, refined by matching blobs to cell indices."""
    pitch = (right - left) / (n - 1)
    idx = np.arange(n, dtype=float)
    coeffs = np.array([0.0, pitch, left])
    for _ in range(2):
        xs_pred = np.polyval(coeffs, idx)
        ks, xs = [], []
        for b in line.blobs:
            k = int(np.argmin(np.abs(xs_pred - b.cx)))
            if abs(xs_pred[k] - b.cx) < 0.3 * pitch and b.w < 1.2 * pitch:
                ks.append(k)
                xs.append(b.cx)
        if len(set(ks)) >= 8:
            deg = 2 if len(set(ks)) >= 15 else 1
            fit = np.polyfit(np.array(ks, float), np.array(xs), deg)
            coeffs = fit if deg == 2 else np.array([0.0, *fit])
    cx = np.polyval(coeffs, idx)
    cy = line.slope * cx + line.intercept
    return np.stack([cx, cy], axis=1)
