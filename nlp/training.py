"""Training: corpus (+ officers' corrections) → the exported linear model in nlp/data/model.json.

How the model ships: the exported JSON is committed next to the corpus it was trained from.
`train()` is deterministic (fixed solver, sorted vocabulary, no randomness, weights rounded to
4 decimals so BLAS summation order cannot show), so retraining on the same corpus regenerates
the committed file byte for byte; tests/nlp/test_model_ship.py checks exactly that. An edit to
the corpus, the user dictionary, the homophone list or the feature code without a retrain
therefore fails the tests: run `python -m nlp.training` and commit
nlp/data/model.json with the change.

A deployment that learns from officers' corrections trains into its own file
(`[nlp] model_path`, written by `gridbot nlp train`); running servers pick it up through
`Analyzer.reload_if_changed`. The committed model stays the corpus-only baseline.

sklearn is imported inside `train()` only, never on the serving path.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nlp.features import DEFAULT_CONFIG, extract
from nlp.model import FORMAT
from nlp.taxonomy import CATEGORIES
from nlp.text import TextPrep

logger = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
# The corpus is a directory of JSONL files, one per source (provenance: data/README.md).
CORPUS = DATA / "corpus"
MODEL = DATA / "model.json"
HEADS = DATA / "heads.json"
INTENT_BALANCED = True  # the few non-report lines weigh as much as the reports (round eleven)
HEADS_C = 20.0     # the heads' regularisation (5-fold CV of the whole pipeline: 5, 10, 20)
C = 20.0           # chosen by 5-fold cross-validation on the corpus (5, 10, 20, 40)
MIN_DF = 2          # a feature seen once is noise, and would bloat the shipped file
PRUNE = 0.1        # smaller weights move no decision on the corpus; dropping them keeps the
                   # committed file small (sparse: ~4 weights per feature instead of 17)
DECIMALS = 4       # rounding makes the file stable across BLAS builds and keeps it small
CORRECTION_REPEAT = 2  # an officer's correction counts more than one corpus line


# Messages that are not reports (chat, details, ratings, requests for a person) teach the
# intent rules and are measured by them; they carry no category for the classifier to learn.
NOT_REPORTS = frozenset({"chat", "detail", "rating", "human"})


def corpus_files(paths: Iterable[Path]) -> list[Path]:
    """Every JSONL file named, a directory standing for its *.jsonl files in name order."""
    files: list[Path] = []
    for path in map(Path, paths):
        files += sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return files


def read_labelled(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every labelled row of the corpus files, with all its fields (for evaluation)."""
    rows: list[dict[str, Any]] = []
    for path in corpus_files(paths):
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                if row.get("intent", "report") in NOT_REPORTS:
                    row.setdefault("category", "other")
                elif row.get("category") not in CATEGORIES:
                    raise ValueError(f"{path}:{n}: unknown category {row.get('category')!r}")
                rows.append(row)
    return rows


