"""A second evaluation set written apart from the corpus (tests/nlp/holdout.jsonl).

Never train on it. It guards the classifier on phrasings the corpus does not contain, the way
the product meets real messages; thresholds sit a little below today's numbers so a corpus or
rule change that costs real accuracy fails here rather than in production.
"""

from __future__ import annotations

import json
from pathlib import Path

from nlp import Analyzer, evaluate, format_eval
from nlp.training import CORPUS, read_corpus

HOLDOUT = Path(__file__).parent / "holdout.jsonl"


def test_holdout_is_not_in_the_corpus() -> None:
    corpus = {t for t, _ in read_corpus([CORPUS])}
    rows = [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines()]
    assert not corpus & {r["text"] for r in rows}


def test_holdout_quality(analyzer: Analyzer) -> None:
    rows = [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines()]
    report = evaluate(analyzer, rows)
    assert report["accuracy"] >= 0.92, format_eval(report)
    assert report["urgent_recall"] >= 0.9 and report["urgent_precision"] >= 0.8
    assert "accuracy (incl. also)" in format_eval(report)


HELD_OUT_FIFTHS = (Path(__file__).parent / "voices_heldout.jsonl",
                   Path(__file__).parent / "voices2_heldout.jsonl",
                   Path(__file__).parent / "voices5_heldout.jsonl",
                   Path(__file__).parent / "voices6_heldout.jsonl",
                   Path(__file__).parent / "voices7_heldout.jsonl",
                   Path(__file__).parent / "voices8_heldout.jsonl",
                   Path(__file__).parent / "voices9_heldout.jsonl",
                   Path(__file__).parent / "voices10_heldout.jsonl",
                   Path(__file__).parent / "voices11_heldout.jsonl")


def test_held_out_fifths_are_not_trained_on() -> None:
    """The fifths split off the voices pools by a hash stay out of every corpus file."""
    from nlp.training import read_labelled

    corpus = {r["text"] for r in read_labelled([CORPUS])}
    for path in HELD_OUT_FIFTHS:
        texts = {json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()}
        assert texts and not corpus & texts, path.name


def test_eval_reads_the_held_out_fifth_with_its_non_reports(analyzer: Analyzer) -> None:
    """`gridbot eval` takes rows that are not reports (no category) and scores their intent."""
    from nlp.cli import read_rows

    rows = read_rows(HELD_OUT_FIFTHS[1])
    report = evaluate(analyzer, rows)
    assert {"detail", "rating", "human"} <= set(report["per_intent"])
    assert report["rows"] == sum(r["intent"] in ("report", "consult") for r in rows)
