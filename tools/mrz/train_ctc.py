"""Build-time trainer for the MRZ line recognizer: `python -m tools.mrz.train_ctc [--out PATH]`.

Takes rendered, degraded MRZ line strips (tools/mrz/render_lines.py: the training fonts, the capture
conditions, the Debian font packages it needs) and fits a small fully-convolutional network with CTC loss in
PyTorch. Exported to ONNX (opset 13, no recurrent layers) and run at run time by OpenCV's dnn module; PyTorch is
needed here only (`.venv/bin/pip install torch==2.13.0 onnx`: a CPU wheel; not a project dependency,
so CI never downloads it). Beside the model it writes a .json record (the SHA-256 of this script and of the
renderer, the arguments, the model's SHA-256, figures) that tests/station/scanning/test_mrz_model.py holds
the shipped files to. Deterministic in its data for a given seed. `--init MODEL.onnx` starts from the weights
of an earlier model of the same network (its SHA-256 goes into the record) instead of from random ones.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from station.scanning.mrz.checkdigits import ALPHABET
from station.scanning.mrz.ctc import BLANK, STRIP_H, greedy, model_path
from tools.mrz import render_lines
from tools.mrz.render_lines import fonts, parallel_samples, samples, shape_fonts


def build_net() -> Any:
    import torch.nn as nn

    def block(cin: int, cout: int, k: tuple[int, int] = (3, 3), pad: tuple[int, int] = (1, 1)) -> list[nn.Module]:
        return [nn.Conv2d(cin, cout, k, padding=pad, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

    return nn.Sequential(
        *block(1, 12), nn.MaxPool2d(2),  # 12 x W/2
        *block(12, 32), nn.MaxPool2d(2),  # 6 x W/4
        *block(32, 64), nn.MaxPool2d((2, 1)),  # 3 x W/4
        *block(64, 96),
        *block(96, 128, (3, 3), (0, 1)),  # 1 x W/4
        *block(128, 128, (1, 3), (0, 1)),
        nn.Dropout(0.1),
        nn.Conv2d(128, BLANK + 1, 1),
    )


def batches(data: list[tuple[np.ndarray, str]], size: int, rng: np.random.Generator) -> Iterator[tuple[Any, ...]]:
    import torch

    order = rng.permutation(len(data))
    for s in range(0, len(order), size):
        idx = order[s : s + size]
        width = max(data[i][0].shape[1] for i in idx)
        width += (-width) % 4
        x = np.zeros((len(idx), 1, STRIP_H, width), np.float32)
        for k, i in enumerate(idx):
            x[k, 0, :, : data[i][0].shape[1]] = data[i][0]
        targets = [ALPHABET.index(c) for i in idx for c in data[i][1]]
        yield (torch.from_numpy(x), torch.tensor(targets, dtype=torch.long),
               torch.tensor([data[i][0].shape[1] // 4 for i in idx], dtype=torch.long),
               torch.tensor([len(data[i][1]) for i in idx], dtype=torch.long))


def line_accuracy(net: Any, data: list[tuple[np.ndarray, str]]) -> float:
    import torch

    net.eval()
    ok = 0
    with torch.no_grad():
        for strip, text in data:
            z = net(torch.from_numpy(strip[None, None]))[0, :, 0, :].T
            ok += greedy(torch.softmax(z, 1).numpy()) == text
    net.train()
    return ok / max(1, len(data))


def load_init(net: Any, path: Path, data: list[tuple[np.ndarray, str]]) -> None:
    """Set `net` (build_net's, in eval mode) to compute what the exported model at `path` computes. The
    export folded each batch norm into its convolution; the convolution takes the folded weights and the
    batch norm is set to pass them through (its statistics those of its input on `data`, so that training
    mode, which normalises by the batch's own statistics, starts about where eval mode is)."""
    import onnx
    import torch
    from onnx import numpy_helper

    model = onnx.load(str(path))
    weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    nodes = [n for n in model.graph.node if n.op_type == "Conv"]
    convs = [m for m in net if isinstance(m, torch.nn.Conv2d)]
    if len(nodes) != len(convs):
        raise ValueError(f"{path}: {len(nodes)} convolutions, the network has {len(convs)}")
    biases: dict[int, np.ndarray] = {}
    modules = list(net)
    with torch.no_grad():
        for node, conv in zip(nodes, convs, strict=True):
            w, b = weights[node.input[1]], weights[node.input[2]]
            if tuple(w.shape) != tuple(conv.weight.shape):
                raise ValueError(f"{path}: a convolution of shape {w.shape}, the network's "
                                 f"{tuple(conv.weight.shape)}")
            conv.weight.copy_(torch.from_numpy(w.copy()))
            if conv.bias is not None:
                conv.bias.copy_(torch.from_numpy(b.copy()))
            else:
                biases[modules.index(conv) + 1] = b  # the batch norm after it adds it

    def pass_through(index: int) -> Any:
        def hook(bn: Any, inputs: tuple[Any, ...]) -> None:
            x = inputs[0]
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), unbiased=False)
            bn.running_mean.copy_(mean)
            bn.running_var.copy_(var)
            bn.weight.copy_(torch.sqrt(var + bn.eps))
            bn.bias.copy_(mean + torch.from_numpy(biases[index].copy()))
        return hook

    hooks = [modules[i].register_forward_pre_hook(pass_through(i)) for i in biases]
    x = next(batches(data, 64, np.random.default_rng(0)))[0]
    net.eval()
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    strip = data[0][0]
    ours = net(torch.from_numpy(strip[None, None])).detach().numpy()
    cv = cv2.dnn.readNetFromONNX(str(path))
    cv.setInput(strip[None, None])
    theirs = np.asarray(cv.forward())
    print(f"started from {path}: largest difference in logits {float(np.abs(ours - theirs).max()):.2e}", flush=True)


