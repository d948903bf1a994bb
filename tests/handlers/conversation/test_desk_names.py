"""A desk is named by what it is: the district's command centre is never 社区工作人员, and an
urgent report sent to a desk is never labelled as a request for a person (人工客服)."""

from __future__ import annotations

from tests.support.bot import RESIDENT, Bot, code_of


async def test_urgent_fire_with_no_place_names_the_district_desk(bot: Bot) -> None:
    reply = await bot.send(RESIDENT, "着火了！救命啊！快来人！")
    code = code_of(reply)
    assert "负责：区指挥中心（指挥中心）" in (reply or "")
    assert "社区工作人员" not in (reply or "")
    [notice] = [t for t in await bot.texts("centre") if code in t and "分拨" in t]
    assert notice.startswith(f"【紧急待分拨】{code}")
    assert "人工客服" not in notice and f"派单 {code} 姓名" in notice
