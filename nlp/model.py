"""The exported linear classifier, scored in pure Python (serving never imports sklearn).

File format (nlp/data/model.json, written by `nlp.training`):

    {"format": "gridbot-linear/1", "classes": [...], "features": {feature config},
     "intercepts": [one per class], "weights": {"w:word" or "c:ngram": [[class, weight], ...]},
     "summary": {...}}

Weights are stored sparse (small ones pruned at training) and rounded to 4 decimals. A feature
listed with no weights still counts towards the length of the message's vector: training
L2-normalised over the whole vocabulary, so serving must too.

Scoring packs each feature's 17 weights into one Python integer, a fixed-width field per class
(weight × 10⁴, offset to be non-negative). Adding a message's features is then one `sum()` of
integers in C instead of 17 float additions per feature in Python, and it is exact, because the
weights were rounded to 10⁻⁴ when exported. The fields are unpacked once per message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import math
import os
import tempfile
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

FORMAT = "gridbot-linear/1"
SCALE = 10_000          # the export rounds weights to 4 decimals
BIAS = 1 << 24          # |weight| × SCALE must stay below this (|weight| < 1677)
FIELD = 48              # bits per class: room for 2^23 features in one message
MASK = (1 << FIELD) - 1


T = TypeVar("T")


def own_file(fd: int) -> bool:
    """The open file belongs to this process's user: a cache in a shared temporary folder that
    someone else wrote is not read (set TMPDIR, or systemd's PrivateTmp, for a private one)."""
    getuid = getattr(os, "getuid", None)
    return getuid is None or os.fstat(fd).st_uid == getuid()


def cached(name: str, key: bytes, build: Callable[[], T],
           state: Callable[[T], tuple], restore: Callable[[tuple], T]) -> T:
    """`build()`, through a cache of what it built in the temporary folder (beside jieba's).

    Parsing a model's JSON and packing its weights, or indexing the homophones by sound, is most
    of the classifier's start-up; the built tables (plain dicts, lists and ints) come back from
    `marshal` several times faster. The cache file is named by a hash of `key` (the source
    files' bytes and whatever else the result depends on) and the interpreter's marshal format,
    written atomically, and ignored when it cannot be read or written: the sources stay the
    only truth, and a changed source never meets a stale cache."""
    digest = hashlib.sha256(key + marshal.version.to_bytes(2, "big")).hexdigest()[:24]
    path = Path(tempfile.gettempdir()) / f"gridbot-{name}-{digest}.marshal"
    try:
        with path.open("rb") as fh:
            if own_file(fh.fileno()):
                return restore(marshal.loads(fh.read()))  # load(fh) reads piece by piece: slow
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        pass
    built = build()
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            marshal.dump(state(built), out)
        os.replace(tmp, path)
    except (OSError, ValueError) as exc:
        logger.info("model: no cache of %s in %s (%s)", name, path.parent, exc)
    return built


def load_packed(path: Path, build: Callable[[dict[str, Any]], T],
                state: Callable[[T], tuple], restore: Callable[[tuple], T]) -> T:
    """`build(json.load(path))`, cached (see `cached`)."""
    raw = path.read_bytes()
    packing = f"{FORMAT} {SCALE} {BIAS} {FIELD}\n".encode()  # the packing code's parameters
    return cached(path.stem, packing + raw, lambda: build(json.loads(raw.decode("utf-8"))),
                  state, restore)


class LinearModel:
    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown model format {data.get('format')!r}")
        self.classes: list[str] = list(data["classes"])
        self.config: dict[str, Any] = dict(data["features"])
        self.intercepts: list[float] = [float(x) for x in data["intercepts"]]
        self.summary: dict[str, Any] = dict(data.get("summary", {}))
        k = len(self.classes)
        if len(self.intercepts) != k:
            raise ValueError("intercepts do not match classes")
        self.words: dict[str, int] = {}
        self.chars: dict[str, int] = {}
        zero = sum(BIAS << (FIELD * c) for c in range(k))
        for name, pairs in data["weights"].items():
            packed = zero
            for c, w in pairs:
                fixed = round(float(w) * SCALE)
                if abs(fixed) >= BIAS or not 0 <= int(c) < k:
                    raise ValueError(f"weight out of range for {name!r}")
                packed += fixed << (FIELD * int(c))
            table = self.words if name.startswith("w:") else self.chars
            table[name[2:]] = packed

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        return load_packed(path, cls, LinearModel.state, LinearModel.restore)

    def state(self) -> tuple:
        """What `restore` needs, in types `marshal` stores."""
        return (FORMAT, self.classes, self.config, self.intercepts, self.summary,
                self.words, self.chars)

    @classmethod
    def restore(cls, state: tuple) -> LinearModel:
        fmt, classes, config, intercepts, summary, words, chars = state
        if fmt != FORMAT:
            raise ValueError(fmt)
        model = cls.__new__(cls)
        model.classes, model.config, model.intercepts = classes, config, intercepts
        model.summary, model.words, model.chars = summary, words, chars
        return model

    @property
    def size(self) -> int:
        return len(self.words) + len(self.chars)

    def word_weight(self, word: str, class_index: int) -> float:
        packed = self.words.get(word)
        if packed is None or class_index < 0:
            return 0.0
        return (((packed >> (FIELD * class_index)) & MASK) - BIAS) / SCALE

    def scores(self, words: set[str], chars: set[str]) -> list[float]:
        """Class logits for a message's word and n-gram sets."""
        found = [v for v in map(self.words.get, words) if v is not None]
        found += [v for v in map(self.chars.get, chars) if v is not None]
        return self.logits(sum(found), len(found))

    def logits(self, total: int, n: int) -> list[float]:
        """Class logits from the sum of a message's packed features and their number."""
        if not n:
            return list(self.intercepts)
        offset = n * BIAS
        unit = 1.0 / (SCALE * math.sqrt(n))
        return [b + (((total >> (FIELD * c)) & MASK) - offset) * unit
                for c, b in enumerate(self.intercepts)]

    def predict(self, words: set[str], chars: set[str]) -> list[tuple[str, float]]:
        """(class, probability) for every class, most probable first."""
        return self.ranked(self.scores(words, chars))

    def ranked(self, logits: list[float]) -> list[tuple[str, float]]:
        """`predict` from the logits."""
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        # a stable sort, so ties keep the class order as before
        return sorted(zip(self.classes, [e / total for e in exps], strict=True),
                      key=itemgetter(1), reverse=True)

    def top(self, words: set[str], chars: set[str]) -> tuple[str, float]:
        """The most probable class and its probability, without ranking the rest."""
        return self.best(self.scores(words, chars))

    def best(self, logits: list[float]) -> tuple[str, float]:
        """`top` from the logits."""
        best = max(logits)
        return (self.classes[logits.index(best)],
                1.0 / sum([math.exp(x - best) for x in logits]))
