"""Tricky messages with their expected analysis (tests/nlp/regression.jsonl).

Each line names only the fields it checks: category, urgency, not_urgency, intent, and any
location fields (null meaning "must not be found").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlp import Analyzer

CASES = [json.loads(line) for line in
         (Path(__file__).parent / "regression.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:16] for c in CASES])
def test_regression(analyzer: Analyzer, case: dict[str, Any]) -> None:
    a = analyzer.analyze(case["text"])
    got = {"category": a.category, "urgency": a.urgency, "intent": a.intent}
    for key in ("category", "urgency", "intent"):
        if key in case:
            assert got[key] == case[key], (key, got, a.alternatives)
    if "not_urgency" in case:
        assert a.urgency != case["not_urgency"]
    loc = a.location.as_dict()
    for key, value in case.get("location", {}).items():
        assert loc[key] == value, (key, loc)
