"""The shipped MRZ character model is the one its training script (tools/mrz/train.py) declares."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np

from station.scanning.mrz.checkdigits import ALPHABET
from station.scanning.mrz.ocr import CELL_H, CELL_W, load_model, model_path

ROOT = Path(__file__).resolve().parents[3]
TRAINER = ROOT / "tools" / "mrz" / "train.py"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_shipped_model_matches_its_record_and_trainer() -> None:
    record = json.loads(model_path().with_suffix(".json").read_text(encoding="utf-8"))
    assert record["model_sha256"] == _sha(model_path()), "model changed without its record"
    assert record["trainer"] == "tools/mrz/train.py"
    assert record["trainer_sha256"] == _sha(TRAINER), "trainer changed: retrain (python -m tools.mrz.train)"
    assert record["cell"] == [CELL_W, CELL_H] and record["alphabet"] == ALPHABET
    with np.load(model_path()) as data:
        assert data["w1"].shape == (CELL_W * CELL_H, record["arguments"]["hidden"])
        assert data["w2"].shape == (record["arguments"]["hidden"], len(ALPHABET))
        assert "".join(data["alphabet"]) == ALPHABET
    assert load_model().probs(np.zeros((1, CELL_W * CELL_H), np.float32)).shape == (1, len(ALPHABET))


def test_trainer_lives_outside_the_runtime_package() -> None:
    assert importlib.util.find_spec("station.scanning.mrz.train") is None
    assert TRAINER.is_file()


CTC_TRAINER = ROOT / "tools" / "mrz" / "train_ctc.py"
CTC_RENDERER = ROOT / "tools" / "mrz" / "render_lines.py"


def test_ctc_line_model_if_shipped_matches_its_record_and_trainer() -> None:
    """The CTC line recognizer is used only when its model is shipped; then it must be the one
    tools/mrz/train_ctc.py declares, small, and readable by OpenCV's dnn module."""
    import pytest

    from station.scanning.mrz import ctc

    assert CTC_TRAINER.is_file()
    if not ctc.available():
        pytest.skip("no CTC line model shipped: the cell classifier reads the MRZ")
    path = ctc.model_path()
    record = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert record["model_sha256"] == _sha(path), "model changed without its record"
    assert record["trainer"] == "tools/mrz/train_ctc.py"
    assert record["trainer_sha256"] == _sha(CTC_TRAINER), "trainer changed: retrain (python -m tools.mrz.train_ctc)"
    assert record["renderer"] == "tools/mrz/render_lines.py"
    assert record["renderer_sha256"] == _sha(CTC_RENDERER), "training data changed: retrain"
    assert record["strip_height"] == ctc.STRIP_H and record["alphabet"] == ALPHABET
    assert path.stat().st_size < 2 * 1024 * 1024
    probs = ctc.run([np.zeros((ctc.STRIP_H, 200), np.float32)])
    assert probs[0].shape == (50, len(ALPHABET) + 1)
