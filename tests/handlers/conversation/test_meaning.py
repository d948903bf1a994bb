"""meaning.understand follows nlp's `act` (issue 9) and keeps its own rules for the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from handlers.conversation.meaning import understand


@dataclass
class _Analysis:
    act: str = "report"
    rating: int | None = None
    category: str = "sanitation"
    request_kind: str = "投诉"
    intent: str = "report"
    location: Any = field(default=None)
    confidence: float = 0.3


def test_act_names_the_meaning() -> None:
    assert understand("我要找个人说说", _Analysis(act="human")).kind == "human"
    assert understand("低保怎么申请", _Analysis(act="consult")).kind == "consult"
    assert understand("就在门口", _Analysis(act="detail")).kind == "detail"


def test_the_old_intent_field_is_not_read() -> None:
    # a stale `intent` must not override what `act` says
    assert understand("楼道灯坏了", _Analysis(act="report", intent="human")).kind == "report"


def test_rating_act_only_while_a_rating_is_open() -> None:
    a = _Analysis(act="rating", rating=3)
    assert understand("还行吧，基本满意", a, rating_open=True).kind == "rating"
    assert understand("还行吧，基本满意", a, rating_open=True).rating == 3
    assert understand("还行吧，基本满意", a).kind != "rating"


def test_command_act_falls_through_to_the_rules() -> None:
    assert understand("好的", _Analysis(act="command")).kind == "chat"


def test_refusals_win_over_what_nlp_calls_them() -> None:
    """B4: 「算了」/「不用了」 read as chat by nlp still withdraw the draft."""
    for text in ("算了", "不用了", "不要了", "算了算了 不弄了"):
        assert understand(text, _Analysis(act="chat")).kind == "refusal"


def test_dissatisfaction_in_words_is_a_rating_of_4_while_one_is_open() -> None:
    """C3: right after 办结, 「根本没处理！…糊弄人」 is 不满意, not a new placeless report."""
    angry = "根本没处理！今晚摊子还在，你们就是糊弄人"
    a = _Analysis(act="report", category="animals")
    got = understand(angry, a, rating_open=True, open_category="street_order")
    assert (got.kind, got.rating) == ("rating", 4)
    assert understand(angry, a).kind == "report"  # nothing to rate: a report
    # a confident complaint of another matter is a new report, not a verdict on the old one
    other = _Analysis(act="report", category="fire_safety", confidence=0.9)
    assert understand("楼道里的飞线一直没处理", other, rating_open=True,
                      open_category="noise").kind == "report"
