"""One resident's messages are processed one after the other, in the order they arrived, even
when two workers (or two tasks of one) take them at the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from handlers.conversation.dispatcher import Dispatcher
from handlers.conversation.types import Update
from storage.db import Database
from storage.models import Ticket
from tests.support.bot import RESIDENT, Bot, code_of
from tests.support.jobs import services, supervised_bot


@pytest_asyncio.fixture
async def any_bot(any_db: Database) -> AsyncIterator[Bot]:
    yield await supervised_bot(any_db)


def _update(bot: Bot, n: int, text: str) -> Update:
    return Update(channel="mp", sender=RESIDENT, text=text, msg_id=f"c{n}", type="text",
                  create_time=int(bot.clock.now().replace(tzinfo=UTC).timestamp()))


async def _at_once(bot: Bot, *texts: str) -> list[str | None]:
    """Each message on its own worker (its own dispatcher), all dispatched at the same time."""
    workers = [Dispatcher(services(bot.clock)) for _ in texts]
    updates = [_update(bot, i, t) for i, t in enumerate(texts)]

    def unit(d: Dispatcher, u: Update) -> Any:
        return bot.db.run(lambda s: d.handle(s, u))

    return list(await asyncio.gather(*(unit(d, u) for d, u in zip(workers, updates,
                                                                    strict=True))))


async def _tickets(bot: Bot) -> list[Ticket]:
    async def q(s: Any) -> list[Ticket]:
        return list((await s.scalars(select(Ticket).order_by(Ticket.id))).all())

    return await bot.db.read(q)


async def test_two_pieces_at_once_make_one_report_and_the_place_is_kept(any_bot: Bot) -> None:
    bot = any_bot
    await bot.send(RESIDENT, "你好")  # a resident known already: the race is over her state
    asked = await _at_once(bot, "楼道里有人堆了好多纸箱子", "还有旧沙发")
    bot.clock.advance(seconds=2)
    [placed] = await _at_once(bot, "幸福花园3号楼")
    [ticket] = await _tickets(bot)  # one report, not one per piece
    assert ticket.building == "3" and ticket.assignee_id == "zhangwei"
    assert "纸箱子" in ticket.text and "旧沙发" in ticket.text  # neither piece lost
    assert ticket.category == "fire_safety"
    assert "已记下「还有旧沙发」" in (asked[1] or "")  # read after the first: its piece
    assert "已交社区工作人员" not in "".join(r or "" for r in asked)  # no draft given up
    assert "工单号" in (placed or "") and ticket.code in (placed or "")


async def test_a_thing_added_with_huanyou_while_asked_where_is_part_of_the_draft(
        bot: Bot) -> None:
    await bot.send(RESIDENT, "楼道里有人堆了好多纸箱子")
    reply = await bot.send(RESIDENT, "还有旧沙发")  # no problem of its own: more of the same
    assert "已记下「还有旧沙发」" in (reply or "") and "已交社区工作人员" not in (reply or "")
    code = code_of(await bot.send(RESIDENT, "幸福花园3号楼"))
    ticket = await bot.ticket(code)
    assert "纸箱子" in ticket.text and "旧沙发" in ticket.text and ticket.building == "3"
    assert len(await _tickets(bot)) == 1
