"""The place a message states wins over a place kept from before, and a message that says what
is wrong beside its place is a report, never a bare place kept for later."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Ticket
from tests.support.bot import RESIDENT, Bot, code_of


async def _count(bot: Bot) -> int:
    return int(await bot.db.read(lambda s: s.scalar(select(func.count(Ticket.id)))))


async def test_a_problem_beside_its_place_is_filed_not_kept_as_a_place(bot: Bot) -> None:
    reply = await bot.send(RESIDENT, "幸福花园3号楼地下车库开始进水了")
    assert "出了什么问题" not in (reply or "")
    t = await bot.ticket(code_of(reply))
    assert (t.category, t.building, t.assignee_id) == ("water", "3", "zhangwei")
    assert any(t.code in x for x in await bot.texts("zhangwei"))


async def test_the_place_the_message_states_wins_over_the_kept_one(bot: Bot) -> None:
    assert "出了什么问题" in (await bot.send(RESIDENT, "幸福花园3号楼") or "")
    bot.clock.advance(minutes=1)
    reply = await bot.send(RESIDENT, "金色港湾东门口一棵大树倒了，压住了两辆车") or ""
    t = await bot.ticket(code_of(reply))
    assert t.community_text == "金色港湾" and t.assignee_id == "lina" and not t.building
    assert "幸福花园" not in (t.place or "")
    assert "「幸福花园3号楼」" in reply  # the resident hears the kept place was not filed
    assert not any(t.code in x for x in await bot.texts("zhangwei"))
    assert await _count(bot) == 1


async def test_the_kept_place_still_serves_a_message_that_names_none(bot: Bot) -> None:
    await bot.send(RESIDENT, "幸福花园3号楼")
    t = await bot.ticket(code_of(await bot.send(RESIDENT, "楼道里堆满了纸箱子")))
    assert t.building == "3" and t.assignee_id == "zhangwei"


async def test_a_problem_elsewhere_is_not_offered_onto_the_kept_place(bot: Bot) -> None:
    code = code_of(await bot.send("oNeighbour", "幸福花园3号楼门口一棵大树倒了"))
    await bot.send(RESIDENT, "幸福花园3号楼")
    reply = await bot.send(RESIDENT, "金色港湾东门口一棵大树倒了，压住了两辆车") or ""
    assert code not in reply and "附议" not in reply
    assert (await bot.ticket(code_of(reply))).assignee_id == "lina"
