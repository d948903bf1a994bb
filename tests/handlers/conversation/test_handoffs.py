"""转办 to a department and back, 追问 with the clock paused, 改类 with re-routing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CategoryCorrection
from tests.support.bot import REPORT, RESIDENT, Bot, code_of


async def test_transfer_to_department_which_resolves(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, "幸福花园3号楼楼下有人占道摆摊卖水果"))
    reply = await bot.send("zhangwei", f"转办 {code} 城管 请依法处理", channel="work")
    assert "城管" in reply
    t = await bot.ticket(code)
    assert (t.status, t.assignee_id, t.owner_id) == ("transferred", "cg", "zhangwei")
    assert any(code in x and "请依法处理" in x for x in await bot.texts("cg01"))
    assert any("城管" in x for x in await bot.texts(RESIDENT))
    assert "不是您负责的" in await bot.send("zhangwei", f"办结 {code} 好了", channel="work")
    assert "已接单" in await bot.send("cg01", f"接单 {code}", channel="work")
    assert "已办结" in await bot.send("cg01", f"办结 {code} 摊位已清理", channel="work")
    assert any("摊位已清理" in x for x in await bot.texts("zhangwei"))
    assert any("摊位已清理" in x for x in await bot.texts(RESIDENT))


async def test_department_sends_back_to_grid_officer(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, "幸福花园3号楼楼下有人占道摆摊卖水果"))
    await bot.send("zhangwei", f"转办 {code} 城管", channel="work")
    reply = await bot.send("cg01", f"退回 {code} 属于小区内部，请物业处理", channel="work")
    assert "张伟" in reply
    t = await bot.ticket(code)
    assert (t.status, t.assignee_id) == ("assigned", "zhangwei")
    assert any("转办退回" in x for x in await bot.texts("zhangwei"))


async def test_unknown_department_is_refused(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    assert "没有找到部门" in await bot.send("zhangwei", f"转办 {code} 水务局", channel="work")
    assert (await bot.ticket(code)).status == "assigned"


async def test_ask_pauses_clock_until_resident_answers(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    before = await bot.ticket(code)
    reply = await bot.send("zhangwei", f"追问 {code} 具体是几楼的楼道？", channel="work")
    assert "暂停" in reply
    assert (await bot.ticket(code)).status == "waiting"
    assert any("几楼" in x for x in await bot.texts(RESIDENT))
    bot.clock.advance(hours=5)
    reply = await bot.send(RESIDENT, "5楼和6楼之间")
    assert "转告" in reply
    t = await bot.ticket(code)
    assert t.status == "in_progress" and t.waiting_since is None
    assert t.resolve_by - before.resolve_by == timedelta(hours=5)
    assert any("5楼和6楼之间" in x for x in await bot.texts("zhangwei"))
    assert "已办结" in await bot.send("zhangwei", f"办结 {code} 已拆除", channel="work")


async def test_reclassify_reroutes_and_stores_correction(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    reply = await bot.send("zhangwei", f"改类 {code} 物业服务", channel="work")
    assert "物业服务" in reply and "幸福物业" in reply
    t = await bot.ticket(code)
    assert (t.category, t.assignee_id) == ("property", "wy")
    assert any(code in x for x in await bot.texts("wy01"))

    async def q(s: AsyncSession) -> Sequence[CategoryCorrection]:
        return (await s.scalars(select(CategoryCorrection))).all()

    [c] = await bot.db.read(q)
    assert (c.old_category, c.new_category, c.actor_id) == ("fire_safety", "property", "zhangwei")
    assert "没有「天气」这个类别" in await bot.send("wy01", f"改类 {code} 天气", channel="work")


async def test_leader_reassigns_and_both_are_told(bot: Bot) -> None:
    code = code_of(await bot.send(RESIDENT, REPORT))
    reply = await bot.send("chenjun", f"改派 {code} lina", channel="work")
    assert "李娜" in reply
    assert (await bot.ticket(code)).assignee_id == "lina"
    assert any("改派" in x for x in await bot.texts("zhangwei"))
    assert any(code in x for x in await bot.texts("lina"))
    assert "只有" in await bot.send("zhangwei", f"改派 {code} zhangwei", channel="work")
