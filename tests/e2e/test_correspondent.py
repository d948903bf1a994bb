"""Issue 5's whole flow over real HTTP: a delivery rider's photo + location report, verified by
the liaison, resolved by the officer, points credited exactly once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.demo.simulator import location_xml, media_xml
from storage.models import Attachment, PointsLedger
from tests.support.e2e import World, code_of

RIDER = "oRiderWang01"
INSIDE = (23.6862, 113.0320)  # lat, lng inside 连江社区第一网格's polygon


async def test_rider_photo_location_report_verified_resolved_points_once(world: World) -> None:
    reply = await world.mp.say(RIDER, "注册通讯员 王师傅 13900001234")
    assert "申请" in (reply.content or "")
    application = await world.pushed("centre", "王师傅")  # no home address: district desk
    assert "139****1234" in application and "13900001234" not in application
    app_id = application.split("#")[1].split()[0] if "#" in application else "1"
    assert "通过" in (await world.work.say("centre", f"通过 {app_id}")).content
    await world.pushed(RIDER, "通讯员")

    world.standin.media["PHOTO_RIDER_1"] = (b"\xff\xd8\xff fake jpeg", "image/jpeg")
    photo = media_xml("gh", RIDER, "image", "PHOTO_RIDER_1")
    assert "照片" in (await world.mp.post(photo)).content
    await world.mp.post(location_xml("gh", RIDER, *INSIDE, label="幸福花园东门外人行道"))
    reply = await world.mp.say(RIDER, "路边井盖没了，一个大坑，晚上骑车很危险")
    code = code_of(reply.content)
    assert "核实" in reply.content

    pending = await world.pushed("liming", code)  # the liaison verifies first
    assert "核实" in pending
    assert not any(code in t for t in world.standin.texts("zhangwei"))
    assert "已核实" in (await world.work.say("liming", f"核实 {code}")).content
    await world.pushed("zhangwei", code)

    assert "已办结" in (await world.work.say("zhangwei", f"办结 {code} 已补装井盖")).content
    await world.pushed(RIDER, "已补装井盖")
    again = await world.work.say("zhangwei", f"办结 {code} 再次办结")
    assert "不能办结" in (again.content or "")

    async def ledger(s: AsyncSession) -> list[tuple[str, int]]:
        return [(r.reason, r.points) for r in (await s.scalars(
            select(PointsLedger).order_by(PointsLedger.id))).all()]

    assert await world.db.read(ledger) == [("verified", 5), ("resolved", 5)]
    assert "10" in ((await world.mp.say(RIDER, "积分")).content or "")

    async def photos(s: AsyncSession) -> Sequence[Attachment]:
        return (await s.scalars(select(Attachment))).all()

    [photo] = await world.db.read(photos)
    status, item = await world.api(f"/api/v1/tickets/{code}")
    assert item["source"] == "correspondent" and item["location"]["lng"] is not None
    assert item["grid"] == "FC-LJ-01"
    assert photo.media_id == "PHOTO_RIDER_1"
    assert [a["kind"] for a in item["attachments"]] == ["image"]  # the evidence shows