def read_corpus(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """(text, category) of every report in the corpus files: what the classifier learns."""
    return [(r["text"], r["category"]) for r in read_labelled(paths)
            if r.get("intent", "report") not in NOT_REPORTS]


def _examples(corpus: list[tuple[str, str]], corrections: Iterable[tuple[str, str]],
              ) -> tuple[list[tuple[str, str]], int]:
    """Training rows and how many corrections were usable (known category, non-empty text)."""
    fixed: dict[str, str] = {}
    for text, category in corrections:
        if text.strip() and category in CATEGORIES:
            fixed[text.strip()] = category  # the latest correction of a text wins
        else:
            logger.warning("correction ignored: %r → %r", text[:30], category)
    # A corrected text replaces any corpus line with the same text instead of contradicting it.
    rows = [(t, c) for t, c in corpus if t.strip() not in fixed]
    for text in sorted(fixed):
        rows.extend([(text, fixed[text])] * CORRECTION_REPEAT)
    return rows, len(fixed)


def train(corpus_paths: list[Path], corrections: Iterable[tuple[str, str]],
          out_path: Path) -> dict[str, Any]:
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    rows, used = _examples(read_corpus(corpus_paths), corrections)
    prep = TextPrep()
    config = dict(DEFAULT_CONFIG)
    feats = []
    for text, _ in rows:
        norm, words = prep.prepare(text)
        feats.append(extract(norm, words, config))
    df: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            df[f] = df.get(f, 0) + 1
    keep = {f for f, n in df.items() if n >= MIN_DF}
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform([{f: 1.0 for f in fs if f in keep} for fs in feats])
    x = normalize(x, norm="l2")
    classes = sorted({c for _, c in rows})
    y = np.array([classes.index(c) for _, c in rows])
    clf = LogisticRegression(C=C, max_iter=5000)
    clf.fit(x, y)
    coef = np.round(clf.coef_, DECIMALS)
    names = vec.get_feature_names_out()
    weights: dict[str, list[list[float]]] = {}
    for j, name in enumerate(names):
        weights[str(name)] = [[int(c), float(coef[c, j])] for c in range(len(classes))
                              if abs(coef[c, j]) >= PRUNE]
    train_acc = float((clf.predict(x) == y).mean())
    counts = {c: sum(1 for _, k in rows if k == c) for c in classes}
    digest = hashlib.sha256()
    for path in corpus_files(corpus_paths):
        digest.update(path.read_bytes())
    summary = {"examples": len(rows), "corrections": used, "per_class": counts,
               "features": len(names), "train_accuracy": round(train_acc, 4),
               "corpus_sha256": digest.hexdigest(), "C": C, "min_df": MIN_DF, "prune": PRUNE}
    model = {"format": FORMAT, "classes": classes, "features": config,
             "intercepts": [float(v) for v in np.round(clf.intercept_, DECIMALS)],
             "weights": weights, "summary": summary}
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    tmp = out_path.with_suffix(out_path.suffix + ".tmp")
    tmp.write_text(payload + "\n", encoding="utf-8")
    tmp.replace(out_path)  # atomic, so a running server's reload never sees half a file
    logger.info("trained on %d examples, %d features → %s", len(rows), len(names), out_path)
    return summary


def head_rows(paths: Iterable[Path]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(text, not|urgent) of every report or consult whose urgency is labelled, and
    (text, intent) of every line (a line without an intent is a report; consult counts as a
    report: the rules and the category tell it)."""
    urgency: list[tuple[str, str]] = []
    intent: list[tuple[str, str]] = []
    for r in read_labelled(paths):
        act = r.get("intent", "report")
        act = "report" if act == "consult" else act
        intent.append((r["text"], act))
        if act == "report" and r.get("urgency") in ("urgent", "high", "normal"):
            urgency.append((r["text"], "urgent" if r["urgency"] == "urgent" else "not"))
    return urgency, intent


def _fit(rows: list[tuple[str, str]], c: float, prep: TextPrep,
         balanced: bool = False) -> dict[str, Any]:
    """A linear model over the category model's features, as the dict model.json holds."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    config = dict(DEFAULT_CONFIG)
    feats = [extract(*prep.prepare(text), config) for text, _ in rows]
    df: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            df[f] = df.get(f, 0) + 1
    keep = {f for f, n in df.items() if n >= MIN_DF}
    vec = DictVectorizer(sort=True)
    x = normalize(vec.fit_transform([{f: 1.0 for f in fs if f in keep} for fs in feats]),
                  norm="l2")
    classes = sorted({k for _, k in rows})
    y = np.array([classes.index(k) for _, k in rows])
    clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced" if balanced else None)
    clf.fit(x, y)
    coef = np.round(clf.coef_, DECIMALS)
    intercepts = np.round(clf.intercept_, DECIMALS)
    if len(classes) == 2:  # sklearn fits one vector for two classes: the second one's logit
        coef = np.vstack([np.zeros_like(coef), coef])
        intercepts = np.concatenate([[0.0], intercepts])
    names = vec.get_feature_names_out()
    weights = {str(name): [[int(k), float(coef[k, j])] for k in range(len(classes))
                           if abs(coef[k, j]) >= PRUNE]
               for j, name in enumerate(names)}
    counts = {k: sum(1 for _, label in rows if label == k) for k in classes}
    return {"format": FORMAT, "classes": classes, "features": config,
            "intercepts": [float(v) + 0.0 for v in intercepts], "weights": weights,
            "summary": {"examples": len(rows), "per_class": counts, "features": len(names),
                        "C": c}}


def train_heads(corpus_paths: list[Path], out_path: Path) -> dict[str, Any]:
    """The urgency and intent heads (nlp/heads.py) → out_path, deterministic like train()."""
    from nlp.heads import FORMAT as HEADS_FORMAT

    urgency, intent = head_rows(corpus_paths)
    prep = TextPrep()
    heads = {"format": HEADS_FORMAT, "urgency": _fit(urgency, HEADS_C, prep),
             "intent": _fit(intent, HEADS_C, prep, balanced=INTENT_BALANCED)}
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(heads, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    tmp = out_path.with_suffix(out_path.suffix + ".tmp")
    tmp.write_text(payload + "\n", encoding="utf-8")
    tmp.replace(out_path)
    return {"urgency": heads["urgency"]["summary"], "intent": heads["intent"]["summary"]}


def fold_of(text: str, k: int) -> int:
    """A stable fold for a text: the same split on every run and machine."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % k


def cross_validate(k: int, paths: Iterable[Path] | None = None) -> dict[str, Any]:
    """k-fold cross-validation of the whole pipeline (model, rules, urgency, location, intent):
    each fold is analysed by a model trained on the other folds only."""
    import tempfile

    from nlp.evaluation import score
    from nlp.pipeline import Analyzer

    files = corpus_files(paths or [CORPUS])
    rows = read_labelled(files)
    pairs = []
    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(k):
            train_rows = [r for r in rows if fold_of(r["text"], k) != fold]
            test_rows = [r for r in rows if fold_of(r["text"], k) == fold]
            part = Path(tmp) / f"train{fold}.jsonl"
            part.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in train_rows),
                            encoding="utf-8")
            out = Path(tmp) / f"model{fold}.json"
            train([part], [], out)
            heads = Path(tmp) / f"heads{fold}.json"
            train_heads([part], heads)
            analyzer = Analyzer.load(out, heads_path=heads)
            pairs += [(r, analyzer.analyze(r["text"])) for r in test_rows]
            logger.info("fold %d: %d rows", fold, len(test_rows))
    return score(pairs)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m nlp.training",
                                 description="train the shipped model, or cross-validate")
    ap.add_argument("--cv", type=int, metavar="K",
                    help="K-fold cross-validation, no model written")
    ap.add_argument("--json", action="store_true", help="the cross-validation report as JSON")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    if args.cv:
        from nlp.evaluation import format_eval

        report = cross_validate(args.cv)
        if args.json:
            print(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            print(format_eval(report))
        return 0
    print(json.dumps(train([CORPUS], [], MODEL), ensure_ascii=False, indent=1))
    print(json.dumps(train_heads([CORPUS], HEADS), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
