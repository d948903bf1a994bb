"""`gridbot eval F`: how the analyser does on a labelled JSONL file (spec: Evaluation files).

A prediction is correct when it is the label or one of the row's `also` categories. Location
fields are scored only on rows whose label states them; a building the label does not state is
counted separately as hallucinated, because routing to a wrong building is worse than none.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from nlp.pipeline import Analyzer
from nlp.taxonomy import CATEGORIES

LOCATION_FIELDS = ("community", "building", "unit", "room", "place")


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def evaluate(analyzer: Analyzer, rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    correct = strict = 0
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    urgent_tp = urgent_fp = urgent_fn = urgency_ok = 0
    field_hit: Counter[str] = Counter()
    field_total: Counter[str] = Counter()
    bur_hit = bur_total = hallucinated = no_building_rows = 0
    errors: list[dict[str, Any]] = []
    for row in rows:
        a = analyzer.analyze(row["text"])
        gold = row["category"]
        accepted = {gold, *row.get("also", [])}
        # for per-class scores an accepted `also` counts as the gold class itself
        pred = gold if a.category in accepted else a.category
        ok = a.category in accepted
        correct += ok
        strict += a.category == gold
        if pred == gold:
            tp[gold] += 1
        else:
            fp[pred] += 1
            fn[gold] += 1
            confusions[(gold, pred)] += 1
        gu = row.get("urgency", "normal")
        urgency_ok += a.urgency == gu
        if a.urgency == "urgent" and gu == "urgent":
            urgent_tp += 1
        elif a.urgency == "urgent":
            urgent_fp += 1
        elif gu == "urgent":
            urgent_fn += 1
        loc = row.get("location", {}) or {}
        got = a.location.as_dict()
        for f in LOCATION_FIELDS:
            if loc.get(f):
                field_total[f] += 1
                field_hit[f] += got[f] == str(loc[f])
                if f in ("building", "unit", "room"):
                    bur_total += 1
                    bur_hit += got[f] == str(loc[f])
        if not loc.get("building"):
            no_building_rows += 1
            hallucinated += got["building"] is not None
        if not ok or a.urgency != gu:
            errors.append({"text": row["text"], "gold": gold, "also": row.get("also", []),
                           "pred": a.category, "confidence": round(a.confidence, 3),
                           "gold_urgency": gu, "urgency": a.urgency})
    per_class = {}
    f1s = []
    for c in CATEGORIES:
        support = tp[c] + fn[c]
        if support == 0 and fp[c] == 0:
            continue
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 0.0
        r = tp[c] / support if support else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if support:
            f1s.append(f1)
        per_class[c] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
                        "support": support}
    return {
        "rows": n,
        "accuracy": _ratio(correct, n),
        "strict_accuracy": _ratio(strict, n),
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else None,
        "per_class": per_class,
        "confusions": [[g, p, k] for (g, p), k in confusions.most_common(10)],
        "urgency_accuracy": _ratio(urgency_ok, n),
        "urgent_recall": _ratio(urgent_tp, urgent_tp + urgent_fn),
        "urgent_precision": _ratio(urgent_tp, urgent_tp + urgent_fp),
        "urgent_support": urgent_tp + urgent_fn,
        "location": {f: {"exact": _ratio(field_hit[f], field_total[f]), "rows": field_total[f]}
                     for f in LOCATION_FIELDS},
        "building_unit_room_exact": _ratio(bur_hit, bur_total),
        "building_unit_room_fields": bur_total,
        "hallucinated_building": hallucinated,
        "rows_without_building": no_building_rows,
        "errors": errors,
    }


def _pct(v: float | None) -> str:
    return "  n/a" if v is None else f"{v * 100:5.1f}%"


def format_eval(report: dict[str, Any]) -> str:
    lines = [
        f"rows {report['rows']}",
        f"accuracy (incl. also) {_pct(report['accuracy'])}   strict {_pct(report['strict_accuracy'])}"
        f"   macro-F1 {report['macro_f1']}",
        f"urgency accuracy {_pct(report['urgency_accuracy'])}   urgent recall "
        f"{_pct(report['urgent_recall'])}   urgent precision {_pct(report['urgent_precision'])}"
        f"   (urgent rows {report['urgent_support']})",
        f"building/unit/room exact {_pct(report['building_unit_room_exact'])} over "
        f"{report['building_unit_room_fields']} labelled fields;   hallucinated building "
        f"{report['hallucinated_building']} of {report['rows_without_building']} rows without one",
        "",
        f"{'location field':<16}{'exact':>8}{'rows':>6}",
    ]
    for f, v in report["location"].items():
        lines.append(f"{f:<16}{_pct(v['exact']):>8}{v['rows']:>6}")
    lines += ["", f"{'category':<22}{'prec':>8}{'recall':>8}{'f1':>8}{'n':>5}"]
    for c, v in report["per_class"].items():
        lines.append(f"{c:<22}{_pct(v['precision']):>8}{_pct(v['recall']):>8}"
                     f"{v['f1']:>8.3f}{v['support']:>5}")
    if report["confusions"]:
        lines += ["", "top confusions (gold → predicted):"]
        lines += [f"  {g} → {p}: {k}" for g, p, k in report["confusions"]]
    return "\n".join(lines)