def fit(train: list[tuple[np.ndarray, str]], test: list[tuple[np.ndarray, str]], seed: int,
        minutes: float, init: Path | None = None, peak: float = 3e-3) -> Any:
    """AdamW with a warm-up and a cosine decay over a time budget (the machine's speed sets the steps),
    from random weights or from the model at `init`."""
    import math

    import torch

    torch.manual_seed(seed)
    net = build_net()
    if init is not None:
        load_init(net, init, train)
        print(f"initial held-out line accuracy {line_accuracy(net, test[:200]):.3f}", flush=True)
    opt = torch.optim.AdamW(net.parameters(), lr=peak, weight_decay=1e-4)
    ctc = torch.nn.CTCLoss(blank=BLANK, zero_infinity=True)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    epoch = 0
    done = False
    while not done:
        total, n = 0.0, 0
        for x, y, in_len, out_len in batches(train, 32, rng):
            frac = (time.perf_counter() - t0) / 60 / minutes
            if frac >= 1:
                done = True
                break
            for group in opt.param_groups:
                group["lr"] = peak * min(1.0, frac / 0.05) * (0.02 + 0.98 * (1 + math.cos(math.pi * frac)) / 2)
            logp = net(x)[:, :, 0, :].permute(2, 0, 1).log_softmax(2)
            loss = ctc(logp, y, in_len, out_len)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach())
            n += 1
        acc = line_accuracy(net, test[:200])
        print(f"epoch {epoch}: loss {total / max(1, n):.4f}, held-out line accuracy {acc:.3f}, "
              f"{(time.perf_counter() - t0) / 60:.1f} min", flush=True)
        epoch += 1
    net.eval()
    return net


