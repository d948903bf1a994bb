"""A small district with tickets in several states, and the admin API app built over it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.api.tickets import setup_api
from bot.runtime import RUNTIME, Runtime
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.models import Identity, Outbox, Person, Region, Ticket, TicketEvent

TOKEN = "t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
T0 = datetime(2026, 11, 22, 2, 0)  # naive UTC: 10:00 in Shanghai
RESIDENT_OPENID = "oPENID-resident-0001"
RESIDENT_PHONE = "13912345678"

MakeClient = Callable[..., AbstractAsyncContextManager[TestClient[Any, Any]]]


async def seed(s: AsyncSession) -> None:
    district = Region(code="TD", name="测试区", level="district")
    s.add(district)
    await s.flush()
    street = Region(code="TD-S1", name="城关街道", level="street", parent_id=district.id)
    s.add(street)
    await s.flush()
    community = Region(code="TD-C1", name="幸福社区", level="community", parent_id=street.id)
    s.add(community)
    await s.flush()
    g1 = Region(code="TD-G1", name="第一网格", level="grid", parent_id=community.id)
    g2 = Region(code="TD-G2", name="第二网格", level="grid", parent_id=community.id)
    s.add_all([g1, g2])
    s.add_all([
        Person(id="zhangwei", name="张伟", roles=["officer"], phone="13800000001"),
        Person(id="lina", name="李娜", roles=["officer"]),
        Person(id="r-abc123", name="", roles=["resident"], phone=RESIDENT_PHONE,
               home_address="幸福小区3号楼"),
    ])
    await s.flush()
    s.add(Identity(person_id="r-abc123", channel="mp", external_id=RESIDENT_OPENID))

    def ticket(n: int, grid: Region | None, **kw: Any) -> Ticket:
        at = T0 + timedelta(hours=n)
        base: dict[str, Any] = dict(
            code=f"GD20261122-{n:04d}", category="noise", urgency="normal",
            text=f"第{n}号诉求", region_id=grid.id if grid else None,
            community_id=community.id if grid else None, reporter_id="r-abc123",
            status="new", created_at=at, updated_at=at, respond_by=at + timedelta(days=1),
            resolve_by=at + timedelta(days=10))
        return Ticket(**(base | kw))

    t1 = ticket(1, g1, status="assigned", assignee_id="zhangwei",
                text="楼下装修太吵了，电话 139 1234 5678，晚上十点还在砸墙",
                community_text="幸福小区", building="3", unit="2", room="501",
                lng=116.4, lat=39.9, confidence=0.91)
    t2 = ticket(2, g1, category="sanitation", status="resolved", assignee_id="zhangwei",
                resolved_at=T0 + timedelta(hours=5), resolution="已清运，联系人13700001111",
                rating=None)
    t3 = ticket(3, g2, status="new")
    t4 = ticket(4, g2, status="assigned", assignee_id="lina")
    t5 = ticket(5, None, category="other", status="new")
    s.add_all([t1, t2, t3, t4, t5])
    await s.flush()
    t6 = ticket(6, g1, status="duplicate", duplicate_of_id=t1.id)
    s.add(t6)
    # inserted out of time order; two share a timestamp and must keep insertion order
    s.add_all([
        TicketEvent(ticket_id=t1.id, kind="accepted", actor_id="zhangwei",
                    from_status="assigned", to_status="accepted",
                    created_at=T0 + timedelta(hours=2)),
        TicketEvent(ticket_id=t1.id, kind="created", actor_id="r-abc123",
                    to_status="new", note="噪音扰民/normal", created_at=T0 + timedelta(hours=1)),
        TicketEvent(ticket_id=t1.id, kind="assigned", actor_id=None, from_status="new",
                    to_status="assigned", note="派给张伟 13800000001",
                    created_at=T0 + timedelta(hours=1)),
    ])
    for state in ("pending", "pending", "sent", "failed"):
        s.add(Outbox(channel="mp", recipient=RESIDENT_OPENID, payload={"text": "x"},
                     state=state, next_attempt_at=T0, created_at=T0))


def build_app(db: Database, *, token: str = TOKEN, sender: Any = None) -> web.Application:
    app = web.Application()
    clock = FrozenClock(T0 + timedelta(days=1))
    app[RUNTIME] = Runtime(Settings(admin={"token": token}), db, clock,
                           dispatcher=None,  # type: ignore[arg-type]  # these never dispatch
                           sender=sender)

    async def wechat(request: web.Request) -> web.Response:  # stands in for the gateway
        return web.Response(text="success")

    app.router.add_get("/wechat/mp", wechat)
    setup_api(app)
    return app
