"""A resident who sends the same report again and again during a flood is told once per ticket
per few minutes that it is filed, not once per message (each late reply is a push)."""

from __future__ import annotations

from tests.support.bot import RESIDENT, Bot, code_of

REPORT = "幸福花园3号楼门口垃圾好几天没人清理"
AGAIN = "幸福花园3号楼门口的垃圾好几天都没人清理了！！"


async def test_a_repeat_is_told_once_then_quietly(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    replies = []
    for _ in range(6):
        bot.clock.advance(seconds=20)
        replies.append(await bot.send(RESIDENT, AGAIN))
    assert sum("已经登记了" in (r or "") for r in replies) == 1
    assert replies[0] is not None and code in replies[0]
    assert replies[1:] == [None] * 5  # the same words again: nothing said, nothing pushed
    bot.clock.advance(seconds=20)
    other = await bot.send(RESIDENT, "幸福花园3号楼门口垃圾好多天了一直没人来清理，臭死了")
    assert other == f"已补充到工单 {code}。"
    ticket = await bot.ticket(code)
    assert ticket.text.count(AGAIN) == 1  # kept once, not six times
    bot.clock.advance(minutes=6)  # a while later it is said in full again
    later = await bot.send(RESIDENT, AGAIN) or ""
    assert code in later and "不用重复发送" in later
