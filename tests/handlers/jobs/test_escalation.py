"""Overdue tickets climb: community leader, street leader, command centre; capped at 3."""

from __future__ import annotations

import asyncio

from handlers.conversation.dispatcher import Dispatcher
from handlers.jobs.escalation import escalate_overdue
from handlers.jobs.registry import sweep
from handlers.jobs.reminders import send_reminders
from tests.support.bot import RESIDENT, Bot, code_of
from tests.support.jobs import HIGH, URGENT, events, services, texts_with

LEADER = "【超时督办"
OFFICER = "【超时】"


async def escalate(bot: Bot) -> int:
    return await escalate_overdue(bot.db, bot.dispatcher.services)


async def test_unaccepted_urgent_ticket_climbs_every_30_minutes_to_the_district(
        bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, URGENT))  # respond-by 10:30, period 30 m
    assert len(await bot.texts("chenjun")) == 1  # paged at once, as urgent tickets are
    bot.clock.advance(minutes=30)  # 10:30: met to the minute is met
    assert await escalate(bot) == 0
    bot.clock.advance(minutes=1)  # 10:31: level 1, the community leader
    assert await escalate(bot) == 1
    [to_leader] = await texts_with(bot, "chenjun", LEADER)
    assert "【超时督办·社区】" in to_leader and code in to_leader
    assert "接单已超时" in to_leader and "11月23日 10:30" in to_leader and "张伟" in to_leader
    [to_officer] = await texts_with(bot, "zhangwei", OFFICER)
    assert "已上报社区督办" in to_officer and f"接单 {code}" in to_officer
    assert (await bot.ticket(code)).escalation_level == 1
    assert await escalate(bot) == 0

    bot.clock.advance(minutes=29)  # 11:00: the second period ends now, not yet over
    assert await escalate(bot) == 0
    bot.clock.advance(minutes=1)  # 11:01: level 2, the street leader
    assert await escalate(bot) == 1
    [to_street] = await texts_with(bot, "wangfang", LEADER)
    assert "【超时督办·街道】" in to_street and code in to_street
    bot.clock.advance(minutes=30)  # 11:31: level 3, the command centre
    assert await escalate(bot) == 1
    [to_centre] = await texts_with(bot, "centre", LEADER)
    assert "【超时督办·区指挥中心】" in to_centre

    for _ in range(3):  # capped: later periods and the passed resolve-by add nothing
        bot.clock.advance(hours=12)
        assert await escalate(bot) == 0
    t = await bot.ticket(code)
    assert (t.escalation_level, t.assignee_id, t.status) == (3, "zhangwei", "assigned")
    assert len(await texts_with(bot, "chenjun", LEADER)) == 1
    assert len(await texts_with(bot, "wangfang", LEADER)) == 1
    assert len(await texts_with(bot, "centre", LEADER)) == 1
    assert len(await texts_with(bot, "zhangwei", OFFICER)) == 3
    notes = [e.note for e in await events(bot, code, "escalated")]
    assert len(notes) == 3 and "社区" in notes[0] and "陈军" in notes[0]


async def test_a_sweep_after_a_long_outage_tells_each_level_once(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, URGENT))
    bot.clock.advance(hours=1, minutes=35)  # 11:35: three periods passed while nothing ran
    assert await escalate(bot) == 1
    assert (await bot.ticket(code)).escalation_level == 3
    for who in ("chenjun", "wangfang", "centre"):
        assert len(await texts_with(bot, who, LEADER)) == 1
    [to_officer] = await texts_with(bot, "zhangwei", OFFICER)
    assert "区指挥中心" in to_officer


async def test_late_acceptance_counts_and_resolve_deadline_climbs_on_working_days(
        bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, HIGH))  # respond 14:00, resolve Wed 18:00
    bot.clock.advance(hours=4, minutes=1)  # 14:01 unaccepted: community
    assert await escalate(bot) == 1
    await bot.send("zhangwei", f"接单 {code}", channel="work")
    bot.clock.advance(hours=4)  # 18:01: a second respond period, but it was accepted
    assert await escalate(bot) == 0
    bot.clock.advance(days=1, hours=23, minutes=59)  # Wed 18:00: the resolve-by itself
    assert await escalate(bot) == 0
    bot.clock.advance(minutes=1)  # missed too: one more level, the street
    assert await escalate(bot) == 1
    [to_street] = await texts_with(bot, "wangfang", LEADER)
    assert "办结已超时" in to_street and "11月25日（周三）下班前" in to_street
    [_, to_officer] = await texts_with(bot, "zhangwei", OFFICER)
    assert "已上报街道督办" in to_officer and f"办结 {code}" in to_officer
    bot.clock.advance(days=1, hours=23, minutes=59)  # Fri 18:00: one 2-working-day period
    assert await escalate(bot) == 0
    bot.clock.advance(minutes=1)
    assert await escalate(bot) == 1
    assert len(await texts_with(bot, "centre", LEADER)) == 1


