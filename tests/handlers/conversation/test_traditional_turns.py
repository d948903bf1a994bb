"""A resident writing Traditional Chinese (Hong Kong, Taiwan, relatives abroad) is read by the
conversation's own rules as the same words in Simplified: a nudge is a nudge, 「已經修好了」 is
fixed already, a command is a command (trial 12: «請問大概要等多久？» became a consult ticket,
«路燈已經修好了，不用麻煩了，謝謝» left the ticket open)."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Ticket
from tests.support.bot import RESIDENT, Bot, code_of

LAMP = "幸福花园3号楼楼道的灯坏了"


async def _tickets(bot: Bot) -> int:
    async def q(s):  # noqa: ANN001, ANN202
        return await s.scalar(select(func.count()).select_from(Ticket))
    return await bot.db.read(q)


async def test_impatience_in_traditional_nudges_the_report(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, LAMP))
    before = await _tickets(bot)
    bot.clock.advance(hours=3)
    reply = await bot.send(RESIDENT, "怎麼還沒人來啊？") or ""
    assert f"已为您催办工单 {code}" in reply
    assert await _tickets(bot) == before


async def test_fixed_already_in_traditional_offers_to_withdraw(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, LAMP))
    before = await _tickets(bot)
    reply = await bot.send(RESIDENT, "燈已經修好了，不用麻煩了，謝謝") or ""
    assert f"撤销 {code}" in reply
    assert await _tickets(bot) == before
    assert "已經修好了" in (await bot.ticket(code)).text  # her words, as she wrote them


async def test_a_command_in_traditional(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, LAMP))
    reply = await bot.send(RESIDENT, f"查詢 {code}") or ""
    assert code in reply and "位置" in reply
