"""An officer in a hurry accepts several tickets in one message (「接单GD…-0025,0047,0050」):
every one named is accepted and its resident told, not only the first."""

from __future__ import annotations

from tests.support.bot import Bot, code_of

FLYING = "幸福花园3号楼2单元楼道有人拉飞线给电动车充电"
BOXES = "幸福花园2号楼楼道里堆满了纸箱子"


async def test_every_code_named_is_accepted(bot: Bot) -> None:
    first = code_of(await bot.send("oResA", FLYING))
    second = code_of(await bot.send("oResB", BOXES))
    assert first.rsplit("-", 1)[0] == second.rsplit("-", 1)[0]  # the same day's codes
    short = second.rsplit("-", 1)[1]
    reply = await bot.send("zhangwei", f"接单{first}，{short}", channel="work") or ""
    assert f"已接单 {first}" in reply and f"已接单 {second}" in reply
    for code in (first, second):
        assert (await bot.ticket(code)).status == "accepted"
    for resident, code in (("oResA", first), ("oResB", second)):
        assert any(f"（{code}）已由" in x for x in await bot.texts(resident))


async def test_a_code_not_theirs_is_said_and_the_rest_accepted(bot: Bot) -> None:
    mine = code_of(await bot.send("oResA", FLYING))
    other = code_of(await bot.send("oResB", "幸福花园7号楼门口自来水管漏水了"))  # 李娜's grid
    reply = await bot.send("zhangwei", f"接单 {mine} {other}", channel="work") or ""
    assert f"已接单 {mine}" in reply and other in reply and f"已接单 {other}" not in reply
    assert (await bot.ticket(mine)).status == "accepted"
    assert (await bot.ticket(other)).status != "accepted"
