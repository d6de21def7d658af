"""Build-time trainer for the MRZ character model: `python -m tools.mrz.train [--out PATH]`.

Renders MRZ blocks with the OCR-B font (Debian fonts-ocr-b) and a few other monospaced faces, degrades
them (small sizes, blur, halftone, motion blur, noise, JPEG, rotation, curvature, uneven light, security
print, stamps and highlights over the zone), cuts them with the runtime reader (locate + cut_cells) so
the classifier learns the very crops it will see, and fits a one-hidden-layer MLP in numpy.
Deterministic for a given seed.
The font is needed here only; the runtime ships the resulting .npz, and beside it a .json record of what
made it (this script's SHA-256, the arguments, the model's SHA-256) that tests/station/scanning/
test_mrz_model.py holds the shipped files to. Lives outside the runtime package on purpose.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from station.scanning.mrz.checkdigits import ALPHABET
from station.scanning.mrz.locate import find_zone
from station.scanning.mrz.ocr import CELL_H, CELL_W, cut_cells, model_path

FONT = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
# Other faces printers use for MRZs, so the model does not learn one font file by heart. Noto Sans Mono,
# Nimbus Mono PS and FreeMono are left out on purpose: the benchmark (tests/perf/test_mrz_field.py)
# reports them as fonts the model never saw.
EXTRA_FONTS = (
    Path("/usr/share/fonts/opentype/ocr-b/OCRBS.otf"),  # fonts-ocr-b, "sharp" cut
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),  # fonts-dejavu-core
    Path("/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf"),  # fonts-liberation
)
LETTERS = ALPHABET[10:36]


def random_line(rng: np.random.Generator, n: int) -> str:
    """Text shaped like MRZ lines: runs of letters, digits and fillers, every class well represented."""
    out: list[str] = []
    while len(out) < n:
        kind = rng.choice(3, p=[0.4, 0.35, 0.25])
        run = int(rng.integers(1, 9))
        pool = LETTERS if kind == 0 else "0123456789" if kind == 1 else "<"
        out.extend(rng.choice(list(pool), run))
    return "".join(out[:n])


def fonts() -> list[Path]:
    return [FONT, *(f for f in EXTRA_FONTS if f.is_file())]


def render_block(rng: np.random.Generator, lines: list[str], font_px: int, font_file: Path = FONT) -> np.ndarray:
    font = ImageFont.truetype(str(font_file), font_px)
    pitch = font.getlength("A")
    spacing = font_px * rng.uniform(1.0, 1.45)
    margin = int(font_px * rng.uniform(1.0, 3.0))
    w = int(pitch * len(lines[0]) + 2 * margin)
    h = int(spacing * len(lines) + 2 * margin)
    bg = int(rng.integers(150, 256))
    img = Image.new("L", (w, h), bg)
    draw = ImageDraw.Draw(img)
    ink = int(rng.integers(0, 90))
    for i, text in enumerate(lines):
        draw.text((margin, margin + i * spacing), text, font=font, fill=ink)
    arr = np.asarray(img, dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    light = 1.0 + rng.uniform(-0.25, 0.15) * (xx / w) + rng.uniform(-0.2, 0.2) * (yy / h)
    arr = arr * light + rng.normal(0, rng.uniform(0, 6), arr.shape)
    return np.clip(arr, 0, 255).astype(np.uint8)


def _overprint(rng: np.random.Generator, gray: np.ndarray) -> np.ndarray:
    """Security print over the zone: guilloche-like curves, a stamp's rings, a laminate highlight."""
    h, w = gray.shape
    out = gray.astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if rng.random() < 0.5:
        f = rng.uniform(0.02, 0.08)
        wave = np.sin(xx * f + 5 * np.sin(yy * f * rng.uniform(0.3, 1.2)) + rng.uniform(0, 6)) > 0.85
        out -= wave * rng.uniform(20, 70)
    if rng.random() < 0.4:
        c = (rng.uniform(0, w), rng.uniform(0, h))
        r = rng.uniform(0.1, 0.3) * w
        ring = np.abs(np.hypot(xx - c[0], yy - c[1]) - r) < max(1.0, h / 40)
        out -= ring * rng.uniform(40, 90)
    if rng.random() < 0.4:
        c = (rng.uniform(0, w), rng.uniform(0, h))
        spot = np.exp(-(((xx - c[0]) / (0.15 * w)) ** 2 + ((yy - c[1]) / (0.4 * h)) ** 2))
        out += spot * rng.uniform(60, 160)
    return np.clip(out, 0, 255).astype(np.uint8)


def degrade(rng: np.random.Generator, gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    if rng.random() < 0.5:
        gray = _overprint(rng, gray)
    if rng.random() < 0.25:  # page curvature
        amp = rng.uniform(0.5, 3.0) * h / 40
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        map_y = yy + amp * np.sin(np.pi * xx / w + rng.uniform(0, np.pi))
        gray = cv2.remap(gray, xx, map_y.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    angle = rng.uniform(-3, 3)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    gray = cv2.warpAffine(gray, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    if rng.random() < 0.2:  # print and scan: a halftone screen
        period = int(rng.integers(3, 6))
        yy, xx = np.mgrid[0:h, 0:w]
        screen = (np.sin(xx * 2 * np.pi / period) * np.sin(yy * 2 * np.pi / period) + 1) * 127
        gray = np.clip(0.55 * gray + 0.45 * (gray > screen * 0.9 + 10) * 255, 0, 255).astype(np.uint8)
    if rng.random() < 0.2:  # motion blur
        k = int(rng.integers(3, 7))
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1.0 / k
        rot = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1.0)
        kernel = cv2.warpAffine(kernel, rot, (k, k))
        gray = cv2.filter2D(gray, -1, kernel / max(float(kernel.sum()), 1e-6))
    if rng.random() < 0.5:  # resample through a lower resolution
        f = rng.uniform(0.5, 0.9)
        small = cv2.resize(gray, (max(8, int(w * f)), max(8, int(h * f))), interpolation=cv2.INTER_AREA)
        gray = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    sigma = rng.uniform(0, 1.6)
    if sigma > 0.3:
        gray = cv2.GaussianBlur(gray, (0, 0), sigma)
    noisy = gray.astype(np.float32) + rng.normal(0, rng.uniform(0, 12), gray.shape)
    gray = np.clip(noisy, 0, 255).astype(np.uint8)
    if rng.random() < 0.7:
        _ok, buf = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 95))])
        gray = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return gray


