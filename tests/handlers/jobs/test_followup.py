"""Resolved but unrated: asked once more after a day, closed unrated after three."""

from __future__ import annotations

from handlers.jobs.followup import follow_up
from storage.db import Database
from tests.support.bot import RESIDENT, Bot, code_of
from tests.support.jobs import HIGH, NORMAL, events, supervised_bot, texts_with

ASKED = "还没有收到您的评价"


async def resolved(bot: Bot, text: str = HIGH) -> str:
    code = code_of(await bot.send(RESIDENT, text))
    await bot.send("zhangwei", f"办结 {code} 已处理", channel="work")
    return code


async def test_asked_once_after_a_day_then_closed_unrated(bot: Bot) -> None:
    code = await resolved(bot)
    bot.clock.advance(hours=23, minutes=59)
    assert await follow_up(bot.db, bot.dispatcher.services) == 0
    bot.clock.advance(minutes=1)
    assert await follow_up(bot.db, bot.dispatcher.services) == 1
    [asked] = await texts_with(bot, RESIDENT, ASKED)
    assert code in asked and "1 非常满意" in asked and f"评价 {code}" in asked
    bot.clock.advance(hours=12)
    assert await follow_up(bot.db, bot.dispatcher.services) == 0
    assert len(await texts_with(bot, RESIDENT, ASKED)) == 1
    assert (await bot.ticket(code)).status == "resolved"

    bot.clock.advance(days=1, hours=11, minutes=59)  # 3 days after resolution, less a minute
    assert await follow_up(bot.db, bot.dispatcher.services) == 0
    bot.clock.advance(minutes=1)
    assert await follow_up(bot.db, bot.dispatcher.services) == 1
    t = await bot.ticket(code)
    assert (t.status, t.rating, t.closed_at) == ("closed", None, bot.clock.now())
    [told] = await texts_with(bot, "zhangwei", "已自动关闭")
    assert code in told and "3天" in told
    assert [e.actor_id for e in await events(bot, code, "closed")] == [None]
    assert await follow_up(bot.db, bot.dispatcher.services) == 0
    assert len(await texts_with(bot, RESIDENT, ASKED)) == 1


async def test_bare_digit_answers_the_follow_up_after_the_first_prompt_expired(
        db: Database) -> None:
    bot = await supervised_bot(db, conversation={"rating_days": 1})
    code = await resolved(bot)
    bot.clock.advance(days=1)  # the prompt of the resolution has just expired
    assert await follow_up(bot.db, bot.dispatcher.services) == 1
    bot.clock.advance(hours=5)
    reply = await bot.send(RESIDENT, "2")
    assert "感谢您的评价" in reply and code in reply
    t = await bot.ticket(code)
    assert (t.status, t.rating) == ("closed", 2)
    bot.clock.advance(days=3)
    assert await follow_up(bot.db, bot.dispatcher.services) == 0


async def test_follow_up_does_not_swallow_a_report_in_progress(bot: Bot) -> None:
    code = await resolved(bot)
    bot.clock.advance(days=1)
    # a draft waits for its place
    assert "哪个小区" in await bot.send(RESIDENT, "路灯坏了好几天了")
    assert await follow_up(bot.db, bot.dispatcher.services) == 1
    [asked] = await texts_with(bot, RESIDENT, ASKED)
    assert f"评价 {code}" in asked  # the way to rate it without the bare digit
    reply = await bot.send(RESIDENT, "幸福花园7号楼")  # still the answer to the draft
    new = code_of(reply)
    t = await bot.ticket(new)
    assert (t.text, t.assignee_id) == ("路灯坏了好几天了", "lina")


async def test_configured_delays_and_each_resolution_followed_up(db: Database) -> None:
    bot = await supervised_bot(db, followup={"ask_after": "4h", "close_after": "1d"})
    code = await resolved(bot, NORMAL)
    bot.clock.advance(hours=4)
    assert await follow_up(bot.db, bot.dispatcher.services) == 1
    assert "重新打开" in await bot.send(RESIDENT, f"评价 {code} 4")  # 不满意 reopens it
    bot.clock.advance(hours=1)
    await bot.send("zhangwei", f"办结 {code} 已再次清理", channel="work")
    bot.clock.advance(hours=4)
    assert await follow_up(bot.db, bot.dispatcher.services) == 1  # asked about the new result
    assert len(await texts_with(bot, RESIDENT, ASKED)) == 2
    bot.clock.advance(hours=20)
    assert await follow_up(bot.db, bot.dispatcher.services) == 1
    assert (await bot.ticket(code)).status == "closed"
