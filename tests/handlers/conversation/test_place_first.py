"""A place sent alone, out of the blue, is not a report: the resident is asked what happened
there, and the place is kept for the message that says it."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Ticket
from tests.support.bot import RESIDENT, Bot, code_of


async def _count(bot: Bot) -> int:
    return int(await bot.db.read(lambda s: s.scalar(select(func.count(Ticket.id)))))


async def test_a_bare_place_first_asks_what_happened_and_keeps_the_place(bot: Bot) -> None:
    reply = await bot.send(RESIDENT, "幸福花园3号楼")
    assert "工单号" not in (reply or "") and "出了什么问题" in (reply or "")
    assert "幸福花园3号楼" in (reply or "")
    assert await _count(bot) == 0
    reply = await bot.send(RESIDENT, "楼道里")  # more of the place: still no problem
    assert "工单号" not in (reply or "") and await _count(bot) == 0
    code = code_of(await bot.send(RESIDENT, "有人堆了好多纸箱子"))
    ticket = await bot.ticket(code)
    assert ticket.building == "3" and ticket.assignee_id == "zhangwei"
    assert ticket.category == "fire_safety" and "纸箱子" in ticket.text
    assert await _count(bot) == 1


async def test_an_angry_face_is_asked_what_happened(bot: Bot) -> None:
    reply = await bot.send(RESIDENT, "😡😡😡")
    assert reply is not None and "发生了什么" in reply and "好的" not in reply
    assert await _count(bot) == 0


async def test_the_building_is_echoed_in_the_residents_word(bot: Bot) -> None:
    reply = await bot.send(RESIDENT, "金色港湾A栋1楼的走廊灯坏了")
    assert "位置：金色港湾A栋" in (reply or "") and "A座" not in (reply or "")
