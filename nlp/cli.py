"""The `gridbot classify`, `gridbot eval` and `gridbot nlp train` commands.

Called by bot.cli.main.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, TextIO

logger = logging.getLogger(__name__)


def classify_stream(stream: TextIO, out: TextIO) -> None:
    """One JSON object per input line, same order; an empty line still yields one."""
    from nlp.pipeline import Analyzer

    analyzer = Analyzer.load()
    for line in stream:
        a = analyzer.analyze(line.rstrip("\r\n"))
        out.write(json.dumps(a.as_json(), ensure_ascii=False) + "\n")
    out.flush()


_NON_REPORT = frozenset({"chat", "detail", "rating", "human"})


class EvalInputError(ValueError):
    """The labelled file is not what `eval` reads (one JSON object per line, with text)."""


def read_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise EvalInputError(f"line {n} is not JSON") from None
            # a row that is not a report (chat, detail, rating, human) may carry no category
            non_report = isinstance(row, dict) and row.get("intent") in _NON_REPORT \
                and row.get("category") is None
            if not isinstance(row, dict) or not isinstance(row.get("text"), str) \
                    or not (non_report or isinstance(row.get("category"), str)) \
                    or not isinstance(row.get("also", []), list) \
                    or not isinstance(row.get("location") or {}, dict):
                raise EvalInputError(f"line {n} is not an object with text and category")
            rows.append(row)
    return rows


def run_eval(path: Path, as_json: bool = False) -> int:
    from nlp.evaluation import evaluate, format_eval
    from nlp.pipeline import Analyzer

    report = evaluate(Analyzer.load(), read_rows(path))
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_eval(report))
    return 0
