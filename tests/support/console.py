"""The sample district with tickets in three communities, console users of every role, the
console app over it, and signing in through the real login form."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.accounts import add_user
from bot.console.app import setup_console
from bot.runtime import RUNTIME, Runtime
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.district import import_district
from storage.models import Identity, Person, Region, Ticket, TicketEvent
from tests.support.storage import EXAMPLE

NOW = datetime(2026, 11, 24, 2, 0)  # naive UTC: 10:00 in Shanghai
PASSWORD = "correct-horse-9"
RESIDENT_PHONE = "13912345678"
USERS = {  # username → (role, area)
    "admin": ("admin", None), "centre": ("centre", None), "fc": ("street", "FC"),
    "lianjiang": ("community", "FC-LJ"), "xincheng": ("community", "DC-XC"),
}
# ticket codes by community: LJ (连江, street FC), FX (凤翔, street FC), XC (新城, street DC)
LJ_CODES = ["GD20261123-0001", "GD20261123-0002", "GD20261123-0003"]
FX_CODE = "GD20261123-0004"
XC_CODE = "GD20261123-0005"
TRIAGE_CODE = "GD20261123-0006"  # no community: the district's triage

MakeClient = Callable[..., AbstractAsyncContextManager[TestClient[Any, Any]]]


async def seed(s: AsyncSession) -> None:
    await import_district(s, EXAMPLE, source="examples/district.toml")
    regions = {r.code: r for r in (await s.scalars(select(Region))).all()}
    s.add(Person(id="r-0001", name="", roles=["resident"], phone=RESIDENT_PHONE))
    await s.flush()
    s.add(Identity(person_id="r-0001", channel="mp", external_id="oResident0001"))

    def ticket(n: int, grid: str | None, **kw: Any) -> Ticket:
        at = NOW - timedelta(hours=30 - n)
        g = regions[grid] if grid else None
        base: dict[str, Any] = dict(
            code=f"GD20261123-{n:04d}", category="noise", urgency="normal",
            text=f"第{n}号诉求，联系电话 {RESIDENT_PHONE}", region_id=g.id if g else None,
            community_id=g.parent_id if g else None, reporter_id="r-0001", status="assigned",
            created_at=at, updated_at=at, respond_by=at + timedelta(hours=4),
            resolve_by=at + timedelta(days=2), community_text="幸福花园", building="3")
        return Ticket(**(base | kw))

    tickets = [
        ticket(1, "FC-LJ-01", assignee_id="zhangwei", urgency="urgent", category="fire_safety"),
        ticket(2, "FC-LJ-01", assignee_id="zhangwei", status="accepted",
               accepted_at=NOW - timedelta(hours=27), resolve_by=NOW - timedelta(hours=1)),
        ticket(3, "FC-LJ-02", assignee_id="lina", category="sanitation"),
        ticket(4, "FC-FX-01", assignee_id="liuyang", community_text="阳光新村"),
        ticket(5, "DC-XC-01", assignee_id="sunli", community_text="锦绣华庭", lng=113.043,
               lat=23.684),
        ticket(6, None, status="new", community_text=None, building=None),
    ]
    s.add_all(tickets)
    await s.flush()
    for t in tickets:
        s.add(TicketEvent(ticket_id=t.id, kind="created", actor_id="r-0001", to_status="new",
                          created_at=t.created_at))
    for username, (role, area) in USERS.items():
        await add_user(s, username, role=role, area=area, password=PASSWORD,
                       name={"admin": "管理员", "centre": "指挥中心值班", "fc": "凤城街道",
                             "lianjiang": "连江社区", "xincheng": "新城社区"}[username])


def build_app(db: Database, clock: FrozenClock | None = None, **console: Any) -> web.Application:
    app = web.Application()
    settings = Settings(console={"secret": "test-secret"} | console)
    app[RUNTIME] = Runtime(settings, db, clock or FrozenClock(NOW),
                           dispatcher=None)  # type: ignore[arg-type]  # the console never dispatches
    setup_console(app, settings)
    return app


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no csrf field on the page"
    return m.group(1)


async def sign_in(client: TestClient[Any, Any], username: str,
                  password: str = PASSWORD) -> Any:
    page = await client.get("/console/login")
    token = csrf_of(await page.text())
    return await client.post("/console/login", data={
        "username": username, "password": password, "csrf": token}, allow_redirects=False)


async def page_csrf(client: TestClient[Any, Any], path: str = "/console/") -> str:
    resp = await client.get(path)
    assert resp.status == 200, (path, resp.status)
    return csrf_of(await resp.text())
