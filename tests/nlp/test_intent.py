"""Intent and request kind: conversation is told apart from reports."""

from __future__ import annotations

import pytest

from nlp import Analyzer
from nlp.intent import intent_of, rating_of


@pytest.mark.parametrize("text, intent", [
    ("3", "rating"), ("１", "rating"), ("非常满意", "rating"), ("满意", "rating"),
    ("基本满意", "rating"), ("不满意", "rating"), ("不满意！", "rating"),
    ("撤销 GD20261122-0007", "cancel"), ("不用处理了，已经好了", "cancel"),
    ("查询", "query"), ("我反映的事情处理得怎么样了", "query"), ("进度怎么样了", "query"),
    ("帮助", "help"), ("怎么用", "help"), ("?", "help"), ("？", "help"),
    ("你好", "greeting"), ("在吗", "greeting"), ("你好，在吗？", "greeting"),
    ("谢谢，路灯修好了", "thanks"), ("谢谢你们", "thanks"), ("辛苦了！", "thanks"),
    ("谢谢网格员上次帮忙", "thanks"),
    ("你好，楼道灯不亮了", "report"),
    ("楼道灯不亮，谢谢", "report"),
    ("麻烦派人来打扫一下垃圾站，谢谢了", "report"),
    ("谢谢，路灯又坏了，还没修好", "report"),
    ("5栋停水了", "report"),
])
def test_intent(text: str, intent: str) -> None:
    from nlp.normalize import clean

    assert intent_of(clean(text)) == intent


@pytest.mark.parametrize("text, n", [("1", 1), ("4", 4), ("非常满意", 1), ("基本满意", 3),
                                     ("不满意", 4), ("5", None), ("满意吗", None)])
def test_rating_value(text: str, n: int | None) -> None:
    assert rating_of(text) == n


@pytest.mark.parametrize("text, kind", [
    ("请问低保怎么申请", "咨询"),
    ("建议小区多装几个座椅", "建议"),
    ("谢谢，路灯修好了", "表扬"),
    ("楼道里煤气味很重，快来人", "求助"),
    ("楼上装修太吵了", "投诉"),
])
def test_request_kind(analyzer: Analyzer, text: str, kind: str) -> None:
    assert analyzer.analyze(text).request_kind == kind


def test_thanks_is_not_a_new_report(analyzer: Analyzer) -> None:
    a = analyzer.analyze("谢谢，路灯修好了")
    assert a.intent == "thanks" and a.category == "other" and a.urgency == "normal"
