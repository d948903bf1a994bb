"""Two small learned heads beside the category model: is this message urgent, and what is it
(a report, chat, a detail of the previous report, a rating, a request for a person)?

Both are linear models over the same word and character n-gram sets the category model reads
(computed once per message), trained by `nlp.training` on the corpus lines that carry an
urgency or an intent label and exported, in the category model's format, to
`nlp/data/heads.json`. They never decide alone: `pipeline.Analyzer` combines them with the rules
of `nlp/urgency.py` and `nlp/intent.py` (see docs/nlp.md, "Learned heads").
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from nlp.model import LinearModel

FORMAT = "gridbot-heads/1"
SHIPPED_HEADS = Path(__file__).parent / "data" / "heads.json"
INTENT_CLASSES = ("chat", "detail", "human", "rating", "report")


class Heads:
    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown heads format {data.get('format')!r}")
        self.urgency = LinearModel(data["urgency"])
        self.intent = LinearModel(data["intent"])
        if self.urgency.classes != ["not", "urgent"]:
            raise ValueError("the urgency head must have the classes not, urgent")
        self._urgent = self.urgency.classes.index("urgent")

    @classmethod
    def load(cls, path: Path | None = None) -> Heads:
        with (path or SHIPPED_HEADS).open(encoding="utf-8") as fh:
            return cls(json.load(fh))

    def p_urgent(self, words: set[str], chars: set[str]) -> float:
        z = self.urgency.scores(words, chars)
        return 1.0 / (1.0 + math.exp(z[1 - self._urgent] - z[self._urgent]))

    def intent_top(self, words: set[str], chars: set[str]) -> tuple[str, float]:
        return self.intent.top(words, chars)
