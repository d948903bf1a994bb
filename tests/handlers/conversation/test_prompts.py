"""Prompts built from other prompts read whole: no sentence cut in the middle of a word."""

from __future__ import annotations

import re

from tests.support.bot import Bot

SCALE = "1 非常满意 2 满意 3 基本满意 4 不满意"


async def _resolved(bot: Bot) -> str:
    reply = await bot.send("oPrompt01", "幸福花园3号楼2单元楼道有人拉飞线给电动车充电")
    code = re.search(r"GD\d{8}-\d{4}", reply or "").group(0)
    await bot.send("zhangwei", f"接单 {code}", channel="work")
    await bot.send("zhangwei", f"办结 {code} 已清理飞线", channel="work")
    return code


async def test_rating_hints_carry_the_whole_scale(bot: Bot) -> None:
    code = await _resolved(bot)
    shown = await bot.send("oPrompt01", f"查询 {code}")
    assert SCALE in shown and f"评价 {code} 数字" in shown
    asked = await bot.send("oPrompt01", f"评价 {code}")
    assert SCALE in asked and "评价 工单号 数字" in asked
    for text in (shown, asked):  # the fragments the old slices left behind
        assert "理结果：1" not in text and "复数字评价" not in text
