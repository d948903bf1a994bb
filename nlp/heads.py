"""Two small learned heads beside the category model: is this message urgent, and what is it
(a report, chat, a detail of the previous report, a rating, a request for a person)?

Both are linear models over the same word and character n-gram sets the category model reads
(computed once per message), trained by `nlp.training` on the corpus lines that carry an
urgency or an intent label and exported, each in the category model's format, to
`nlp/data/heads.json`. They never decide alone: `pipeline.Analyzer` combines them with the rules
of `nlp/urgency.py` and `nlp/intent.py` (docs/nlp.md, "Learned heads").

Scoring: the two models' weights are packed into one integer per feature, as `nlp/model.py`
packs the category model's (a fixed-width field per class), plus one field per model that
counts the message's features in that model's vocabulary (each model L2-normalises over its
own vocabulary, as it was trained). One dictionary lookup per feature then scores both heads.
"""

from __future__ import annotations

import math
from itertools import repeat
from pathlib import Path
from typing import Any

from nlp.features import by_gram_id
from nlp.model import BIAS, FIELD, MASK, SCALE, LinearModel, load_packed

FORMAT = "gridbot-heads/1"
SHIPPED_HEADS = Path(__file__).parent / "data" / "heads.json"


class Heads:
    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown heads format {data.get('format')!r}")
        urgency, intent = LinearModel(data["urgency"]), LinearModel(data["intent"])
        if urgency.classes != ["not", "urgent"]:
            raise ValueError("the urgency head must have the classes not, urgent")
        self.intent_classes = list(intent.classes)
        self._intercepts = urgency.intercepts + intent.intercepts
        k_u, k_i = len(urgency.classes), len(intent.classes)
        self._k = k_u + k_i                      # weight fields; then the two counts
        self.words = self._merge(urgency.words, intent.words, k_u, k_i)
        self.chars = self._merge(urgency.chars, intent.chars, k_u, k_i)

    def _merge(self, u: dict[str, int], i: dict[str, int], k_u: int, k_i: int,
               ) -> dict[str, int]:
        zero_u = sum(BIAS << (FIELD * c) for c in range(k_u))
        zero_i = sum(BIAS << (FIELD * c) for c in range(k_i))
        count_u, count_i = 1 << (FIELD * self._k), 1 << (FIELD * (self._k + 1))
        out: dict[str, int] = {}
        for name in u.keys() | i.keys():
            pu, pi = u.get(name), i.get(name)
            packed = (zero_u if pu is None else pu) + (
                (zero_i if pi is None else pi) << (FIELD * k_u))
            out[name] = packed + (0 if pu is None else count_u) + (0 if pi is None else count_i)
        return out

    @classmethod
    def load(cls, path: Path | None = None) -> Heads:
        return load_packed(path or SHIPPED_HEADS, cls, Heads.state, Heads.restore)

    def state(self) -> tuple:
        """What `restore` needs, in types `marshal` stores."""
        return (FORMAT, self.intent_classes, self._intercepts, self._k, self.words, self.chars)

    @classmethod
    def restore(cls, state: tuple) -> Heads:
        fmt, intent_classes, intercepts, k, words, chars = state
        if fmt != FORMAT:
            raise ValueError(fmt)
        heads = cls.__new__(cls)
        heads.intent_classes, heads._intercepts, heads._k = intent_classes, intercepts, k
        heads.words, heads.chars = words, chars
        return heads

    def _logits(self, words: set[str], chars: set[str]) -> tuple[list[float], list[float]]:
        found = [v for v in map(self.words.get, words) if v is not None]
        found += [v for v in map(self.chars.get, chars) if v is not None]
        return self._logits_of(sum(found), len(found))

    def _logits_of(self, total: int, n: int) -> tuple[list[float], list[float]]:
        n_u = (total >> (FIELD * self._k)) & MASK
        n_i = (total >> (FIELD * (self._k + 1))) & MASK
        offset = n * BIAS
        out: list[float] = []
        for c, b in enumerate(self._intercepts):
            m = n_u if c < 2 else n_i
            w = ((total >> (FIELD * c)) & MASK) - offset
            out.append(b + w / (SCALE * math.sqrt(m)) if m else b)
        return out[:2], out[2:]

    def scores(self, words: set[str], chars: set[str]) -> tuple[float, tuple[str, float]]:
        """(probability the message is urgent, (intent, its probability)), both heads at once."""
        return self.scores_of(*self._logits(words, chars))

    def scores_of(self, u: list[float], i: list[float]) -> tuple[float, tuple[str, float]]:
        p_urgent = 1.0 / (1.0 + math.exp(u[0] - u[1]))
        best = max(i)
        top = (self.intent_classes[i.index(best)], 1.0 / sum([math.exp(x - best) for x in i]))
        return p_urgent, top

    def p_urgent(self, words: set[str], chars: set[str]) -> float:
        return self.scores(words, chars)[0]

    def intent_top(self, words: set[str], chars: set[str]) -> tuple[str, float]:
        return self.scores(words, chars)[1]


