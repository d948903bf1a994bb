"""Menu CLICKs act like the matching words; a QR scene bind_<code> binds an officer whether it
comes as a subscribe (EventKey qrscene_bind_…) or as a SCAN."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import Identity
from tests.support.bot import Bot, code_of
from tests.support.wechat import WeChat

FAN = "oFan0001"


async def test_clicks_act_like_the_words(bot: Bot, wx: WeChat) -> None:
    code = code_of(await bot.send(FAN, "幸福花园3号楼门口路灯坏了"))
    mine = await wx.event(FAN, "CLICK", "MY_TICKETS")
    assert code in mine and mine == await bot.send(FAN, "查询")
    assert await wx.event(FAN, "CLICK", "GUIDE") == await bot.send(FAN, "帮助")
    assert "文字描述问题" in await wx.event(FAN, "CLICK", "REPORT")


async def _owner(bot: Bot, openid: str) -> str:
    async def q(s: Any) -> str:
        return (await s.scalars(select(Identity).where(Identity.external_id == openid))
                ).one().person_id

    return await bot.db.read(q)


async def test_subscribe_with_bind_scene_binds_the_officer(bot: Bot, wx: WeChat) -> None:
    reply = await wx.event("oOfficer01", "subscribe", "qrscene_bind_483920")
    assert "绑定成功" in reply and "张伟" in reply
    assert await _owner(bot, "oOfficer01") == "zhangwei"
    # the same code cannot bind a second account
    assert "无效或已使用" in await wx.event("oOther01", "subscribe", "qrscene_bind_483920")


async def test_scan_by_a_follower_binds_the_officer(bot: Bot, wx: WeChat) -> None:
    assert "欢迎关注" in await wx.event("oOfficer03", "subscribe")
    reply = await wx.event("oOfficer03", "SCAN", "bind_483920")
    assert "绑定成功" in reply
    assert await _owner(bot, "oOfficer03") == "zhangwei"
    assert "接单" in await bot.send("oOfficer03", "帮助")  # now the officer's words


async def test_other_scenes_just_welcome(bot: Bot, wx: WeChat) -> None:
    assert "欢迎关注" in await wx.event(FAN, "subscribe", "qrscene_poster_2026")
    assert await wx.event(FAN, "SCAN", "poster_2026") is None
