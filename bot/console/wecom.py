"""Sign-in with WeCom (企业微信网页授权 / 扫码登录) for people of the district file.

/console/wecom/login sends the browser to the authorize page with a state nonce (a cookie);
WeCom sends it back to /console/wecom/callback with a code, which `auth/getuserinfo` turns into a
userid, the userid into a person (their WeCom identity), and the person's slots into a role:
an admin → admin; the district's command centre → centre; a street leader → street of that
street; a community leader, triage member or liaison → community of that community. The console
user `wx.<person id>` is made or updated at each sign-in, so a change of slots in the district
file takes effect at the next sign-in; anyone else is refused.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlencode

from aiohttp import ClientSession, ClientTimeout, web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.clients import ChannelClients
from bot.console import core as cw
from storage.models import ConsoleUser, Identity, Person, Region

logger = logging.getLogger(__name__)

STATE_COOKIE = "gridbot_wecom_state"


def role_for(person: Person, regions: list[Region]) -> tuple[str, str | None] | None:
    def holds(r: Region, *slots: str) -> bool:
        for slot in slots:
            value = (r.slots or {}).get(slot)
            if person.id in (value if isinstance(value, list) else [value]):
                return True
        return False

    if person.has_role("admin"):
        return "admin", None
    for r in regions:
        # the posts handlers.ops.reach lets act anywhere over WeCom see the whole district here
        if r.level == "district" and holds(r, "command_centre", "triage", "leader"):
            return "centre", None
    for r in regions:
        if r.level == "street" and holds(r, "leader"):
            return "street", r.code
    for r in regions:
        if r.level == "community" and holds(r, "leader", "triage", "liaisons"):
            return "community", r.code
    return None


async def wecom_login(request: web.Request) -> web.StreamResponse:
    cfg = cw.state(request).config
    work = cw.settings(request).wechat.work
    if not cfg.wecom_login or not work.corp_id:
        raise cw.not_found()
    nonce = secrets.token_urlsafe(16)
    back = f"{request.scheme}://{request.host}/console/wecom/callback"
    url = cfg.wecom_authorize_url + "?" + urlencode({
        "appid": work.corp_id, "redirect_uri": back, "response_type": "code",
        "scope": "snsapi_base", "agentid": work.agent_id, "state": nonce}) + "#wechat_redirect"
    resp = web.HTTPFound(url)
    cw.state(request).set_cookie(request, resp, STATE_COOKIE, nonce, max_age=600)
    raise resp


async def _userid(request: web.Request, code: str) -> str | None:
    rt = cw.runtime(request)
    if rt.clients is not None:
        res = await rt.clients.work.call("GET", "auth/getuserinfo", params={"code": code})
    else:
        timeout = ClientTimeout(total=rt.settings.http.timeout_seconds)
        async with ClientSession(timeout=timeout) as http:
            work = ChannelClients.build(rt.settings, rt.db, rt.clock, http).work
            res = await work.call("GET", "auth/getuserinfo", params={"code": code})
    if not res.ok:
        logger.warning("wecom sign-in: getuserinfo failed: %s", res.error)
        return None
    uid = res.data.get("userid") or res.data.get("UserId")
    return str(uid).lower() if uid else None


async def wecom_callback(request: web.Request) -> web.StreamResponse:
    if not cw.state(request).config.wecom_login:
        raise cw.not_found()
    state, code = request.query.get("state", ""), request.query.get("code", "")
    expected = request.cookies.get(STATE_COOKIE)
    if not code or not expected or not secrets.compare_digest(state, expected):
        raise web.HTTPFound("/console/login?error=企业微信登录已过期，请重试")
    userid = await _userid(request, code)
    if userid is None:
        raise web.HTTPFound("/console/login?error=企业微信未能确认您的身份")
    resp = web.HTTPFound("/console/")

    async def unit(s: AsyncSession) -> str | None:
        person = await s.scalar(select(Person).join(Identity).where(
            Identity.channel == "work", Identity.external_id == userid))
        if person is None or not person.active:
            cw.audit(s, request, "login_failed", f"wecom:{userid}", "不在辖区名单中",
                     username=f"wecom:{userid}")
            return "您不在辖区名单中，不能登录指挥中心。"
        got = role_for(person, list((await s.scalars(select(Region).where(
            Region.active.is_(True)).order_by(Region.id))).all()))
        if got is None:
            cw.audit(s, request, "login_failed", f"wecom:{userid}", "没有可登录的岗位",
                     username=f"wecom:{userid}")
            return "您在辖区名单中没有指挥中心、街道或社区的岗位。"
        role, area = got
        username = f"wx.{person.id}"[:64]
        u = await s.scalar(select(ConsoleUser).where(ConsoleUser.username == username))
        if u is None:
            u = ConsoleUser(username=username, name=person.name, role=role, area_code=area,
                            person_id=person.id, active=True)
            s.add(u)
            await s.flush()
        elif not u.active:
            return "您的指挥中心账号已停用。"
        u.role, u.area_code, u.name = role, area, person.name
        await cw.start_session(request, u, s, resp)
        cw.audit(s, request, "login", username, "企业微信", username=username, user_id=u.id)
        return None

    refused = await cw.db(request).run(unit)
    if refused:
        raise web.HTTPFound("/console/login?error=" + refused)
    resp.del_cookie(STATE_COOKIE, path="/console")
    raise resp
