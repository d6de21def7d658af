"""Read whole MRZ lines with a small fully-convolutional network trained with CTC (no cell cutting).

Each text line the zone finder reports is cut out along its baseline as a strip STRIP_H px high
(STRIP_SPAN character heights), stretched to ink 0..1, and run through the network with OpenCV's dnn
module (opencv-python-headless is a dependency already; no other runtime is needed). The network gives,
for every 4 px column of the strip, the probability of each MRZ character or of "no character" (blank).
A line is decoded to exactly the number of characters its layout has (30, 36 or 44) by a best path
constrained to that length; each character carries the probability of its best column (its confidence)
and the other characters likely there (offered to check-digit repair). The probabilities are taken at
the temperature the trainer fitted on held-out training renderings (the model's .json record), so a
character read at 0.97 is right about that often. A line whose characters are not evenly spaced (word
gaps: printed text near the zone, not MRZ) is not read at all.

The model (station/resources/models/mrz_ctc.onnx) is produced by `python -m tools.mrz.train_ctc`,
which cuts its training strips with `line_strip` below, so it learns the very crops it will see.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from station.paths import resources_dir
from station.scanning.mrz.checkdigits import ALPHABET

MODEL_FILE = "models/mrz_ctc.onnx"
STRIP_H = 24  # network input height (32 measured no better for 1.8x the time)
STRIP_SPAN = 1.8  # strip height in character heights
END_PAD = 1.3  # character heights kept beyond the first and last character centres
BLANK = len(ALPHABET)  # class index of "no character"
ALT_MIN_PROB = 0.02  # a second guess this likely is offered to check-digit repair


def model_path() -> Path:
    return resources_dir() / MODEL_FILE


def available() -> bool:
    return model_path().is_file()


@cache
def temperature(path: Path | None = None) -> float:
    """The logits' temperature in the model's record (calibration.temperature; 1.0 when not recorded)."""
    record = (path or model_path()).with_suffix(".json")
    try:
        value = json.loads(record.read_text(encoding="utf-8")).get("calibration", {}).get("temperature", 1.0)
    except (OSError, ValueError, AttributeError):
        return 1.0
    return float(value) if isinstance(value, (int, float)) and 0.25 <= value <= 10 else 1.0


@cache
def load_net(path: Path | None = None) -> Any:
    net = cv2.dnn.readNetFromONNX(str(path or model_path()))
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    return net


def line_strip(gray: np.ndarray, start: tuple[float, float], end: tuple[float, float], char_h: float) -> np.ndarray:
    """The strip (STRIP_H px high, float32 ink 0..1) along the segment from the first character's centre
    `start` to the last one's `end` (image coordinates), for characters `char_h` px high."""
    x0, y0 = start
    x1, y1 = end
    length = max(float(np.hypot(x1 - x0, y1 - y0)), 1.0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    nx, ny = -uy, ux
    k = STRIP_H / (STRIP_SPAN * max(char_h, 2.0))  # output px per image px
    pad = END_PAD * char_h
    out_w = max(16, round((length + 2 * pad) * k))
    half = STRIP_SPAN * char_h / 2
    ox, oy = x0 - pad * ux - half * nx, y0 - pad * uy - half * ny  # image point of the strip's top-left
    src = np.array([[ox, oy], [ox + ux * (length + 2 * pad), oy + uy * (length + 2 * pad)],
                    [ox + nx * 2 * half, oy + ny * 2 * half]], np.float32)
    dst = np.array([[0, 0], [out_w, 0], [0, STRIP_H]], np.float32)
    if k < 0.6:  # large characters: smooth first so the warp does not alias thin strokes
        gray = cv2.GaussianBlur(gray, (0, 0), 0.45 / k)
    m = cv2.getAffineTransform(src, dst)
    strip = cv2.warpAffine(gray, m, (out_w, STRIP_H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return normalise_strip(strip)


def normalise_strip(strip: np.ndarray) -> np.ndarray:
    """Grey strip -> ink 0..1 stretched between the 3rd and 97th percentile of each stretch of it (about
    three character widths), so a glare spot or shadow over part of the line does not matter."""
    ink = 255.0 - strip.astype(np.float32)
    h, w = ink.shape
    step = 3 * STRIP_H
    n = max(1, -(-w // step))
    padded = np.pad(ink, ((0, 0), (0, n * step - w)), mode="reflect" if w > 1 else "edge")
    blocks = padded.reshape(h, n, step).transpose(1, 0, 2).reshape(n, -1)
    lo, hi = np.percentile(blocks, [3, 97], axis=1)
    if n > 1:  # each stretch also looks at its neighbours
        lo = np.minimum(lo, np.minimum(np.r_[lo[1:], lo[-1]], np.r_[lo[0], lo[:-1]]))
        hi = np.maximum(hi, np.maximum(np.r_[hi[1:], hi[-1]], np.r_[hi[0], hi[:-1]]))
    x = np.arange(w, dtype=np.float32)
    centres = np.arange(n, dtype=np.float32) * step + step / 2
    lo_c = np.interp(x, centres, lo).astype(np.float32)
    hi_c = np.interp(x, centres, hi).astype(np.float32)
    out: np.ndarray = np.clip((ink - lo_c) / np.maximum(hi_c - lo_c, 24.0), 0.0, 1.0).astype(np.float32)
    return out


def run(strips: list[np.ndarray], net: Any | None = None, temp: float | None = None) -> list[np.ndarray]:
    """Per strip: (T, len(ALPHABET) + 1) column probabilities (softmax over characters and blank, at
    temperature `temp`: by default the shipped model's calibrated one, 1.0 for a net given here)."""
    if not strips:
        return []
    if temp is None:
        temp = 1.0 if net is not None else temperature()
    net = net or load_net()
    width = max(s.shape[1] for s in strips)
    width += (-width) % 4
    batch = np.zeros((len(strips), 1, STRIP_H, width), np.float32)
    for i, s in enumerate(strips):
        batch[i, 0, :, : s.shape[1]] = s
    net.setInput(batch)
    logits = np.asarray(net.forward(), np.float32).reshape(len(strips), BLANK + 1, -1)
    out = []
    for i, s in enumerate(strips):
        z = logits[i, :, : s.shape[1] // 4].T / np.float32(temp)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        out.append(e / e.sum(axis=1, keepdims=True))
    return out


@dataclass(frozen=True)
class LineRead:
    text: str
    confidence: tuple[float, ...]
    alternatives: dict[int, dict[str, float]]  # position -> other likely characters and probabilities
    # (n, len(ALPHABET)) probability of each character at each character's best column (blank left out)
    dists: np.ndarray | None = field(default=None, compare=False, repr=False)


def greedy(probs: np.ndarray) -> str:
    best = probs.argmax(axis=1)
    out, prev = [], BLANK
    for c in best:
        if c != prev and c != BLANK:
            out.append(ALPHABET[c])
        prev = int(c)
    return "".join(out)


MAX_LENGTH_GAP = 3  # a best path this many characters off the layout's length is constrained to it


def decode(probs: np.ndarray, n: int) -> LineRead | None:
    """The line as `n` characters: the best path when it has that many, else the likeliest path that
    has (when the best path is at most MAX_LENGTH_GAP off); None when the strip does not hold `n`."""
    best = probs.argmax(axis=1)
    starts = np.flatnonzero((best != BLANK) & (np.r_[BLANK, best[:-1]] != best))
    if len(starts) == n:
        ends = np.r_[starts[1:], len(best)]
        frames = [np.arange(a, b)[best[a:b] == best[a]] for a, b in zip(starts, ends, strict=True)]
        return _line_read(probs, frames, [int(best[a]) for a in starts])
    if abs(len(starts) - n) > MAX_LENGTH_GAP:
        return None
    return constrained(probs, n)


GAP_RATIO = 1.6  # characters this many median spacings apart (and 2 columns more) have a word gap between
MAX_GAPS = 1  # an MRZ line has no word gaps; one is allowed for a character the network did not see
GAP_MIN_LENGTH = 20  # shorter lines (not MRZ) are not judged


def word_gaps(cols: Sequence[int]) -> int:
    """How many word gaps (spaces) lie between the characters read at columns `cols`."""
    if len(cols) < GAP_MIN_LENGTH:
        return 0
    d = np.diff(np.asarray(cols, np.float32))
    med = float(np.median(d))
    return int(np.count_nonzero(d >= max(GAP_RATIO * med, med + 2)))


def _alternatives(dist: np.ndarray, chosen: int) -> dict[str, float]:
    """The (at most two) other likely characters of a character read as `chosen` from `dist` (one column's
    probabilities, blank left out), with their share of it."""
    p = dist / max(float(dist.sum()), 1e-9)
    order = [int(o) for o in np.argsort(-p)[:3] if o != chosen][:2]
    return {ALPHABET[o]: float(p[o]) for o in order if p[o] >= ALT_MIN_PROB}


def _line_read(probs: np.ndarray, frames: Sequence[Sequence[int] | np.ndarray],
               symbols: list[int]) -> LineRead | None:
    """Each character's confidence is its probability at its most confident column; the other likely
    characters at that column are its alternatives. None when the characters have word gaps between them."""
    chars: list[str] = []
    conf: list[float] = []
    alts: dict[int, dict[str, float]] = {}
    cols: list[int] = []
    for fs, sym in zip(frames, symbols, strict=True):
        cols.append(int(np.asarray(fs)[int(np.argmax(probs[np.asarray(fs), sym]))]))
    if word_gaps(cols) > MAX_GAPS:
        return None
    for i, (col, sym) in enumerate(zip(cols, symbols, strict=True)):
        chars.append(ALPHABET[sym])
        conf.append(float(probs[col, sym]))
        second = _alternatives(probs[col, :BLANK], sym)
        if second:
            alts[i] = second
    return LineRead("".join(chars), tuple(conf), alts, probs[cols, :BLANK].astype(np.float32))


def average(reads: Sequence[LineRead]) -> LineRead:
    """One reading of a line from several readings of it (the same line cut a little differently), each
    `n` characters long: per character, the most likely one under the mean of the readings' distributions,
    as sure as the least sure reading was of it. The readings come from one image and err together, so
    their mean must not vouch for more than any one of them: with the mean as the confidence, a J under a
    stamp read as U by most cuts passed at 0.935 (field benchmark, held-out seed 3000000: valid-but-wrong
    1 -> 2); with the least, it stays doubted (1), at the cost of 2 of 150 right reads."""
    given = [r.dists for r in reads if r.dists is not None]
    if len(reads) == 1 or len(given) != len(reads):
        return reads[0]
    dists = np.mean(given, axis=0)
    best = dists.argmax(axis=1)
    chars = "".join(ALPHABET[int(c)] for c in best)
    stacked = np.stack(given)
    conf = tuple(float(stacked[:, i, c].min()) for i, c in enumerate(best))
    alts: dict[int, dict[str, float]] = {}
    for i, c in enumerate(best):
        second = _alternatives(dists[i], int(c))
        if second:
            alts[i] = second
    return LineRead(chars, conf, alts, dists)


def constrained(probs: np.ndarray, n: int) -> LineRead | None:
    """The likeliest CTC path emitting exactly `n` characters (Viterbi over (emitted, symbol) states)."""
    t_len, k = probs.shape
    if t_len < n:
        return None
    logp = np.log(np.maximum(probs, 1e-12))
    neg = -1e30
    # state (emitted j, last symbol s): s = BLANK after a blank, else the character being emitted
    score = np.full((n + 1, k), neg)
    score[0, BLANK] = logp[0, BLANK]
    score[1, :BLANK] = logp[0, :BLANK]
    back = np.zeros((t_len, n + 1, k), np.int16)  # previous symbol (emitted j-1 when it changed char)
    back[0] = -1
    for t in range(1, t_len):
        lp = logp[t]
        new = np.full((n + 1, k), neg)
        bk = np.full((n + 1, k), -1, np.int16)
        # stay on blank or come to blank from a character (same j)
        stay_b = score[:, BLANK]
        best_char = score[:, :BLANK].max(axis=1)
        arg_char = score[:, :BLANK].argmax(axis=1)
        from_char = best_char > stay_b
        new[:, BLANK] = np.where(from_char, best_char, stay_b) + lp[BLANK]
        bk[:, BLANK] = np.where(from_char, arg_char, BLANK)
        # stay on the same character (same j)
        same = score[:, :BLANK] + lp[None, :BLANK]
        new[:, :BLANK] = same
        bk[:, :BLANK] = np.arange(BLANK)[None, :]
        # a new character c at j: from blank at j-1, or from a different character at j-1
        prev = score[:-1]
        pb = prev[:, BLANK]
        chars = prev[:, :BLANK]
        order = np.argsort(-chars, axis=1)[:, :2]
        top1 = np.take_along_axis(chars, order[:, :1], 1)[:, 0]
        top2 = np.take_along_axis(chars, order[:, 1:2], 1)[:, 0]
        # best predecessor character different from c: top1 unless c is top1
        is_top = np.arange(BLANK)[None, :] == order[:, :1]
        other = np.where(is_top, top2[:, None], top1[:, None])
        other_arg = np.where(is_top, order[:, 1:2], order[:, :1])
        use_blank = pb[:, None] >= other
        cand = np.where(use_blank, pb[:, None], other) + lp[None, :BLANK]
        better = cand > new[1:, :BLANK]
        new[1:, :BLANK] = np.where(better, cand, new[1:, :BLANK])
        bk[1:, :BLANK] = np.where(better, np.where(use_blank, BLANK, other_arg) + 1000, bk[1:, :BLANK])
        score = new
        back[t] = bk
    end = score[n]
    s = int(end.argmax())
    if end[s] <= neg / 2:
        return None
    # trace back: the frames of each emitted character
    frames: list[list[int]] = [[] for _ in range(n)]
    symbols = [BLANK] * n
    j = n
    for t in range(t_len - 1, -1, -1):
        if s != BLANK:
            frames[j - 1].append(t)
            symbols[j - 1] = s
        b = int(back[t, j, s])
        if b >= 1000:  # a new character began at t
            j -= 1
            b -= 1000
        s = b
        if t > 0 and s < 0:
            return None
    return _line_read(probs, frames, symbols)
