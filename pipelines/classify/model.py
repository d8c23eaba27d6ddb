"""The learned relevance model at run time: hashed character n-grams plus the rule signals, scored with numpy.

The model is a logistic regression stored as data: `pipelines/data/relevance-model.json` (settings, the
rule-signal weights, the intercept, how it was trained) and `pipelines/data/relevance-model.npy` (one weight
per hashed n-gram bucket). `bench/train_relevance.py` rebuilds both from the real-web corpus's development
part; scoring here needs numpy only, never scikit-learn.

Features of one document (the same function feeds training and scoring):
  title, opening, body   character 1..`max_n`-grams of the title, the first `opening_chars` and the first
                         `body_chars` characters of the body (ASCII digits read as 0, white space dropped),
                         each hashed into its own block of 2**`bits` buckets, present/absent, each block
                         scaled to unit length
  rules                  the rule scorer's signals (pipelines/classify/relevance.py: RuleEvidence.signals)
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MODEL_JSON = DATA_DIR / "relevance-model.json"
MODEL_WEIGHTS = DATA_DIR / "relevance-model.npy"

BLOCKS = ("title", "opening", "body")
CODE_BITS = 21  # a Unicode code point fits in 21 bits, so a trigram's key fits in 63
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of key * this are well mixed
_SALT = 0xD6E8FEB86659FD93
_MASK = (1 << 64) - 1


@dataclass(frozen=True)
class TextSettings:
    """How a document becomes hashed n-gram features."""

    bits: int
    max_n: int
    opening_chars: int
    body_chars: int

    @property
    def buckets(self) -> int:
        return 1 << self.bits


@dataclass(frozen=True)
class Grams:
    """One text block's hashed n-grams: the distinct buckets, and for each n-gram its bucket and text offset."""

    codes: np.ndarray            # the block's folded characters
    buckets: np.ndarray          # distinct bucket numbers, sorted
    orders: list[np.ndarray]     # per n (1..max_n): the bucket of the n-gram starting at each offset


