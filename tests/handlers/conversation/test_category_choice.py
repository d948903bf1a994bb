"""Two categories compete: the resident is asked once which it is; 1/2 picks, 0 (or 不确定)
leaves it to the community desk with the best guess; an urgent report is never asked."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from handlers.conversation.dispatcher import Dispatcher
from tests.support.bot import RESIDENT, Bot, code_of

AMBIGUOUS = "幸福花园3号楼门口那块地方一下雨就一大片水"


class Unsure:
    """The real analyser, except that it is unsure about one sentence (municipal vs water)."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def analyze(self, text: str) -> Any:
        a = self.real.analyze(text)
        if AMBIGUOUS in text:
            return replace(a, category="municipal", confidence=0.34,
                           alternatives=[("municipal", 0.34), ("water", 0.31), ("other", 0.1)])
        return a


@pytest.fixture
def unsure(bot: Bot) -> Bot:
    services = bot.dispatcher.services
    bot.dispatcher = Dispatcher(replace(services, analyzer=Unsure(services.analyzer)))
    return bot


async def test_resident_picks_between_the_two_likeliest(unsure: Bot) -> None:
    reply = await unsure.send(RESIDENT, AMBIGUOUS)
    assert "1 市政设施" in reply and "2 供水排水" in reply
    assert await unsure.outbox() == []  # nothing filed yet
    assert "请回复" in await unsure.send(RESIDENT, "嗯")  # asked again, not lost
    code = code_of(await unsure.send(RESIDENT, "2"))
    t = await unsure.ticket(code)
    assert (t.category, t.assignee_id, t.building) == ("water", "zhangwei", "3")


async def test_zero_leaves_it_to_the_best_guess(unsure: Bot) -> None:
    await unsure.send(RESIDENT, AMBIGUOUS)
    code = code_of(await unsure.send(RESIDENT, "0"))
    assert (await unsure.ticket(code)).category == "municipal"


async def test_confident_and_urgent_reports_are_not_asked(unsure: Bot) -> None:
    assert code_of(await unsure.send(RESIDENT, "幸福花园3号楼楼道有人拉飞线给电动车充电"))
    assert code_of(await unsure.send("oOther", f"{AMBIGUOUS}，水里有电线在冒火花"))


async def test_unanswered_question_files_the_best_guess_where_it_was(unsure: Bot) -> None:
    from bot.scheduler.runner import expire_drafts

    await unsure.send(RESIDENT, AMBIGUOUS)
    unsure.clock.advance(minutes=31)
    assert await expire_drafts(unsure.db, unsure.dispatcher.services) == 1
    [row] = [r for r in await unsure.outbox(RESIDENT)]
    code = code_of(row.payload["text"])
    t = await unsure.ticket(code)
    assert (t.assignee_id, t.building) == ("zhangwei", "3")


def test_a_second_problem_in_its_own_clause_is_asked_about() -> None:
    from types import SimpleNamespace

    from handlers.conversation.reports import _unsure
    from storage.config import Settings
    ctx = SimpleNamespace(settings=Settings())

    def a(text: str, also: tuple[str, ...], p2: float) -> SimpleNamespace:
        return SimpleNamespace(text=text, urgency="normal", confidence=0.67, also=also,
                               alternatives=[("neighbor", 0.67), ("animals", p2)])

    two = "8栋邻居家的狗天天叫，楼道里还堆着他家的东西"
    assert _unsure(ctx, a(two, ("animals",), 0.28))
    assert not _unsure(ctx, a(two, ("animals",), 0.1))  # a passing mention
    assert not _unsure(ctx, a(two, (), 0.28))  # confident, one problem
    assert not _unsure(ctx, a("8栋邻居家的狗天天叫", ("animals",), 0.28))  # one clause
