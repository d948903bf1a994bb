"""附议 is offered only for the same problem (same category and a domain word or place word in
common), and a seconding, answered or not, carries the seconder's own words to the officer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.scheduler.runner import expire_drafts
from storage.models import Ticket, TicketFollower
from tests.support.bot import Bot, code_of

OFFER = "回复 1 附议该工单（一并处理），回复 2 仍然新建工单"
EBIKE = "幸福花园2号楼楼下电动车被水泡了，有人还在插着充电"  # 消防安全, urgent
HYDRANT = "幸福花园2号楼消火栓漏水"  # 消防安全 too, another problem
CHARGING = "幸福花园2号楼电动车在楼道里充电"  # the e-bike again, in other words


async def _tickets(bot: Bot) -> list[Ticket]:
    async def q(s: Any) -> list[Ticket]:
        return list((await s.scalars(select(Ticket).order_by(Ticket.id))).all())

    return await bot.db.read(q)


async def _followers(bot: Bot, code: str) -> int:
    t = await bot.ticket(code)

    async def q(s: Any) -> int:
        return len((await s.scalars(select(TicketFollower).where(
            TicketFollower.ticket_id == t.id))).all())

    return await bot.db.read(q)


async def test_another_problem_of_the_category_is_a_ticket_of_its_own(bot: Bot) -> None:
    ebike = code_of(await bot.send("oA", EBIKE))
    reply = await bot.send("oB", HYDRANT) or ""
    assert OFFER not in reply and ebike not in reply
    t = await bot.ticket(code_of(reply))
    assert (t.category, t.text, t.assignee_id) == ("fire_safety", HYDRANT, "zhangwei")


async def test_the_same_problem_is_offered_past_a_newer_other_one(bot: Bot) -> None:
    ebike = code_of(await bot.send("oA", EBIKE))
    hydrant = code_of(await bot.send("oB", HYDRANT))
    offer = await bot.send("oC", CHARGING) or ""
    assert OFFER in offer and ebike in offer and hydrant not in offer
    assert "电动车" in offer  # what the open ticket is about, in its domain words
    assert "插着充电" not in offer  # never the other resident's own words


async def test_answer_1_carries_the_seconders_words_to_the_officer(bot: Bot) -> None:
    ebike = code_of(await bot.send("oA", EBIKE))
    await bot.send("oC", CHARGING)
    assert f"已附议工单 {ebike}" in (await bot.send("oC", "1") or "")
    [notice] = [x for x in await bot.texts("zhangwei") if "【附议】" in x]
    assert ebike in notice and CHARGING in notice
    assert len(await _tickets(bot)) == 1


async def test_silence_seconds_and_the_words_still_reach_the_officer(bot: Bot) -> None:
    ebike = code_of(await bot.send("oA", EBIKE))
    offer = await bot.send("oC", CHARGING) or ""
    assert "不回复" in offer  # the resident is told what silence does
    bot.clock.advance(minutes=31)
    assert await expire_drafts(bot.db, bot.dispatcher.services) == 1
    assert await _followers(bot, ebike) == 1 and len(await _tickets(bot)) == 1
    [notice] = [x for x in await bot.texts("zhangwei") if "【附议】" in x]
    assert ebike in notice and CHARGING in notice
    assert any("已为您附议" in x for x in await bot.texts("oC"))


async def test_a_plea_in_common_does_not_make_two_problems_one(bot: Bot) -> None:
    wall = code_of(await bot.send("oA", "幸福花园8号楼围墙被雨泡塌了一截，邻居们都很着急"))
    reply = await bot.send("oB", "幸福花园8号楼广告牌被风吹得晃来晃去，邻居们都很着急") or ""
    assert OFFER not in reply and wall not in reply
    assert (await bot.ticket(code_of(reply))).assignee_id == "lina"
