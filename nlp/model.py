"""The exported linear classifier, scored in pure Python (serving never imports sklearn).

File format (nlp/data/model.json, written by `nlp.training`):

    {"format": "gridbot-linear/1", "classes": [...], "features": {feature config},
     "intercepts": [one per class], "weights": {"w:word" or "c:ngram": [[class, weight], ...]},
     "summary": {...}}

Weights are stored sparse (small ones pruned at training) and expanded to one dense tuple per
feature at load: summing tuples with zip/sum runs in C and is ~3x faster than sparse updates in
Python. A feature listed with no weights still counts towards the length of the message's
vector: training L2-normalised over the whole vocabulary, so serving must too.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

FORMAT = "gridbot-linear/1"


class LinearModel:
    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown model format {data.get('format')!r}")
        self.classes: list[str] = list(data["classes"])
        self.config: dict[str, Any] = dict(data["features"])
        self.intercepts: list[float] = [float(x) for x in data["intercepts"]]
        self.summary: dict[str, Any] = dict(data.get("summary", {}))
        k = len(self.classes)
        self.words: dict[str, tuple[float, ...]] = {}
        self.chars: dict[str, tuple[float, ...]] = {}
        for name, pairs in data["weights"].items():
            vec = [0.0] * k
            for c, w in pairs:
                vec[int(c)] = float(w)
            table = self.words if name.startswith("w:") else self.chars
            table[name[2:]] = tuple(vec)
        if len(self.intercepts) != k:
            raise ValueError("intercepts do not match classes")

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with path.open(encoding="utf-8") as fh:
            return cls(json.load(fh))

    @property
    def size(self) -> int:
        return len(self.words) + len(self.chars)

    def word_weight(self, word: str, class_index: int) -> float:
        vec = self.words.get(word)
        return vec[class_index] if vec is not None and class_index >= 0 else 0.0

    def scores(self, words: set[str], chars: set[str]) -> list[float]:
        """Class logits for a message's word and n-gram sets."""
        vecs = [v for v in map(self.words.get, words) if v is not None]
        vecs += [v for v in map(self.chars.get, chars) if v is not None]
        if not vecs:
            return list(self.intercepts)
        scale = 1.0 / math.sqrt(len(vecs))
        return [b + s * scale for s, b in zip(map(sum, zip(*vecs, strict=True)), self.intercepts, strict=True)]

    def predict(self, words: set[str], chars: set[str]) -> list[tuple[str, float]]:
        """(class, probability) for every class, most probable first."""
        logits = self.scores(words, chars)
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        return sorted(zip(self.classes, (e / total for e in exps), strict=True),
                      key=lambda cp: -cp[1])
