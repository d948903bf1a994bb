"""The public interface: classify JSON shape, gazetteer, reload, and no sklearn when serving."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from nlp import Analysis, Analyzer, Location
from nlp.cli import classify_stream
from nlp.pipeline import SHIPPED_MODEL
from nlp.taxonomy import CATEGORIES, URGENCIES

KEYS = ["text", "category", "category_name", "confidence", "alternatives", "urgency", "location",
        "keywords"]


def test_classify_json_shape(analyzer: Analyzer) -> None:
    a = analyzer.analyze("幸福花园5栋2单元楼道里有人飞线给电动车充电")
    assert isinstance(a, Analysis) and isinstance(a.location, Location)
    obj = a.as_json()
    assert list(obj) == KEYS
    assert obj["category"] == "fire_safety" and obj["category_name"] == "消防安全"
    assert obj["category"] in CATEGORIES and obj["urgency"] in URGENCIES
    assert 0.0 <= obj["confidence"] <= 1.0
    assert 1 <= len(obj["alternatives"]) <= 3
    assert obj["alternatives"][0] == [obj["category"], obj["confidence"]]
    probs = [p for _, p in obj["alternatives"]]
    assert probs == sorted(probs, reverse=True)
    assert obj["location"] == {"community": "幸福花园", "building": "5", "unit": "2", "room": None,
                               "place": "楼道"}
    assert "飞线" in "".join(obj["keywords"])
    json.dumps(obj, ensure_ascii=False)


def test_empty_line_yields_other() -> None:
    out = io.StringIO()
    classify_stream(io.StringIO("路灯不亮\n\n楼上漏水\n"), out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == 3
    assert rows[1]["category"] == "other" and rows[1]["text"] == ""
    assert rows[1]["location"] == {k: None for k in ("community", "building", "unit", "room",
                                                     "place")}


def test_gazetteer(analyzer: Analyzer) -> None:
    fresh = Analyzer.load()
    fresh.set_gazetteer([("连江农贸市场", ["连江市场"]), ("阳光新村", ["阳光小区"])])
    a = fresh.analyze("阳光小区7栋门口的井盖没了")
    assert a.location.community == "阳光新村" and a.location.building == "7"
    assert "阳光小区" in fresh._prep.segmenter.cut("阳光小区7栋")


def test_reload_if_changed(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    shutil.copy(SHIPPED_MODEL, path)
    an = Analyzer.load(path)
    assert an.reload_if_changed() is False
    data = json.loads(path.read_text(encoding="utf-8"))
    data["intercepts"] = [0.0] * len(data["intercepts"])
    data["summary"]["note"] = "retrained"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.utime(path, (1, 1))  # a different mtime even on coarse-clock filesystems
    assert an.reload_if_changed() is True
    assert an.reload_if_changed() is False
    path.write_text("{broken", encoding="utf-8")
    os.utime(path, (2, 2))
    assert an.reload_if_changed() is False  # a broken file keeps the old model
    assert an.analyze("路灯不亮").category == "municipal"


def test_serving_does_not_import_sklearn() -> None:
    code = ("import sys; from nlp import Analyzer; a = Analyzer.load(); a.analyze('路灯不亮'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "[]"


def test_a_huge_message_is_read_by_its_start(analyzer: Analyzer) -> None:
    """The cue scans grow faster than the text (80,000 characters took 89 s): a message past
    MAX_CHARS is analysed by its first MAX_CHARS, so one pasted novel cannot stall a worker.
    The report is still read for what it says."""
    from nlp.pipeline import MAX_CHARS

    head = "幸福花园3号楼楼道里着火了，烟很大，"
    huge = head + "快来人！" * 20000
    got, start = analyzer.analyze(huge), analyzer.analyze(huge[:MAX_CHARS])
    assert (got.category, got.urgency, got.location) == (start.category, start.urgency,
                                                         start.location)
    assert (got.category, got.urgency, got.location.building) == ("fire_safety", "urgent", "3")
    short = "幸福花园3号楼门口的路灯不亮了"  # below the cap nothing changes
    assert analyzer.analyze(short).text == short
