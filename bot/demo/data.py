"""Demo data for the console: a month of tickets in the sample district, in every state, with
their history, and one console user per role. Used by `gridbot demo --serve`, the screenshot
script and the browser tests. Deterministic (a seeded random), so screenshots are repeatable.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.accounts import add_user
from storage.models import Identity, Person, Region, Ticket, TicketEvent, TicketSequence

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = (  # username, role, area, name
    ("admin", "admin", None, "系统管理员"),
    ("centre", "centre", None, "指挥中心值班员"),
    ("fengcheng", "street", "FC", "凤城街道办"),
    ("lianjiang", "community", "FC-LJ", "连江社区工作站"),
    ("xincheng", "community", "DC-XC", "新城社区工作站"),
)
REPORTS: list[tuple[str, str, str, str]] = [  # category, urgency, text, place
    ("fire_safety", "urgent", "楼道里有人拉飞线给电动车充电，晚上一直插着，太危险了", "幸福花园"),
    ("fire_safety", "high", "消防通道被杂物堵住了，消防车进不来", "金色港湾"),
    ("gas_electric", "urgent", "单元门口闻到很重的煤气味，像是管道漏气", "阳光新村"),
    ("water", "high", "小区停水一天了，也没有通知什么时候来水", "锦绣华庭"),
    ("water", "normal", "路边水管破裂，水一直往外冒", "凤翔路"),
    ("municipal", "normal", "路灯坏了好几盏，晚上很黑，老人出门不方便", "幸福花园"),
    ("municipal", "normal", "人行道地砖松动翘起，已经有人绊倒了", "凤翔路"),
    ("sanitation", "normal", "垃圾桶满了好几天没人清运，味道很大", "金色港湾"),
    ("sanitation", "normal", "楼下绿化带里堆满了建筑垃圾", "阳光新村"),
    ("noise", "normal", "楼上装修每天早上七点就开始砸墙，周末也不停", "幸福花园"),
    ("noise", "normal", "广场舞音响声音太大，晚上十点还在跳", "锦绣华庭"),
    ("illegal_construction", "normal", "顶楼住户在楼顶搭建彩钢房", "金色港湾"),
    ("street_order", "normal", "市场门口占道经营，车都过不去", "连江农贸市场"),
    ("parking_traffic", "normal", "小区门口乱停车，救护车都进不来", "阳光新村"),
    ("property", "normal", "电梯坏了一个星期，物业一直说在等配件", "幸福花园"),
    ("property", "normal", "单元门禁坏了，陌生人随便进出", "锦绣华庭"),
    ("greening", "normal", "台风后大树倒在路边还没清理", "凤翔路"),
    ("animals", "high", "小区里有流浪狗咬人，孩子不敢下楼", "金色港湾"),
    ("neighbor", "normal", "邻居在公共走廊堆放杂物，多次沟通无果", "阳光新村"),
    ("public_order", "high", "晚上有人在小区里聚众喝酒吵闹", "锦绣华庭"),
    ("consult", "normal", "想问一下老年人助餐点在哪里报名", "幸福花园"),
    ("other", "normal", "社区公告栏的通知被撕掉了", "东城小学"),
]
PLACE_GRID = {"幸福花园": "FC-LJ-01", "金色港湾": "FC-LJ-02", "连江农贸市场": "FC-LJ-03",
              "阳光新村": "FC-FX-01", "凤翔路": "FC-FX-01", "锦绣华庭": "DC-XC-01",
              "东城小学": "DC-XC-01"}
RESULTS = ["已联系物业处理完毕", "已现场查看并整改", "已协调相关部门处理", "已清理完毕"]


async def seed_demo(session: AsyncSession, now: datetime, *, tickets: int = 90,
                    users: bool = True) -> list[str]:
    """Tickets over the 30 days before `now` (naive UTC) in the imported sample district;
    returns their codes. The district must be imported first."""
    rnd = random.Random(13)
    regions = {r.code: r for r in (await session.scalars(select(Region))).all()}
    residents = []
    for i in range(12):
        pid = f"r-demo{i:02d}"
        if await session.get(Person, pid) is None:
            session.add(Person(id=pid, name="", roles=["resident"],
                               phone=f"1391234{i:04d}"))
            await session.flush()
            session.add(Identity(person_id=pid, channel="mp", external_id=f"oDemoRes{i:04d}"))
        residents.append(pid)
    codes: list[str] = []
    per_day: dict[str, int] = {}
    for n in range(tickets):
        category, urgency, text, place = REPORTS[n % len(REPORTS)]
        age = timedelta(days=29 * (tickets - n) / tickets, minutes=rnd.randint(0, 600))
        created = now - age
        day = (created + timedelta(hours=8)).strftime("%Y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        code = f"GD{day}-{per_day[day]:04d}"
        grid = regions.get(PLACE_GRID[place]) if n % 17 != 5 else None  # a few left to triage
        officer = (grid.slots or {}).get("officer") if grid else None
        building = (str(rnd.randint(1, 5)) if place in ("幸福花园", "金色港湾", "阳光新村")
                    else None)
        respond = {"urgent": timedelta(minutes=30), "high": timedelta(hours=4)}.get(
            urgency, timedelta(hours=24))
        resolve = {"urgent": timedelta(hours=4), "high": timedelta(days=1)}.get(
            urgency, timedelta(days=3))
        t = Ticket(code=code, category=category, urgency=urgency, text=text, community_text=place,
                   building=building, region_id=grid.id if grid else None,
                   community_id=grid.parent_id if grid else None,
                   reporter_id=residents[n % len(residents)], source="resident",
                   status="new", created_at=created, updated_at=created,
                   respond_by=created + respond, resolve_by=created + resolve,
                   confidence=0.9)
        session.add(t)
        await session.flush()
        events = [TicketEvent(ticket_id=t.id, kind="created", actor_id=t.reporter_id,
                              to_status="new", note=f"{category}/{urgency}", created_at=created)]
        fate = rnd.random() if age > timedelta(days=2) else rnd.random() * 0.5
        if grid is None or officer is None:
            events.append(TicketEvent(ticket_id=t.id, kind="triage", from_status="new",
                                      to_status="new", note="未能定位到网格，进入分拨列表",
                                      created_at=created))
        else:
            t.assignee_id = officer
            _step(events, t, "assigned", "new", "assigned", None, created)
            t.status = "assigned"
            if fate > 0.25:
                acc = created + respond * rnd.uniform(0.2, 1.3)
                if acc < now:
                    t.accepted_at, t.status = acc, "accepted"
                    _step(events, t, "accepted", "assigned", "accepted", officer, acc)
            if fate > 0.45 and t.accepted_at:
                done = t.accepted_at + resolve * rnd.uniform(0.2, 1.4)
                if done < now:
                    t.resolved_at, t.status = done, "resolved"
                    t.resolution = RESULTS[n % len(RESULTS)]
                    _step(events, t, "resolved", "accepted", "resolved", officer, done,
                          t.resolution)
                    if fate > 0.6:
                        t.rating = rnd.choice([1, 1, 2, 2, 3, 4])
                        t.status, t.closed_at = "closed", done + timedelta(hours=5)
                        _step(events, t, "rated", "resolved", "closed", t.reporter_id,
                              t.closed_at, f"评价 {t.rating}")
        session.add_all(events)
        codes.append(code)
    for day, last in per_day.items():
        row = await session.get(TicketSequence, day)
        if row is None:
            session.add(TicketSequence(day=day, last=last))
        else:
            row.last = max(row.last, last)
    if users:
        for username, role, area, name in DEMO_USERS:
            await add_user(session, username, role=role, area=area, name=name,
                           password=DEMO_PASSWORD, person_id="lihua" if role == "admin" else None)
    return codes


def _step(events: list[Any], t: Ticket, kind: str, before: str, after: str, actor: str | None,
          at: datetime, note: str | None = None) -> None:
    events.append(TicketEvent(ticket_id=t.id, kind=kind, actor_id=actor, from_status=before,
                              to_status=after, note=note, created_at=at))