def folded_codes(text: str) -> np.ndarray:
    """The text's characters as code points, without white space or controls, ASCII digits read as 0 and
    ASCII letters in lower case (so 2025年 and 2024年, R&D and r&d, read alike)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    codes = codes[codes > 0x20]
    codes = np.where((codes >= 0x30) & (codes <= 0x39), np.uint32(0x30), codes)
    return np.where((codes >= 0x41) & (codes <= 0x5A), codes + np.uint32(0x20), codes).astype(np.uint64)


def hashed_grams(text: str, block: int, settings: TextSettings) -> Grams:
    """The character n-grams of one block hashed into its buckets (block number salts the hash)."""
    codes = folded_codes(text)
    shift, salt = np.uint64(64 - settings.bits), np.uint64(((block + 1) * _SALT) & _MASK)
    orders, keys = [], codes
    for n in range(1, settings.max_n + 1):
        if n > 1:
            keys = (keys[:-1] << np.uint64(CODE_BITS)) | codes[n - 1:]
        orders.append(((keys + salt) * _MULTIPLIER) >> shift)
    present = np.zeros(settings.buckets, dtype=bool)
    for order in orders:
        present[order] = True
    return Grams(codes=codes, buckets=np.flatnonzero(present), orders=orders)


def text_features(title: str, body: str, settings: TextSettings) -> list[Grams]:
    """The hashed n-grams of the title, the opening and the body, in BLOCKS order."""
    texts = (title, body[:settings.opening_chars], body[:settings.body_chars])
    return [hashed_grams(text, i, settings) for i, text in enumerate(texts)]


def sparse_row(grams: list[Grams], settings: TextSettings) -> tuple[np.ndarray, np.ndarray]:
    """(column, value) of the text features in one weight vector: block i at offset i * buckets, unit length."""
    columns, values = [], []
    for i, block in enumerate(grams):
        if len(block.buckets):
            columns.append(block.buckets + i * settings.buckets)
            values.append(np.full(len(block.buckets), 1.0 / math.sqrt(len(block.buckets))))
    if not columns:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(columns), np.concatenate(values)


@dataclass(frozen=True)
class RelevanceModel:
    """A logistic regression over text features and rule signals."""

    settings: TextSettings
    signals: tuple[str, ...]
    signal_weights: np.ndarray
    intercept: float
    weights: np.ndarray          # len(BLOCKS) * buckets

    def score(self, title: str, body: str, signals: Mapping[str, float]) -> tuple[float, list[tuple[str, float]]]:
        """The probability that a document is relevant, and every feature's contribution to its log-odds
        (n-grams by their text, rule signals by name), largest first in magnitude."""
        grams = text_features(title, body, self.settings)
        columns, values = sparse_row(grams, self.settings)
        dense = np.array([float(signals[name]) for name in self.signals])
        gram_parts = self.weights[columns] * values
        log_odds = self.intercept + float(gram_parts.sum()) + float(dense @ self.signal_weights)
        parts = [(f"rules:{name}", float(w * x)) for name, w, x in zip(self.signals, self.signal_weights, dense)
                 if w * x]
        parts += named_gram_parts(grams, gram_parts, self.settings)
        parts.sort(key=lambda kv: -abs(kv[1]))
        return 1.0 / (1.0 + math.exp(-log_odds)), parts

    def summary(self, parts: list[tuple[str, float]], count: int = 3) -> str:
        """The strongest contributions as text: 'rules +1.9, 高新技术 +0.4'."""
        return ", ".join(f"{name.removeprefix('rules:')} {value:+.2f}" for name, value in parts[:count])


def named_gram_parts(grams: list[Grams], contributions: np.ndarray, settings: TextSettings,
                     count: int = 6) -> list[tuple[str, float]]:
    """The `count` n-gram buckets that contribute most, each named by its longest n-gram in the text.

    Contributions of one n-gram in several blocks (title and opening) are added under one name."""
    if not len(contributions):
        return []
    offsets = np.cumsum([0] + [len(block.buckets) for block in grams])
    named: dict[str, float] = {}
    strength = np.abs(contributions)
    top = np.argpartition(-strength, count - 1)[:count] if len(strength) > count else np.arange(len(strength))
    for at in sorted(top, key=lambda i: (-strength[i], i)):
        block = int(np.searchsorted(offsets, at, side="right")) - 1
        bucket = grams[block].buckets[at - offsets[block]]
        for n in range(settings.max_n, 0, -1):
            hit = np.flatnonzero(grams[block].orders[n - 1] == bucket)
            if len(hit):
                gram = "".join(map(chr, grams[block].codes[int(hit[0]):int(hit[0]) + n].tolist()))
                named[gram] = named.get(gram, 0.0) + float(contributions[at])
                break
    return list(named.items())


def model_from_data(data: Mapping, weights: np.ndarray, where: str = "relevance model") -> RelevanceModel:
    """A model from its JSON settings and weight vector; ValueError naming `where` when they do not fit."""
    try:
        text = data["text"]
        settings = TextSettings(bits=int(text["bits"]), max_n=int(text["max_n"]),
                                opening_chars=int(text["opening_chars"]), body_chars=int(text["body_chars"]))
        signals = tuple(data["signals"])
        signal_weights = np.array([float(data["signal_weights"][name]) for name in signals])
        intercept = float(data["intercept"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: missing or bad field ({exc})") from exc
    if not 1 <= settings.max_n <= 3 or not 8 <= settings.bits <= 24:
        raise ValueError(f"{where}: text.max_n must be 1..3 and text.bits 8..24")
    if weights.shape != (len(BLOCKS) * settings.buckets,):
        raise ValueError(f"{where}: {weights.shape[0] if weights.ndim else 0} weights, expected "
                         f"{len(BLOCKS) * settings.buckets}")
    return RelevanceModel(settings=settings, signals=signals, signal_weights=signal_weights,
                          intercept=intercept, weights=weights.astype(np.float64))


@functools.lru_cache(maxsize=4)
def load_model(json_path: Path = MODEL_JSON, weights_path: Path = MODEL_WEIGHTS) -> RelevanceModel:
    """The shipped relevance model, loaded once per process; ValueError naming the file when it is unusable."""
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
        weights = np.load(weights_path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{json_path.name}/{weights_path.name}: cannot read the relevance model ({exc}); "
                         f"rebuild it with `.venv/bin/python bench/train_relevance.py`") from exc
    return model_from_data(data, weights, str(json_path))
