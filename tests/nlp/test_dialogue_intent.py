"""Intent for the conversation: report, consult, chat, detail, rating (with its value), human.

`Analysis.intent` keeps its fine values (greeting, thanks, query …); `Analysis.act` is the
value the conversation branches on."""

from __future__ import annotations

import pytest

from nlp import Analyzer


@pytest.mark.parametrize("text, act", [
    ("好嘞", "chat"), ("嗯嗯", "chat"), ("收到，谢谢", "chat"), ("👍🙏", "chat"),
    ("你们是哪个部门的机器人", "chat"), ("测试一下", "chat"), ("你好", "chat"),
    ("就在7栋2单元门口", "detail"), ("垃圾站旁边", "detail"), ("已经快一个礼拜了", "detail"),
    ("昨天晚上开始的", "detail"), ("补充一下，是晚上十点以后才有", "detail"),
    ("照片发过去了", "detail"), ("就是B座", "detail"),
    ("还行吧，基本满意", "rating"), ("不太满意", "rating"), ("满意了谢谢", "rating"),
    ("找人工", "human"), ("我要人工客服", "human"), ("能不能让网格员给我回个电话", "human"),
    ("请问老年卡在哪里办理", "consult"), ("停水什么时候恢复啊", "consult"),
    ("3栋门口的井盖没了", "report"), ("楼道灯不亮了，谢谢", "report"),
    ("你好，小区东门垃圾三天没人清", "report"),
])
def test_act(analyzer: Analyzer, text: str, act: str) -> None:
    assert analyzer.analyze(text).act == act, text


@pytest.mark.parametrize("text, rating", [
    ("还行吧基本满意", 3), ("不太满意", 4), ("满意了谢谢", 2), ("非常满意，辛苦了", 1),
    ("没什么不满意的", 2), ("一点都不满意，根本没解决", 4), ("给你们打1", 1), ("不怎么满意", 4),
])
def test_rating_in_a_sentence(analyzer: Analyzer, text: str, rating: int) -> None:
    a = analyzer.analyze(text)
    assert a.act == "rating" and a.rating == rating, (text, a.act, a.rating)


def test_danger_is_never_chat(analyzer: Analyzer) -> None:
    a = analyzer.analyze("你好，3栋煤气味好大")
    assert a.act == "report" and a.urgency == "urgent"


def test_non_reports_route_nowhere(analyzer: Analyzer) -> None:
    for text in ("好的", "就在东门那边", "转人工"):
        a = analyzer.analyze(text)
        assert a.category == "other" and a.urgency == "normal", text


def test_fine_intent_values_still_work(analyzer: Analyzer) -> None:
    assert analyzer.analyze("谢谢，路灯修好了").intent == "thanks"
    assert analyzer.analyze("在吗").intent == "greeting"
    assert analyzer.analyze("查询").act == "command"


def test_also_lists_other_likely_problems(analyzer: Analyzer) -> None:
    a = analyzer.analyze("楼道里堆满了杂物，还有人把电动车推进来充电，垃圾也没人清")
    assert a.category not in a.also
    assert all(c != a.category for c in a.also)
    assert analyzer.analyze("好的").also == ()
