"""Signing in with WeCom through the API stand-in, as a browser would: the console sends the
browser to the authorize page, the stand-in sends it back with a code, and the person of the
district file behind that code gets the role of their slots, or a clear refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import pytest_asyncio
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.console.app import setup_console
from bot.demo.standin import WeChatStandIn
from bot.runtime import RUNTIME, Runtime
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.district import import_district
from storage.models import ConsoleUser
from tests.support.console import NOW, page_csrf
from tests.support.storage import EXAMPLE

Console = Callable[..., AbstractAsyncContextManager[TestClient[Any, Any]]]


@pytest_asyncio.fixture
async def standin() -> AsyncIterator[WeChatStandIn]:
    s = WeChatStandIn()
    await s.start()
    yield s
    await s.stop()


@pytest_asyncio.fixture
async def console(seeded: Database, standin: WeChatStandIn) -> Console:
    """The console over the seeded district, with WeCom sign-in against the stand-in."""

    @asynccontextmanager
    async def make(**console: Any) -> AsyncIterator[TestClient[Any, Any]]:
        settings = Settings(
            console={"secret": "test-secret", "wecom_login": True,
                     "wecom_authorize_url": f"{standin.base_url}/connect/oauth2/authorize"}
            | console,
            wechat={"work": {"corp_id": "wwcorp", "agent_id": 1000002, "secret": "s3cret",
                             "api_base_url": standin.base_url}})
        app = web.Application()
        app[RUNTIME] = Runtime(settings, seeded, FrozenClock(NOW),
                               dispatcher=None)  # type: ignore[arg-type]
        setup_console(app, settings)
        async with TestClient(TestServer(app, host="127.0.0.1")) as c:
            yield c

    return make


async def wecom_sign_in(c: TestClient[Any, Any], standin: WeChatStandIn,
                        userid: str) -> Any:
    """The login page's WeCom link, the authorize page (as `userid`), back to the callback."""
    standin.oauth_user = userid
    login = await c.get("/console/login")
    assert 'href="/console/wecom/login"' in await login.text()
    to_wecom = await c.get("/console/wecom/login", allow_redirects=False)
    assert to_wecom.status == 302
    where = to_wecom.headers["Location"]
    assert where.startswith(f"{standin.base_url}/connect/oauth2/authorize?")
    async with ClientSession() as browser:
        back = await browser.get(where, allow_redirects=False)
        assert back.status == 302
        callback = urlsplit(back.headers["Location"])
    assert callback.path == "/console/wecom/callback"
    return await c.get(f"{callback.path}?{callback.query}", allow_redirects=False)


async def signed_in_as(c: TestClient[Any, Any]) -> str:
    home = await c.get("/console/", allow_redirects=False)
    assert home.status == 200, home.headers.get("Location")
    return await home.text()


async def user_row(db: Database, username: str) -> ConsoleUser | None:
    return await db.read(lambda s: s.scalar(
        select(ConsoleUser).where(ConsoleUser.username == username)))


@pytest.mark.parametrize(("userid", "person", "role", "area", "shown"), [
    ("zhoumin", "zhoumin", "street", "DC", "东城街道"),  # street leader of 东城
    ("ChenJun", "chenjun", "community", "FC-LJ", "连江社区"),  # community leader of 连江
    ("liming", "liming", "community", "FC-LJ", "连江社区"),  # liaison (and triage) of 连江
    ("heyan", "heyan", "community", "DC-XC", "新城社区"),  # triage of 新城
])
async def test_slots_give_the_role_and_area(console: Console, standin: WeChatStandIn,
                                            seeded: Database, userid: str, person: str,
                                            role: str, area: str, shown: str) -> None:
    async with console() as c:
        resp = await wecom_sign_in(c, standin, userid)
        assert resp.status == 302
        assert resp.headers["Location"] == "/console/"
        page = await signed_in_as(c)
        assert shown in page
        u = await user_row(seeded, f"wx.{person}")
        assert u is not None and u.role == role and u.person_id == person
        assert u.area_code == area