def calibrate(net: Any, data: list[tuple[np.ndarray, str]]) -> dict[str, float]:
    """The temperature T (logits / T) that makes each read character's probability at its most confident
    column an honest chance that it is right, fitted on held-out TRAINING renderings (lowest negative
    log-likelihood of the true character, lines whose best path has the right length), and how often a
    character read at >= 0.97 is wrong before and after."""
    import torch

    cols: list[np.ndarray] = []
    truth: list[int] = []
    with torch.no_grad():
        for strip, text in data:
            z = net(torch.from_numpy(strip[None, None]))[0, :, 0, :].T.numpy().astype(np.float64)
            best = z.argmax(axis=1)
            starts = np.flatnonzero((best != BLANK) & (np.r_[BLANK, best[:-1]] != best))
            if len(starts) != len(text):
                continue
            ends = np.r_[starts[1:], len(best)]
            for a, b, ch in zip(starts, ends, text, strict=True):
                frames = np.arange(a, b)[best[a:b] == best[a]]
                col = frames[int(np.argmax(z[frames, best[a]]))]
                cols.append(z[col])
                truth.append(ALPHABET.index(ch))
    if not cols:
        return {"temperature": 1.0}
    logits = np.stack(cols)
    y = np.asarray(truth)

    def stats(t: float) -> tuple[float, float]:
        zt = logits / t
        zt = zt - zt.max(axis=1, keepdims=True)
        logp = zt - np.log(np.exp(zt).sum(axis=1, keepdims=True))
        read = logits.argmax(axis=1)
        conf = np.exp(logp[np.arange(len(y)), read])
        sure = conf >= 0.97
        return float(-logp[np.arange(len(y)), y].mean()), float(((read != y) & sure).sum() / max(1, sure.sum()))

    grid = [round(0.5 + 0.05 * i, 2) for i in range(91)]  # 0.5 .. 5.0
    best_t = min(grid, key=lambda t: stats(t)[0])
    return {"temperature": best_t, "characters": len(y), "error_rate": round(float((logits.argmax(1) != y).mean()), 5),
            "sure_wrong_rate_t1": round(stats(1.0)[1], 5), "sure_wrong_rate": round(stats(best_t)[1], 5)}


def export(net: Any, out: Path) -> None:
    import torch

    out.parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.zeros(1, 1, STRIP_H, 400)
    torch.onnx.export(net, (dummy,), str(out), opset_version=13, input_names=["strip"], output_names=["logits"],
                      dynamic_axes={"strip": {0: "batch", 3: "width"}, "logits": {0: "batch", 3: "frames"}},
                      dynamo=False)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_record(model: Path, args: Mapping[str, object], figures: Mapping[str, object],
                 calibration: Mapping[str, float] | None = None) -> Path:
    record = {
        "model": model.name,
        "model_sha256": sha256(model),
        "trainer": "tools/mrz/train_ctc.py",
        "trainer_sha256": sha256(Path(__file__)),
        "renderer": "tools/mrz/render_lines.py",
        "renderer_sha256": sha256(Path(render_lines.__file__)),
        "arguments": args,
        "fonts": [f.name for f in fonts()] + [f.name for f in shape_fonts()],
        "strip_height": STRIP_H,
        "alphabet": ALPHABET,
        "figures": figures,
        "calibration": dict(calibration or {"temperature": 1.0}),
    }
    path = model.with_suffix(".json")
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=model_path())
    ap.add_argument("--blocks", type=int, default=3000)
    ap.add_argument("--minutes", type=float, default=24.0)
    ap.add_argument("--seed", type=int, default=1717)
    ap.add_argument("--lr", type=float, default=3e-3, help="peak learning rate")
    ap.add_argument("--init", type=Path, default=None, help="start from this model's weights (same network)")
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(2)
    init_sha = sha256(args.init) if args.init is not None else ""  # before --out may overwrite it
    t0 = time.perf_counter()
    train = parallel_samples(args.seed, args.blocks)
    test = samples(np.random.default_rng(args.seed + 1), max(40, args.blocks // 40))
    t1 = time.perf_counter()
    print(f"{len(train)} training strips rendered in {t1 - t0:.0f}s", flush=True)
    net = fit(train, test, args.seed, args.minutes, args.init, args.lr)
    acc = line_accuracy(net, test)
    calibration = calibrate(net, test)
    print(f"calibration {calibration}", flush=True)
    export(net, args.out)
    figures = {"strips": len(train), "held_out_line_accuracy": round(acc, 4),
               "minutes": round((time.perf_counter() - t0) / 60, 1)}
    arguments: dict[str, object] = {k: v for k, v in vars(args).items() if k not in ("out", "init")}
    if init_sha:
        arguments["init_sha256"] = init_sha
    record = write_record(args.out, arguments, figures, calibration)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB), {record}, held-out line accuracy {acc:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
