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