class Joint:
    """The category model and the heads scored from one integer per feature.

    A message's sets are looked up once, not once per model: each feature's value packs the
    model's fields, a field counting the features in the model's vocabulary, a field counting
    those in the heads', and then the heads' own fields (the model's packing, nlp/model.py).
    Both models' scores come out of the one sum, and they are the same numbers as their own
    `scores`: fields never carry into each other. The merged tables are built once per model
    (a fiftieth of a second).
    """

    def __init__(self, model: LinearModel, heads: Heads | None) -> None:
        self.model, self.heads = model, heads
        k = len(model.classes)
        self._count_shift = FIELD * k
        self._heads_shift = FIELD * (k + 2)
        self._model_mask = (1 << self._count_shift) - 1  # the model's own fields
        self._fields = list(zip([FIELD * c for c in range(k)], model.intercepts, strict=True))
        self._words, self._chars = self._build()
        self._ids = by_gram_id(self._chars)  # the n-grams by features.gram_id

    def _build(self) -> tuple[dict[str, int], dict[str, int]]:
        model, heads = self.model, self.heads
        count, heads_count = 1 << self._count_shift, 1 << (self._count_shift + FIELD)

        def merge(mine: dict[str, int], theirs: dict[str, int]) -> dict[str, int]:
            out = {name: v + count for name, v in mine.items()}
            for name, v in theirs.items():
                out[name] = out.get(name, 0) + heads_count + (v << self._heads_shift)
            return out

        if heads is None:
            return merge(model.words, {}), merge(model.chars, {})
        return merge(model.words, heads.words), merge(model.chars, heads.chars)

    def total(self, words: set[str], chars: set[str]) -> int:
        """The sum of the message's packed features (for `model_logits`, `heads_scores`)."""
        return (sum(map(self._words.get, words, repeat(0)))
                + sum(map(self._chars.get, chars, repeat(0))))

    def total_ids(self, words: set[str], ids: set[int | str]) -> int:
        """`total` of `features.extract_ids`' sets (n-grams by their ids)."""
        return (sum(map(self._words.get, words, repeat(0)))
                + sum(map(self._ids.get, ids, repeat(0))))

    def model_logits(self, total: int) -> list[float]:
        """`model.logits` of the sum: the same numbers, from the model's fields masked first
        (each field's shift then copies a third of the integer) and shifts made once."""
        n = (total >> self._count_shift) & MASK
        if not n:
            return list(self.model.intercepts)
        own = total & self._model_mask
        offset = n * BIAS
        unit = 1.0 / (SCALE * math.sqrt(n))
        return [b + (((own >> shift) & MASK) - offset) * unit for shift, b in self._fields]

    def heads_scores(self, total: int) -> tuple[float, tuple[str, float]]:
        heads = self.heads
        if heads is None:
            raise ValueError("no heads")
        n = (total >> (self._heads_shift - FIELD)) & MASK
        return heads.scores_of(*heads._logits_of(total >> self._heads_shift, n))