async def test_escalation_once_across_restart_and_concurrent_workers(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, URGENT))
    bot.clock.advance(minutes=31)
    one, two = services(bot.clock), services(bot.clock)
    counts = await asyncio.gather(escalate_overdue(bot.db, one), escalate_overdue(bot.db, two))
    assert sorted(counts) == [0, 1]
    restarted = services(bot.clock)
    bot.dispatcher = Dispatcher(restarted)
    await sweep(bot.db, restarted)
    assert len(await texts_with(bot, "chenjun", LEADER)) == 1
    assert len(await events(bot, code, "escalated")) == 1


async def test_waiting_ticket_neither_reminds_nor_escalates_until_answered(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, HIGH))  # resolve-by Wed 18:00
    await bot.send("zhangwei", f"接单 {code}", channel="work")
    bot.clock.advance(minutes=5)
    assert "暂停" in await bot.send("zhangwei", f"追问 {code} 具体在几楼？", channel="work")
    for _ in range(4):  # two days of silence, past the resolve-by
        bot.clock.advance(hours=12)
        assert await send_reminders(bot.db, bot.dispatcher.services) == 0
        assert await escalate(bot) == 0
    await bot.send(RESIDENT, "在三楼楼道")  # the clock runs again, 2 days later: Fri 18:00
    t = await bot.ticket(code)
    assert (t.status, t.escalation_level) == ("in_progress", 0)
    bot.clock.advance(days=2, hours=7, minutes=55)  # Fri 18:00
    assert await escalate(bot) == 0
    bot.clock.advance(minutes=1)
    assert await escalate(bot) == 1
    assert (await bot.ticket(code)).escalation_level == 1


async def test_urgent_pages_and_every_escalation_go_out_as_urgent_notices(bot: Bot) -> None:
    """What the sender puts first for a person (bot/channels/sender.py): an urgent ticket's
    pages, and escalations of any ticket; an ordinary ticket's page waits its turn."""
    urgent = code_of(await bot.send(RESIDENT, URGENT))
    high = code_of(await bot.send("o_resident_two", HIGH))
    pages = {r.payload["text"].split("\n")[0]: r.priority for r in await bot.outbox("zhangwei")}
    assert pages == {f"【紧急工单】{urgent}": 1, f"【新工单】{high}": 0}
    bot.clock.advance(hours=4, minutes=1)  # both overdue to accept: the community leader
    assert await escalate(bot) == 2
    told = [r for r in await bot.outbox("chenjun") if LEADER in r.payload["text"]]
    assert {r.priority for r in told} == {1} and any(high in r.payload["text"] for r in told)
    late = [r for r in await bot.outbox("zhangwei") if OFFICER in r.payload["text"]]
    assert len(late) == 2 and {r.priority for r in late} == {1}


async def test_the_resident_hears_when_nobody_took_their_urgent_report(bot: Bot) -> None:
    """Trial U4: water coming in, 30 minutes unaccepted; the officer and the leader were told,
    the resident heard nothing after the first reply."""
    code = code_of(await bot.send(RESIDENT, URGENT))
    before = len(await bot.texts(RESIDENT))
    bot.clock.advance(minutes=31)
    assert await escalate(bot) == 1
    [told] = (await bot.texts(RESIDENT))[before:]
    assert code in told and "还没有工作人员接单" in told and "社区督办" in told
    assert "119" in told and "张伟" not in told  # who is late is the leaders' business
    await bot.send("zhangwei", f"接单 {code}", channel="work")
    accepted = len(await bot.texts(RESIDENT))
    bot.clock.advance(hours=2)  # accepted: no further climb for the respond deadline
    assert await escalate(bot) == 0
    assert len(await bot.texts(RESIDENT)) == accepted


async def test_the_resident_hears_when_the_resolve_deadline_passes(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, HIGH))  # respond 14:00, resolve Wed 18:00
    await bot.send("zhangwei", f"接单 {code}", channel="work")
    before = len(await bot.texts(RESIDENT))
    bot.clock.advance(days=3)
    assert await escalate(bot) == 1
    [told] = (await bot.texts(RESIDENT))[before:]
    assert code in told and "未能在" in told and "办结" in told and "督办" in told
    assert "119" not in told
