"""`gridbot eval F`: how the analyser does on a labelled JSONL file (spec: Evaluation files).

A prediction is correct when it is the label or one of the row's `also` categories. Location
fields are scored only on rows whose label states them; a building the label does not state is
counted separately as hallucinated, because routing to a wrong building is worse than none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from nlp.pipeline import Analysis, Analyzer
from nlp.taxonomy import CATEGORIES

LOCATION_FIELDS = ("community", "building", "unit", "room", "place")


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


INTENTS = ("report", "chat", "detail", "rating", "human", "consult")
ADDRESS_FIELDS = ("building", "unit", "room")


def evaluate(analyzer: Analyzer, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return score([(row, analyzer.analyze(row["text"])) for row in rows])


def _prf(tp: Counter[str], fp: Counter[str], fn: Counter[str], labels: Iterable[str],
         ) -> dict[str, dict[str, Any]]:
    out = {}
    for c in labels:
        support = tp[c] + fn[c]
        if support == 0 and fp[c] == 0:
            continue
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 0.0
        r = tp[c] / support if support else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[c] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
                  "support": support}
    return out


def score(pairs: list[tuple[dict[str, Any], Analysis]]) -> dict[str, Any]:
    """The report for labelled rows and their analyses (from one analyser or several folds).

    A row with an `intent` label other than report/consult is scored on intent only. Urgency is
    scored on rows that state one, location on rows that carry a `location` object.
    """
    labelled_intent = any("intent" in row for row, _ in pairs)  # only labelled rows count
    n = correct = strict = 0
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    itp: Counter[str] = Counter()
    ifp: Counter[str] = Counter()
    ifn: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    intent_confusions: Counter[tuple[str, str]] = Counter()
    urgent_tp = urgent_fp = urgent_fn = urgency_ok = urgency_rows = not_urgent = 0
    field_hit: Counter[str] = Counter()
    field_total: Counter[str] = Counter()
    bur_hit = bur_total = hallucinated = no_building_rows = made_up = produced = 0
    errors: list[dict[str, Any]] = []
    # `also` as a prediction: on rows whose label carries an `also` list (possibly empty), the
    # problems the label names ({category} ∪ also) against the ones the analysis names.
    also_found = also_stated = also_given = also_right = 0
    for row, a in pairs:
        if "intent" in row:
            gi = row["intent"]
            pi = a.act
            if gi == pi:
                itp[gi] += 1
            else:
                ifp[pi] += 1
                ifn[gi] += 1
                intent_confusions[(gi, pi)] += 1
                errors.append({"text": row["text"], "gold_intent": gi, "intent": pi})
            if gi not in ("report", "consult"):
                continue
        n += 1
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
        if "also" in row:
            gold_set = accepted
            pred_set = {a.category, *a.also}
            also_stated += len(gold_set) - 1
            also_found += len((gold_set - {gold}) & pred_set)
            also_given += len(a.also)
            also_right += len(set(a.also) & gold_set)
        gu = row.get("urgency")
        if gu is not None:
            urgency_rows += 1
            urgency_ok += a.urgency == gu
            not_urgent += gu != "urgent"
            if a.urgency == "urgent" and gu == "urgent":
                urgent_tp += 1
            elif a.urgency == "urgent":
                urgent_fp += 1
            elif gu == "urgent":
                urgent_fn += 1
        if "location" in row:
            loc = row.get("location") or {}
            got = a.location.as_dict()
            for f in LOCATION_FIELDS:
                if loc.get(f):
                    field_total[f] += 1
                    field_hit[f] += got[f] == str(loc[f])
                    if f in ADDRESS_FIELDS:
                        bur_total += 1
                        bur_hit += got[f] == str(loc[f])
            for f in ADDRESS_FIELDS:
                produced += got[f] is not None
                made_up += got[f] is not None and not loc.get(f)
            if not loc.get("building"):
                no_building_rows += 1
                hallucinated += got["building"] is not None
        if not ok or (gu is not None and a.urgency != gu):
            errors.append({"text": row["text"], "gold": gold, "also": row.get("also", []),
                           "pred": a.category, "confidence": round(a.confidence, 3),
                           "gold_urgency": gu, "urgency": a.urgency})
    per_class = _prf(tp, fp, fn, CATEGORIES)
    f1s = [v["f1"] for v in per_class.values() if v["support"]]
    return {
        "rows": n,
        "accuracy": _ratio(correct, n),
        "strict_accuracy": _ratio(strict, n),
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else None,
        "per_class": per_class,
        "confusions": [[g, p, k] for (g, p), k in confusions.most_common(10)],
        "urgency_rows": urgency_rows,
        "urgency_accuracy": _ratio(urgency_ok, urgency_rows),
        "urgent_recall": _ratio(urgent_tp, urgent_tp + urgent_fn),
        "urgent_precision": _ratio(urgent_tp, urgent_tp + urgent_fp),
        "urgent_support": urgent_tp + urgent_fn,
        "false_urgent_rate": _ratio(urgent_fp, not_urgent),
        "false_urgent": urgent_fp,
        "location": {f: {"exact": _ratio(field_hit[f], field_total[f]), "rows": field_total[f]}
                     for f in LOCATION_FIELDS},
        "building_unit_room_exact": _ratio(bur_hit, bur_total),
        "building_unit_room_fields": bur_total,
        "made_up_fields": made_up,
        "made_up_share": _ratio(made_up, produced),
        "address_fields_produced": produced,
        "hallucinated_building": hallucinated,
        "rows_without_building": no_building_rows,
        "also_recall": _ratio(also_found, also_stated),
        "also_precision": _ratio(also_right, also_given),
        "also_stated": also_stated,
        "also_given": also_given,
        "per_intent": _prf(itp, ifp, ifn, INTENTS) if labelled_intent else {},
        "intent_confusions": [[g, p, k] for (g, p), k in intent_confusions.most_common(10)],
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
        f"false urgent {_pct(report['false_urgent_rate'])} of non-urgent rows "
        f"({report['false_urgent']})",
        f"building/unit/room exact {_pct(report['building_unit_room_exact'])} over "
        f"{report['building_unit_room_fields']} labelled fields;   hallucinated building "
        f"{report['hallucinated_building']} of {report['rows_without_building']} rows without one",
        f"made-up building/unit/room fields {report['made_up_fields']} of "
        f"{report['address_fields_produced']} produced ({_pct(report['made_up_share'])})",
        f"also: {report['also_stated']} secondary problems labelled, recall "
        f"{_pct(report['also_recall'])};   {report['also_given']} given, precision "
        f"{_pct(report['also_precision'])}",
        "",
        f"{'location field':<16}{'exact':>8}{'rows':>6}",
    ]
    for f, v in report["location"].items():
        lines.append(f"{f:<16}{_pct(v['exact']):>8}{v['rows']:>6}")
    lines += ["", f"{'category':<22}{'prec':>8}{'recall':>8}{'f1':>8}{'n':>5}"]
    for c, v in report["per_class"].items():
        lines.append(f"{c:<22}{_pct(v['precision']):>8}{_pct(v['recall']):>8}"
                     f"{v['f1']:>8.3f}{v['support']:>5}")
    if report["per_intent"]:
        lines += ["", f"{'intent':<22}{'prec':>8}{'recall':>8}{'f1':>8}{'n':>5}"]
        for c, v in report["per_intent"].items():
            lines.append(f"{c:<22}{_pct(v['precision']):>8}{_pct(v['recall']):>8}"
                         f"{v['f1']:>8.3f}{v['support']:>5}")
        if report["intent_confusions"]:
            lines += ["intent confusions (gold → predicted):"]
            lines += [f"  {g} → {p}: {k}" for g, p, k in report["intent_confusions"]]
    if report["confusions"]:
        lines += ["", "top confusions (gold → predicted):"]
        lines += [f"  {g} → {p}: {k}" for g, p, k in report["confusions"]]
    return "\n".join(lines)
