"""The product's spine over real HTTP: report → routed ticket → officer on WeCom → rating."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.demo.simulator import text_xml
from storage.models import Ticket
from tests.support.e2e import World, code_of

RESIDENT = "oE2eResident01"


async def test_whole_loop_report_to_rating(world: World) -> None:
    welcome = await world.mp.event(RESIDENT, "subscribe")
    assert "帮助" in (welcome.content or "")
    reply = await world.mp.say(RESIDENT, "幸福花园3号楼2单元楼道有人拉飞线给电瓶车充电")
    code = code_of(reply.content)
    assert "张伟" in reply.content and "消防安全" in reply.content

    push = await world.pushed("zhangwei", code)  # WeCom message/send to the officer
    assert f"接单 {code}" in push
    sent = next(m for m in world.standin.sent if m["touser"] == "zhangwei")
    assert sent["channel"] == "work"

    assert "已接单" in (await world.work.say("ZhangWei", f"接单 {code}")).content
    await world.pushed(RESIDENT, "接单")
    assert "已记录" in (await world.work.say("zhangwei", f"进度 {code} 今晚拆除")).content
    await world.pushed(RESIDENT, "今晚拆除")
    assert "已办结" in (await world.work.say("zhangwei", f"办结 {code} 已拆除")).content
    rating_prompt = await world.pushed(RESIDENT, "非常满意")
    assert "已拆除" in rating_prompt

    thanks = await world.mp.say(RESIDENT, "非常满意")
    assert "已关闭" in (thanks.content or "")
    status, item = await world.api(f"/api/v1/tickets/{code}")
    assert status == 200
    assert (item["status"], item["rating"], item["grid"], item["assignee"]) == (
        "closed", 1, "FC-LJ-01", "zhangwei")
    kinds = [e["kind"] for e in item["events"]]
    for k in ("created", "assigned", "accepted", "progress", "resolved", "rated"):
        assert k in kinds


async def test_wechat_retry_makes_one_ticket(world: World) -> None:
    xml = text_xml("gh_x", RESIDENT, "幸福花园2号楼门口垃圾堆了三天没人清运", msg_id=777001)
    first = await world.mp.post(xml)
    retry = await world.mp.post(xml)
    assert code_of(first.content)
    assert retry.content == first.content  # the stored reply: the first may have been lost

    async def count(s: AsyncSession) -> int | None:
        return await s.scalar(select(func.count()).select_from(Ticket))

    assert await world.db.read(count) == 1


async def test_api_lists_with_filters(world: World) -> None:
    await world.mp.say(RESIDENT, "幸福花园3号楼楼道飞线充电")
    await world.mp.say("oOther", "幸福花园8号楼门口垃圾堆积发臭")
    status, body = await world.api("/api/v1/tickets?grid=FC-LJ-02")
    assert status == 200 and body["total"] == 1
    assert body["items"][0]["assignee"] == "lina"
    async with world.http.get(f"{world.base}/api/v1/tickets") as resp:
        assert resp.status == 401


async def test_seconding_shows_on_the_ticket(world: World) -> None:
    code = code_of((await world.mp.say(RESIDENT, "幸福花园2号楼门口路灯不亮了")).content)
    offer = await world.mp.say("oNeighbour02", "幸福花园2号楼门口那盏路灯坏了好几天")
    assert code in (offer.content or "") and "附议" in offer.content
    assert "已附议" in ((await world.mp.say("oNeighbour02", "1")).content or "")
    _, item = await world.api(f"/api/v1/tickets/{code}")
    assert item["followers"] == 1
