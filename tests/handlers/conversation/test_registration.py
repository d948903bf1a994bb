"""注册通讯员 → the liaison's notice → 通过 / 拒绝, and what a non-correspondent is told."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import CorrespondentApplication
from tests.support.bot import Bot
from tests.support.correspondents import become_correspondent, person_of

RIDER = "oRider001"


async def applications(bot: Bot) -> list[CorrespondentApplication]:
    async def q(s: Any) -> list[CorrespondentApplication]:
        return list((await s.scalars(select(CorrespondentApplication)
                                     .order_by(CorrespondentApplication.id))).all())

    return await bot.db.read(q)


async def test_application_goes_to_the_liaison_and_approval_grants_the_role(bot: Bot) -> None:
    await bot.send(RIDER, "绑定 幸福花园3号楼")  # bound to 连江社区: its liaison decides
    reply = await bot.send(RIDER, "注册通讯员 王师傅 13800000009")
    assert "#1" in reply and "王师傅" in reply and "138****0009" in reply
    assert "13800000009" not in reply
    told = await bot.texts("liming")
    assert told == ["新通讯员申请 #1 王师傅 138****0009（连江社区），"
                    "回复「通过 1」或「拒绝 1 原因」。"]
    assert await bot.texts("centre") == []
    assert "等待联络员审核" in await bot.send(RIDER, "注册通讯员 王师傅 13800000009")
    assert len(await applications(bot)) == 1

    reply = await bot.send("liming", "通过 1", channel="work")
    rider = await person_of(bot, RIDER)
    assert "已通过" in reply and rider.id in reply and "138****0009" in reply
    assert "13800000009" not in reply
    assert "correspondent" in rider.roles and "resident" in rider.roles
    assert (rider.name, rider.phone) == ("王师傅", "13800000009")
    news = await bot.texts(RIDER)
    assert len(news) == 1 and "已通过" in news[0] and "积分" in news[0]
    app = (await applications(bot))[0]
    assert (app.state, app.decided_by) == ("approved", "liming")

    assert "已被通过" in await bot.send("liming", "通过 1", channel="work")
    assert "已是网格通讯员" in await bot.send(RIDER, "注册通讯员 王师傅 13800000009")
    reply = await bot.send(RIDER, "积分")
    assert "可用积分：0 分" in reply and "积分排行" in reply


async def test_an_applicant_with_no_community_goes_to_the_district_desk(bot: Bot) -> None:
    reply = await bot.send(RIDER, "注册通讯员：李师傅13900000002")  # no space, full-width colon
    assert "#1" in reply and "李师傅" in reply
    assert await bot.texts("liming") == []
    assert await bot.texts("centre") == ["新通讯员申请 #1 李师傅 139****0002，"
                                         "回复「通过 1」或「拒绝 1 原因」。"]


async def test_declined_application_tells_the_applicant_and_grants_nothing(bot: Bot) -> None:
    await bot.send(RIDER, "绑定 幸福花园3号楼")
    await bot.send(RIDER, "注册通讯员 王师傅 13800000009")
    reply = await bot.send("liming", "拒绝 1 请留本人手机号", channel="work")
    assert "已拒绝" in reply
    news = await bot.texts(RIDER)
    assert len(news) == 1 and "未通过" in news[0] and "请留本人手机号" in news[0]
    rider = await person_of(bot, RIDER)
    assert "correspondent" not in rider.roles and rider.phone is None
    assert (await applications(bot))[0].state == "rejected"
    assert "已被拒绝" in await bot.send("liming", "通过 1", channel="work")
    reply = await bot.send(RIDER, "积分")
    assert "注册通讯员 姓名 手机" in reply  # how to join, not a balance
    assert "#2" in await bot.send(RIDER, "注册通讯员 王师傅 13800000010")  # may apply again


async def test_bad_requests_are_explained(bot: Bot) -> None:
    assert "注册通讯员 姓名 手机" in await bot.send(RIDER, "注册通讯员 王师傅")
    assert "注册通讯员 姓名 手机" in await bot.send(RIDER, "注册通讯员 13800000009")
    assert "注册通讯员 姓名 手机" in await bot.send(RIDER, "注册通讯员 王师傅 12345")
    assert await applications(bot) == []
    await bot.send(RIDER, "注册通讯员 王师傅 13800000009")
    assert "只有联络员和社区领导" in await bot.send("zhangwei", "通过 1", channel="work")
    assert "没有找到这条申请" in await bot.send("liming", "通过 99", channel="work")
    assert "网格员使用的指令" in await bot.send("oSomeone", "通过 1")  # a resident cannot
    assert (await applications(bot))[0].state == "pending"


async def test_points_word_explains_how_to_join(bot: Bot) -> None:
    reply = await bot.send("oResident", "积分")
    assert "网格通讯员" in reply and "注册通讯员 姓名 手机" in reply and "+5" in reply
    reply = await bot.send("oResident", "积分排行")
    assert "还没有通讯员获得积分" in reply and "注册通讯员" in reply


async def test_correspondent_help_lists_the_points_words(bot: Bot) -> None:
    assert "积分排行" not in await bot.send("oResident", "帮助")
    await become_correspondent(bot, RIDER)
    reply = await bot.send(RIDER, "帮助")
    assert "积分排行" in reply and "查询" in reply
