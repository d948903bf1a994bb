"""`evaluate` counts `also`, scores location only where labelled, and reports made-up buildings."""

from __future__ import annotations

from nlp import Analyzer, evaluate, format_eval

ROWS = [
    {"text": "3号楼楼道里有人飞线充电", "category": "fire_safety", "also": [], "urgency": "high",
     "location": {"building": "3", "place": "楼道"}},
    # accepted through `also`
    {"text": "楼道里有人飞线充电", "category": "property", "also": ["fire_safety"],
     "urgency": "high", "location": {}},
    # wrong on purpose: the label is not what the text says
    {"text": "小区停水两天了", "category": "noise", "also": [], "urgency": "urgent",
     "location": {}},
    # a building the label does not state counts as hallucinated
    {"text": "5栋门口的路灯不亮", "category": "municipal", "also": [], "urgency": "normal",
     "location": {}},
]


def test_metrics(analyzer: Analyzer) -> None:
    r = evaluate(analyzer, ROWS)
    assert r["rows"] == 4
    assert r["accuracy"] == 0.75 and r["strict_accuracy"] == 0.5
    assert r["urgent_recall"] == 0.0 and r["urgent_precision"] is None
    assert r["building_unit_room_exact"] == 1.0 and r["building_unit_room_fields"] == 1
    assert r["hallucinated_building"] == 1 and r["rows_without_building"] == 3
    assert r["location"]["place"] == {"exact": 1.0, "rows": 1}
    assert ["noise", "water", 1] in r["confusions"]
    assert r["per_class"]["noise"]["recall"] == 0.0
    assert len(r["errors"]) == 1
    text = format_eval(r)
    assert "hallucinated building 1 of 3" in text and "macro-F1" in text


def test_gazetteer_names_survive_homophones(analyzer: Analyzer) -> None:
    fresh = Analyzer.load()
    fresh.set_gazetteer([("美琪花园", []), ("城关社区", ["城关"])])
    assert fresh.analyze("美琪花园3栋停电了").location.community == "美琪花园"
    assert fresh.analyze("城关社区门口有人摆摊").location.community == "城关社区"
