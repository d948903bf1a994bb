"""The committed model is exactly what training on the committed corpus produces."""

from __future__ import annotations

from pathlib import Path

from nlp import Analyzer
from nlp.taxonomy import CATEGORIES
from nlp.training import CORPUS, CORRECTION_REPEAT, MODEL, read_corpus, train

MIN_PER_CATEGORY = 40


def test_corpus_covers_every_category() -> None:
    rows = read_corpus([CORPUS])
    counts = {c: 0 for c in CATEGORIES}
    for _, c in rows:
        counts[c] += 1
    assert min(counts.values()) >= MIN_PER_CATEGORY, counts
    texts = [t for t, _ in rows]
    assert len(texts) == len(set(texts)), "duplicate corpus lines"


def test_committed_model_equals_fresh_train(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    summary = train([CORPUS], [], out)
    assert summary["examples"] == len(read_corpus([CORPUS]))
    # byte for byte: a corpus edit without `python -m nlp.training` fails here
    assert out.read_bytes() == MODEL.read_bytes(), "retrain: python -m nlp.training"


def test_corrections_are_learned(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    text = "小区里的自动售货机吞钱了不退"
    summary = train([CORPUS], [(text, "property"), ("无效", "not_a_category")], out)
    assert summary["corrections"] == 1
    assert summary["examples"] == len(read_corpus([CORPUS])) + CORRECTION_REPEAT
    assert Analyzer.load(out).analyze(text).category == "property"
