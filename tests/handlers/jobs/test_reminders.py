"""Reminders at 75% of a deadline: once, across restarts and concurrent workers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio

from handlers.conversation.dispatcher import Dispatcher
from handlers.jobs.escalation import escalate_overdue
from handlers.jobs.registry import sweep
from handlers.jobs.reminders import send_reminders
from storage.db import Database
from tests.support.bot import RESIDENT, Bot, code_of
from tests.support.jobs import HIGH, events, services, supervised_bot, texts_with

REMINDER = "【即将超时】"


async def test_respond_reminder_once_at_75_percent_and_not_after_restart(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, HIGH))  # respond-by 14:00: reminder at 13:00
    bot.clock.advance(hours=2, minutes=59)
    assert await send_reminders(bot.db, bot.dispatcher.services) == 0
    bot.clock.advance(minutes=1)
    assert await send_reminders(bot.db, bot.dispatcher.services) == 1
    [text] = await texts_with(bot, "zhangwei", REMINDER)
    assert code in text and "11月23日 14:00前接单" in text and f"接单 {code}" in text
    assert await send_reminders(bot.db, bot.dispatcher.services) == 0

    # a restarted worker: new services and dispatcher over the same database
    restarted = services(bot.clock)
    bot.dispatcher = Dispatcher(restarted)
    bot.clock.advance(minutes=30)
    await sweep(bot.db, restarted)
    assert len(await texts_with(bot, "zhangwei", REMINDER)) == 1
    assert len(await events(bot, code, "reminded")) == 1


async def test_resolve_reminder_after_acceptance(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, HIGH))  # resolve-by Wed 18:00 (2 working days)
    bot.clock.advance(minutes=10)
    await bot.send("zhangwei", f"接单 {code}", channel="work")
    bot.clock.advance(hours=5)  # past the respond-by: accepted, so nothing about it
    assert await send_reminders(bot.db, bot.dispatcher.services) == 0
    bot.clock.advance(days=1, hours=14, minutes=49)  # Wed 05:59: 12 h before is 06:00
    assert await send_reminders(bot.db, bot.dispatcher.services) == 0
    bot.clock.advance(minutes=1)
    assert await send_reminders(bot.db, bot.dispatcher.services) == 1
    [text] = await texts_with(bot, "zhangwei", REMINDER)
    assert "请于 11月25日（周三）下班前办结" in text and f"办结 {code}" in text
    assert "18:00" not in text  # a working-day deadline is the close of that day


async def test_no_reminder_or_escalation_once_resolved(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, HIGH))
    await bot.send("zhangwei", f"办结 {code} 已清理飞线", channel="work")
    for _ in range(4):
        bot.clock.advance(hours=12)
        assert await send_reminders(bot.db, bot.dispatcher.services) == 0
        assert await escalate_overdue(bot.db, bot.dispatcher.services) == 0
    assert await texts_with(bot, "zhangwei", REMINDER) == []


@pytest_asyncio.fixture
async def any_bot(any_db: Database) -> AsyncIterator[Bot]:
    yield await supervised_bot(any_db)


async def test_two_workers_sweeping_at_once_send_one_reminder(any_bot: Bot) -> None:
    bot = any_bot
    await bot.send(RESIDENT, HIGH)
    bot.clock.advance(hours=3)
    one, two = services(bot.clock), services(bot.clock)
    counts = await asyncio.gather(send_reminders(bot.db, one), send_reminders(bot.db, two),
                                  sweep(bot.db, one), sweep(bot.db, two))
    assert sum(counts) == 1
    assert len(await texts_with(bot, "zhangwei", REMINDER)) == 1
