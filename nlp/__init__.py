"""Pure text analysis for gridbot: message → intent, category, urgency, location, keywords.

No I/O beyond loading the shipped model and dictionaries; no database. The public interface:
`Analyzer` (load / set_gazetteer / analyze / reload_if_changed), `Analysis`, `Location`,
`train`, `evaluate`, `format_eval`. sklearn is imported only inside `train()`.
"""

from __future__ import annotations

from typing import Any

from nlp.evaluation import evaluate, format_eval
from nlp.pipeline import Analysis, Analyzer, Location

__all__ = ["Analysis", "Analyzer", "Location", "evaluate", "format_eval", "train"]


def __getattr__(name: str) -> Any:
    # Imported on first use so `python -m nlp.training` does not find itself half-imported.
    if name == "train":
        from nlp.training import train

        return train
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")