async def test_command_centre_signs_in_as_centre(console: Console, standin: WeChatStandIn,
                                                 seeded: Database) -> None:
    # in the sample file the command centre is 李华, who is also admin: put 吴静 there too
    text = EXAMPLE.replace('command_centre = ["lihua"]', 'command_centre = ["lihua", "wujing"]')
    await seeded.run(lambda s: import_district(s, text, source="district.toml"))
    async with console() as c:
        resp = await wecom_sign_in(c, standin, "wujing")
        assert resp.headers["Location"] == "/console/"
        page = await signed_in_as(c)
        assert "全区" in page
        u = await user_row(seeded, "wx.wujing")
        assert u is not None and (u.role, u.area_code) == ("centre", None)


async def test_admin_in_the_file_signs_in_as_admin(console: Console, standin: WeChatStandIn,
                                                   seeded: Database) -> None:
    async with console() as c:
        await wecom_sign_in(c, standin, "LiHua")
        page = await signed_in_as(c)
        assert 'href="/console/district"' in page
        u = await user_row(seeded, "wx.lihua")
        assert u is not None and u.role == "admin"


@pytest.mark.parametrize(("userid", "words"), [
    ("ZhangWei", "没有指挥中心、街道或社区的岗位"),  # a grid officer: in the file, no slot
    ("nobody", "不在辖区名单中"),  # not in the district file at all
])
async def test_anyone_else_is_refused_with_a_clear_page(
        console: Console, standin: WeChatStandIn, seeded: Database, userid: str,
        words: str) -> None:
    async with console() as c:
        resp = await wecom_sign_in(c, standin, userid)
        assert resp.status == 302
        location = resp.headers["Location"]
        assert urlsplit(location).path == "/console/login"
        assert words in parse_qs(urlsplit(location).query)["error"][0]
        page = await c.get(location)
        assert page.status == 200
        assert words in await page.text()
        # and no session: the console still wants a sign-in
        home = await c.get("/console/", allow_redirects=False)
        assert home.status == 302 and home.headers["Location"].startswith("/console/login")
        assert await user_row(seeded, f"wx.{userid.lower()}") is None


async def test_session_works_afterwards(console: Console, standin: WeChatStandIn,
                                        seeded: Database) -> None:
    async with console() as c:
        await wecom_sign_in(c, standin, "chenjun")
        # the community's own tickets are visible, another community's are not
        mine = await c.get("/console/tickets/GD20261123-0001")
        assert mine.status == 200
        other = await c.get("/console/tickets/GD20261123-0005")
        assert other.status == 404
        # a form with the session's CSRF token is accepted: signing out
        token = await page_csrf(c)
        out = await c.post("/console/logout", data={"csrf": token}, allow_redirects=False)
        assert out.status == 302
        home = await c.get("/console/", allow_redirects=False)
        assert home.status == 302


async def test_a_change_of_slots_takes_effect_at_the_next_sign_in(
        console: Console, standin: WeChatStandIn, seeded: Database) -> None:
    async with console() as c:
        await wecom_sign_in(c, standin, "chenjun")
    u = await user_row(seeded, "wx.chenjun")
    assert u is not None and u.area_code == "FC-LJ"
    # 陈军 now leads 东城 instead of 周敏
    text = EXAMPLE.replace('leader = "zhoumin"', 'leader = "chenjun"')
    await seeded.run(lambda s: import_district(s, text, source="district.toml"))
    async with console() as c:
        await wecom_sign_in(c, standin, "chenjun")
        assert "东城街道" in await signed_in_as(c)
    u = await user_row(seeded, "wx.chenjun")
    assert u is not None and (u.role, u.area_code) == ("street", "DC")


async def test_callback_without_the_state_cookie_is_refused(console: Console,
                                                            standin: WeChatStandIn) -> None:
    async with console() as c:
        resp = await c.get("/console/wecom/callback?code=x&state=forged",
                           allow_redirects=False)
        assert resp.status == 302
        assert urlsplit(resp.headers["Location"]).path == "/console/login"
        assert standin.calls["auth/getuserinfo"] == 0


async def test_wecom_sign_in_is_off_unless_configured(console: Console) -> None:
    async with console(wecom_login=False) as c:
        assert (await c.get("/console/wecom/login", allow_redirects=False)).status == 404
        assert "/console/wecom/login" not in await (await c.get("/console/login")).text()