def samples(rng: np.random.Generator, blocks: int) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for _ in range(blocks):
        n_lines, n = [(3, 30), (2, 36), (2, 44)][int(rng.integers(0, 3))]
        lines = [random_line(rng, n) for _ in range(n_lines)]
        font_px = int(rng.integers(10, 20)) if rng.random() < 0.35 else int(rng.integers(20, 56))
        face = fonts()[0] if rng.random() < 0.4 else fonts()[int(rng.integers(0, len(fonts())))]
        gray = degrade(rng, render_block(rng, lines, font_px, face))
        zone = find_zone(gray)
        if zone is None or len(zone.lines) != n_lines:
            continue
        feats = cut_cells(gray, zone, n)
        xs.append(feats)
        ys.extend(ALPHABET.index(c) for c in "".join(lines))
    return np.concatenate(xs), np.array(ys, dtype=np.int64)


def fit(x: np.ndarray, y: np.ndarray, hidden: int, epochs: int, seed: int) -> dict[str, np.ndarray]:
    """Softmax MLP, one ReLU layer, Adam, weight decay."""
    rng = np.random.default_rng(seed)
    k = len(ALPHABET)
    mean = x.mean(axis=0).astype(np.float32)
    x = (x - mean).astype(np.float32)
    p = {
        "w1": (rng.normal(0, np.sqrt(2 / x.shape[1]), (x.shape[1], hidden))).astype(np.float32),
        "b1": np.zeros(hidden, np.float32),
        "w2": (rng.normal(0, np.sqrt(1 / hidden), (hidden, k))).astype(np.float32),
        "b2": np.zeros(k, np.float32),
    }
    m = {n: np.zeros_like(v) for n, v in p.items()}
    v = {n: np.zeros_like(val) for n, val in p.items()}
    step, lr, batch = 0, 2e-3, 256
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        rate = lr * (0.5 ** (epoch // max(1, epochs // 4)))
        for s in range(0, len(x), batch):
            idx = order[s : s + batch]
            xb = x[idx]
            h = np.maximum(xb @ p["w1"] + p["b1"], 0)
            z = h @ p["w2"] + p["b2"]
            z -= z.max(axis=1, keepdims=True)
            e = np.exp(z)
            prob = e / e.sum(axis=1, keepdims=True)
            prob[np.arange(len(idx)), y[idx]] -= 1
            dz = prob / len(idx)
            grads = {"w2": h.T @ dz + 1e-4 * p["w2"], "b2": dz.sum(0)}
            dh = (dz @ p["w2"].T) * (h > 0)
            grads["w1"] = xb.T @ dh + 1e-4 * p["w1"]
            grads["b1"] = dh.sum(0)
            step += 1
            for n in p:
                m[n] = 0.9 * m[n] + 0.1 * grads[n]
                v[n] = 0.999 * v[n] + 0.001 * grads[n] ** 2
                mh = m[n] / (1 - 0.9**step)
                vh = v[n] / (1 - 0.999**step)
                p[n] -= (rate * mh / (np.sqrt(vh) + 1e-8)).astype(np.float32)
    return {**p, "mean": mean}


def accuracy(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    h = np.maximum((x - params["mean"]) @ params["w1"] + params["b1"], 0)
    return float(((h @ params["w2"] + params["b2"]).argmax(1) == y).mean())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_path(model: Path) -> Path:
    return model.with_suffix(".json")


def write_record(model: Path, args: dict[str, object], figures: dict[str, object]) -> Path:
    """The record shipped beside the model: what produced it, checked by the test suite."""
    record = {
        "model": model.name,
        "model_sha256": sha256(model),
        "trainer": "tools/mrz/train.py",
        "trainer_sha256": sha256(Path(__file__)),
        "arguments": args,
        "fonts": [f.name for f in fonts()],
        "cell": [CELL_W, CELL_H],
        "alphabet": ALPHABET,
        "figures": figures,
    }
    out = record_path(model)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=model_path())
    ap.add_argument("--blocks", type=int, default=3000)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--seed", type=int, default=9303)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    x, y = samples(rng, args.blocks)
    xt, yt = samples(np.random.default_rng(args.seed + 1), max(50, args.blocks // 8))
    t1 = time.perf_counter()
    params = fit(x, y, args.hidden, args.epochs, args.seed)
    t2 = time.perf_counter()
    figures = {"samples": len(y), "train_accuracy": round(accuracy(params, x, y), 4),
               "held_out_accuracy": round(accuracy(params, xt, yt), 4)}
    print(f"samples {len(y)} (render+cut {t1 - t0:.1f}s), fit {t2 - t1:.1f}s, "
          f"train acc {figures['train_accuracy']:.4f}, held-out acc {figures['held_out_accuracy']:.4f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    half = {k: val.astype(np.float16) for k, val in params.items()}
    np.savez_compressed(args.out, **half, cell=np.array([CELL_W, CELL_H]), alphabet=np.array(list(ALPHABET)))
    arguments = {k: v for k, v in vars(args).items() if k != "out"}
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB), {write_record(args.out, arguments, figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
