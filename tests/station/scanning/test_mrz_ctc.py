"""The CTC line decoder (station.scanning.mrz.ctc): a line comes out with exactly its layout's length,
each character with its own confidence and the reader's other guesses."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from station.scanning.mrz import ctc
from station.scanning.mrz.checkdigits import ALPHABET


def _probs(frames: list[int], sure: float = 0.9) -> np.ndarray:
    p = np.full((len(frames), ctc.BLANK + 1), (1 - sure) / ctc.BLANK, np.float32)
    p[np.arange(len(frames)), frames] = sure
    return p


def _frames(text: str, rng: np.random.Generator) -> list[int]:
    out: list[int] = []
    for i, ch in enumerate(text):
        gap = int(rng.integers(0, 3))
        if i and text[i - 1] == ch:
            gap = max(gap, 1)  # CTC needs a blank between two equal characters
        out += [ctc.BLANK] * gap + [ALPHABET.index(ch)] * int(rng.integers(1, 4))
    return out + [ctc.BLANK] * int(rng.integers(0, 3))


def test_best_path_and_constrained_path_agree_on_clean_columns() -> None:
    rng = np.random.default_rng(3)
    for _ in range(100):
        text = "".join(rng.choice(list(ALPHABET), int(rng.integers(3, 20))))
        p = _probs(_frames(text, rng))
        read = ctc.decode(p, len(text))
        assert read is not None and read.text == text
        assert ctc.greedy(p) == text
        constrained = ctc.constrained(p, len(text))
        assert constrained is not None and constrained.text == text


def test_fillers_run_together_are_split_to_the_layout_length() -> None:
    """Two fillers whose separating blank was lost: the best path reads one, the layout needs two."""
    frames = [ALPHABET.index("P"), ctc.BLANK, ALPHABET.index("<"), ALPHABET.index("<"), ALPHABET.index("<"),
              ctc.BLANK, ALPHABET.index("A")]
    p = _probs(frames)
    p[3, ctc.BLANK] = 0.3  # the middle column was a little blank
    p[3] /= p[3].sum()
    assert ctc.greedy(p) == "P<A"
    read = ctc.decode(p, 4)
    assert read is not None and read.text == "P<<A"
    assert len(read.confidence) == 4


def test_confidence_and_alternatives_come_from_the_character_column() -> None:
    frames = [ALPHABET.index("D"), ctc.BLANK, ALPHABET.index("7")]
    p = _probs(frames)
    p[0] = 0.0
    p[0, ALPHABET.index("D")], p[0, ALPHABET.index("0")], p[0, ctc.BLANK] = 0.6, 0.3, 0.1
    read = ctc.decode(p, 2)
    assert read is not None and read.text == "D7"
    assert abs(read.confidence[0] - 0.6) < 1e-6 and read.confidence[1] > 0.85
    assert abs(read.alternatives[0]["0"] - 0.3 / 0.9) < 1e-6
    assert 1 not in read.alternatives or all(v < 0.05 for v in read.alternatives[1].values())


def test_a_strip_too_short_or_far_off_the_length_is_not_read() -> None:
    p = _probs([ALPHABET.index("A"), ctc.BLANK, ALPHABET.index("B")])
    assert ctc.decode(p, 30) is None
    assert ctc.constrained(p, 30) is None


def test_line_strip_is_level_and_normalised() -> None:
    gray = np.full((200, 600), 220, np.uint8)
    gray[95:105, 100:500] = 30  # a dark bar along a line at y=100
    strip = ctc.line_strip(gray, (110.0, 100.0), (490.0, 100.0), 10.0)
    assert strip.shape[0] == ctc.STRIP_H and strip.dtype == np.float32
    assert 0.0 <= strip.min() and strip.max() <= 1.0
    mid = strip[ctc.STRIP_H // 2, strip.shape[1] // 2]
    top = strip[1, strip.shape[1] // 2]
    assert mid > 0.8 and top < 0.2


def _spaced(text: str, pitch: int = 3) -> list[int]:
    """One column per character, `pitch` columns apart; a space is a character's worth of blanks."""
    out: list[int] = []
    for ch in text:
        cell = [ctc.BLANK] * pitch
        if ch != " ":
            cell[0] = ALPHABET.index(ch)
        out += cell
    return out


def test_a_line_of_words_is_not_read_as_an_mrz_line() -> None:
    """Printed labels near the zone read cleanly, but their word gaps show they are not an MRZ line:
    a reading of them must not come out (its characters would be sure, its fields wrongly verified)."""
    words = "IASR MGKQC GTZRHWZW ZVBLC LTYFZB GSLTGI"
    n = len(words.replace(" ", ""))
    assert ctc.decode(_probs(_spaced(words)), n) is None
    assert ctc.constrained(_probs(_spaced(words)), n) is None
    line = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    read = ctc.decode(_probs(_spaced(line)), len(line))
    assert read is not None and read.text == line
    one_missed = line[:20] + " " + line[21:]  # a character the network did not see: still a line
    assert ctc.word_gaps([3 * i for i, c in enumerate(one_missed) if c != " "]) == 1
    assert ctc.decode(_probs(_spaced(one_missed)), len(line)) is not None


class _Net:
    """A stand-in for the dnn net: fixed logits (batch, classes, 1, frames)."""

    def __init__(self, logits: np.ndarray) -> None:
        self.logits = logits

    def setInput(self, batch: np.ndarray) -> None:  # OpenCV dnn's name
        self.shape = batch.shape

    def forward(self) -> np.ndarray:
        return self.logits


def test_probabilities_are_taken_at_the_recorded_temperature(tmp_path: Path) -> None:
    logits = np.zeros((1, ctc.BLANK + 1, 1, 5), np.float32)
    logits[0, ALPHABET.index("A"), 0, :] = 6.0
    net = _Net(logits)
    strip = np.zeros((ctc.STRIP_H, 20), np.float32)
    sharp = ctc.run([strip], net)[0][0, ALPHABET.index("A")]
    soft = ctc.run([strip], net, temp=2.0)[0][0, ALPHABET.index("A")]
    assert sharp > 0.9 and soft < 0.5 < sharp
    model = tmp_path / "m.onnx"
    model.with_suffix(".json").write_text('{"calibration": {"temperature": 1.8}}', encoding="utf-8")
    assert ctc.temperature(model) == 1.8
    other = tmp_path / "n.onnx"
    other.with_suffix(".json").write_text('{"calibration": {"temperature": "hot"}}', encoding="utf-8")
    assert ctc.temperature(other) == 1.0
    assert ctc.temperature(tmp_path / "absent.onnx") == 1.0
