"""Location messages route by point in polygon (nearest grid as fallback); LOCATION events keep
the resident's last position for a later report and are never answered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import Identity, Outbox
from tests.support.bot import Bot, code_of
from tests.support.wechat import WeChat

RIDER = "oRider0001"
INSIDE = (23.6865, 113.0320)  # (lat, lng) inside FC-LJ-01's polygon
NEAR = (23.6865, 113.0360)  # ~190 m east of its edge
FAR = (23.7000, 113.0600)  # kilometres away


async def test_location_first_then_words_makes_a_placed_ticket(bot: Bot, wx: WeChat) -> None:
    reply = await wx.location(RIDER, *INSIDE, label="连江路与幸福路交叉口")
    assert "连江路与幸福路交叉口" in reply and "连江社区第一网格" in reply
    assert "什么问题" in reply
    code = code_of(await bot.send(RIDER, "路灯坏了一整排"))
    t = await bot.ticket(code)
    assert (t.assignee_id, t.lat, t.lng) == ("zhangwei", *INSIDE)
    assert t.place == "连江路与幸福路交叉口"  # the Label is the place text
    assert any("连江路与幸福路交叉口" in x for x in await bot.texts("zhangwei"))


async def test_location_answers_the_question_where(bot: Bot, wx: WeChat) -> None:
    assert "哪个小区" in await bot.send(RIDER, "路灯坏了好几天了晚上黑漆漆的")
    code = code_of(await wx.location(RIDER, *INSIDE, label="幸福花园东门"))
    t = await bot.ticket(code)
    assert (t.text, t.assignee_id, t.place) == ("路灯坏了好几天了晚上黑漆漆的", "zhangwei",
                                                "幸福花园东门")


async def test_nearest_grid_within_the_configured_distance(bot: Bot, wx: WeChat) -> None:
    assert "哪个小区" in await bot.send(RIDER, "路灯坏了好几天了")
    code = code_of(await wx.location(RIDER, *NEAR, label="幸福路88号"))
    assert (await bot.ticket(code)).assignee_id == "zhangwei"


async def test_too_far_from_every_grid_goes_to_triage_with_the_label(bot: Bot,
                                                                    wx: WeChat) -> None:
    assert "哪个小区" in await bot.send(RIDER, "路灯坏了好几天了")
    code = code_of(await wx.location(RIDER, *FAR, label="江门大道某加油站"))
    t = await bot.ticket(code)
    assert (t.assignee_id, t.place, t.lat) == (None, "江门大道某加油站", FAR[0])
    assert any(code in x for x in await bot.texts("centre"))


async def test_location_event_is_kept_silently_for_a_later_report(bot: Bot,
                                                                  wx: WeChat) -> None:
    assert await wx.position(RIDER, *INSIDE) is None  # cannot be answered

    async def ident(s: Any) -> Identity:
        return (await s.scalars(select(Identity).where(Identity.external_id == RIDER))).one()

    i = await bot.db.read(ident)
    assert (i.last_lat, i.last_lng) == INSIDE
    code = code_of(await bot.send(RIDER, "路灯坏了好几天了"))  # no place in the words
    t = await bot.ticket(code)
    assert (t.assignee_id, t.lat, t.lng) == ("zhangwei", *INSIDE)


async def test_an_old_position_is_not_used(bot: Bot, wx: WeChat) -> None:
    await wx.position(RIDER, *INSIDE)
    bot.clock.advance(minutes=31)
    assert "哪个小区" in await bot.send(RIDER, "路灯坏了好几天了")


async def test_location_event_does_not_swallow_held_notices(bot: Bot, wx: WeChat) -> None:
    code = code_of(await bot.send(RIDER, "幸福花园3号楼门口路灯坏了"))
    await bot.send("zhangwei", f"接单 {code}", channel="work")

    async def hold(s: Any) -> None:
        for row in (await s.scalars(select(Outbox).where(Outbox.recipient == RIDER))).all():
            row.state = "held"

    await bot.db.run(hold)
    assert await wx.position(RIDER, *INSIDE) is None
    assert [r.state for r in await bot.outbox(RIDER)] == ["held"]  # still waiting
    reply = await bot.send(RIDER, "帮助")
    assert reply.startswith("您有 1 条新消息") and "接单" in reply
