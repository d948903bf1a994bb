"""Urgency: negation, hypotheticals, failure phrases, and the spec's per-category defaults."""

from __future__ import annotations

import re

import pytest

from nlp.cues import find_hits
from nlp.normalize import clean
from nlp.urgency import urgency_for


def urg(category: str, text: str) -> str:
    t = clean(text)
    return urgency_for(category, find_hits(t), t)


@pytest.mark.parametrize("category, text, expected", [
    # danger now
    ("gas_electric", "厨房一股煤气味，是不是漏气了", "urgent"),
    ("gas_electric", "配电箱一直在冒火花", "urgent"),
    ("fire_safety", "楼道里电瓶车着火了，烟很大", "urgent"),
    ("building_safety", "电梯困人了，里面有个老人", "urgent"),
    ("water", "暴雨，一楼好几户家里都进水了", "urgent"),
    ("gas_electric", "路灯杆漏电，有人被电倒了", "urgent"),
    # negation and de-escalation
    ("gas_electric", "不是煤气味，是下水道的臭味", "high"),
    ("fire_safety", "电动车烧起来了，已经扑灭了，现在已经不冒烟了", "high"),
    ("water", "不是家里进水，是楼道的水管在滴", "normal"),
    ("gas_electric", "没闻到煤气味，就是燃气表走得快", "high"),
    # hypotheticals are not emergencies by themselves
    ("fire_safety", "楼道堆满了纸箱，万一着火了跑都跑不掉", "high"),
    ("fire_safety", "电动车推进家里充电，要是着起来怎么得了", "high"),
    ("building_safety", "有人往下扔酒瓶，差点砸到人", "high"),
    # spec defaults and high cues
    ("gas_electric", "小区停电了，冰箱里的东西都坏了", "normal"),
    ("gas_electric", "电线皮破了，铜丝露在外面", "high"),
    ("municipal", "路口的井盖没了", "high"),
    ("municipal", "路灯不亮好几天了", "normal"),
    ("water", "小区停水两天了", "normal"),
    ("water", "马路上水管爆了，水哗哗往外冒", "high"),
    ("animals", "邻居的狗把我孩子咬了，出血了", "high"),
    ("animals", "楼下狗天天叫", "normal"),
    ("greening", "大风把树刮倒了，横在路中间", "high"),
    ("neighbor", "两家人为车位在楼下打起来了", "high"),
    ("neighbor", "两家吵了好几回，差点动手", "normal"),
    ("public_order", "电动车被偷了", "high"),
    ("illegal_construction", "一楼盖了个阳光房", "normal"),
    ("illegal_construction", "楼顶有人正在搭彩钢棚", "high"),
    ("noise", "楼上装修太吵", "normal"),
])
def test_urgency(category: str, text: str, expected: str) -> None:
    assert urg(category, text) == expected


@pytest.mark.parametrize("text", [
    "楼道灯不亮", "电话打不通", "家里没水", "小区没电了", "门禁打不开"])
def test_failure_phrases_are_not_negations(text: str) -> None:
    # 不亮 / 没水 … are the complaint: nothing in them is a negated cue
    assert all(not h.negated for h in find_hits(clean(text)))


def test_failure_phrase_keeps_outage_real() -> None:
    hits = find_hits("小区没电了")
    assert any(h.cue == "outage" and h.real for h in hits)


def test_negated_cue_is_marked() -> None:
    hits = find_hits("不是漏水，也不是漏气，是味道大")
    assert any(h.cue == "gas" and h.negated for h in hits)


def test_cue_anchors_are_sound() -> None:
    """A cue's anchor shortcut never skips a message its regex would match."""
    import json
    from pathlib import Path

    from nlp.cues import CATEGORY_CUES, CUES, grams
    from nlp.training import CORPUS, corpus_files

    here = Path(__file__).parent
    paths = (*corpus_files([CORPUS]), here / "regression.jsonl", here / "holdout.jsonl")
    texts = [json.loads(line)["text"] for path in paths
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all(c.anchors for c in CUES)  # every cue got its shortcut
    assert all(c.grams for c in (*CUES, *CATEGORY_CUES))
    for text in texts:
        chars = set(clean(text))
        found = grams(clean(text))
        for cue in CUES:
            if cue.pattern.search(clean(text)):
                assert not cue.anchors.isdisjoint(chars), (cue.name, text)
        for cue in (*CUES, *CATEGORY_CUES):
            if cue.pattern.search(clean(text)):
                assert not cue.grams.isdisjoint(found), (cue.name, text)


def test_cue_selection_never_skips_a_match() -> None:
    """The index that picks which cues to scan (cues._Selection, with each cue's `requires`)
    passes every cue whose regex matches, for the hazard and the category cues alike."""
    import json
    from pathlib import Path

    from nlp.cues import _CATEGORY_SELECTION, CATEGORY_CUES, CUES, _present_grams, _selection
    from nlp.training import CORPUS, corpus_files

    here = Path(__file__).parent
    paths = (*corpus_files([CORPUS]), here / "regression.jsonl")
    texts = [clean(json.loads(line)["text"]) for path in paths
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    skipped = 0
    for text in texts:
        present = _present_grams(text)
        passed = {c.name for c in _selection(None).passing(present)}
        passed |= {c.name for c in _CATEGORY_SELECTION.passing(present)}
        for cue in (*CUES, *CATEGORY_CUES):
            if cue.pattern.search(text):
                assert cue.name in passed, (cue.name, text)
            elif cue.name not in passed:
                skipped += 1
    assert skipped > len(texts) * len(CUES) // 2  # and it does skip most scans


def test_cue_requires_every_part_of_an_alternative() -> None:
    """A cue whose alternative needs two things ({_HOME}…{_FLOOD}) is scanned only when a text
    holds both, or what another alternative needs."""
    from nlp.cues import Cue, _Selection, _shortcuts

    pattern = "家里[^。]{0,10}进水|漫过门槛"
    anchors, grams_needed, requires = _shortcuts(pattern)
    assert requires == ((frozenset({"家里"}), frozenset({"进水"})), (frozenset({"漫过"}),))
    cue = Cue("flood", re.compile(pattern), "urgent", True, anchors, grams_needed, requires)
    selection = _Selection([cue])
    assert selection.passing(["家里"]) == []               # 家里很干净: not scanned
    assert selection.passing(["家里", "进水"]) == [cue]     # 家里进水了
    assert selection.passing(["漫过"]) == [cue]


def test_cue_grams_follow_the_pattern() -> None:
    """The pairs a cue needs come from its regex: a text with one passes, one without is
    skipped, and a pattern whose matches share no literal gets no shortcut."""
    from nlp.cues import _grams_needed, _sre_parse

    assert _grams_needed(_sre_parse("着火|起火")) == {"着火", "起火"}
    assert _grams_needed(_sre_parse("电梯[^。]{0,9}(?:困人|困住)")) == {"电梯"}
    assert _grams_needed(_sre_parse("(?<!没)有火(?![车])")) == {"有火"}
    assert _grams_needed(_sre_parse("被?困")) == {"困"}
    assert _grams_needed(_sre_parse("[^，]{2}")) is None
    assert _grams_needed(_sre_parse("火|[^，]")) is None
