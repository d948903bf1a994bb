"""A constructed ticket history with chosen timestamps, inserted directly (no handlers).

Times are naive UTC like the database; Asia/Shanghai is UTC+8. NOW is 2026-11-20 12:00 in
Shanghai. Minutes after creation: accepted / resolved; deadlines respond 24 h, resolve 240 h.

| code | grid  | community | category   | status     | accepted   | resolved     | rating |
|------|-------|-----------|------------|------------|------------|--------------|--------|
| T1   | C1-G1 | C1        | sanitation | closed     | 30 m       | 2 h          | 1      |
| T2   | C1-G1 | C1        | sanitation | closed     | 25 h late  | 48 h         | 2      |
| T3   | C1-G2 | C1        | noise      | closed     | 60 m       | 300 h late   | 3      |
| T4   | C1-G2 | C1        | noise      | reopened   | 90 m       | - (overdue)  | 4      |
| T5   | C2-G1 | C2        | water      | closed     | 20 m       | 5 h          | -      |
| T6   | C2-G1 | C2        | other      | assigned   | -          | - (not due)  | -      |
| T7   | -     | C2        | water      | new        | -          | - (overdue)  | -      |
| T8   | C1-G1 | C1        | sanitation | cancelled  | excluded                         |
| T9   | C1-G1 | C1        | sanitation | duplicate  | excluded                         |
| T10  | C1-G1 | C1        | sanitation | closed     | created 2026-10-31 (out of range)|
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, Region, Ticket

NOW = datetime(2026, 11, 20, 4, 0)  # 12:00 Asia/Shanghai
SINCE, UNTIL = "2026-11-01", "2026-11-20"
RESPOND = timedelta(hours=24)
RESOLVE = timedelta(hours=240)


async def regions(session: AsyncSession) -> dict[str, int]:
    """district → street → communities C1, C2 → grids; returns code → id."""
    ids: dict[str, int] = {}
    tree = [("D", "测试区", "district", None), ("S1", "东街道", "street", "D"),
            ("C1", "幸福社区", "community", "S1"), ("C2", "和平社区", "community", "S1"),
            ("C1-G1", "幸福一网格", "grid", "C1"), ("C1-G2", "幸福二网格", "grid", "C1"),
            ("C2-G1", "和平一网格", "grid", "C2")]
    for code, name, level, parent in tree:
        r = Region(code=code, name=name, level=level, parent_id=ids.get(parent or ""))
        session.add(r)
        await session.flush()
        ids[code] = r.id
    session.add_all([Person(id="officer", name="张伟", roles=["officer"]),
                     Person(id="resident", name="居民", roles=["resident"])])
    await session.flush()
    return ids


def ticket(code: str, created: datetime, *, grid: int | None, community: int | None,
           category: str = "other", status: str = "assigned",
           accepted: timedelta | None = None, resolved: timedelta | None = None,
           rating: int | None = None, respond: timedelta | None = RESPOND,
           resolve: timedelta | None = RESOLVE) -> Ticket:
    return Ticket(
        code=code, category=category, urgency="normal", text=f"{code} 的诉求",
        region_id=grid, community_id=community, reporter_id="resident", assignee_id="officer",
        status=status, created_at=created, updated_at=created,
        respond_by=created + respond if respond is not None else None,
        resolve_by=created + resolve if resolve is not None else None,
        accepted_at=created + accepted if accepted is not None else None,
        resolved_at=created + resolved if resolved is not None else None,
        rating=rating,
    )


async def seed_history(session: AsyncSession) -> None:
    r = await regions(session)
    g1, g2, g3, c1, c2 = r["C1-G1"], r["C1-G2"], r["C2-G1"], r["C1"], r["C2"]
    m, h = timedelta(minutes=1), timedelta(hours=1)

    def day(d: int) -> datetime:
        return datetime(2026, 11, d, 2, 0)  # 10:00 in Shanghai

    session.add_all([
        ticket("T1", day(2), grid=g1, community=c1, category="sanitation", status="closed",
               accepted=30 * m, resolved=2 * h, rating=1),
        ticket("T2", day(3), grid=g1, community=c1, category="sanitation", status="closed",
               accepted=25 * h, resolved=48 * h, rating=2),
        ticket("T3", day(4), grid=g2, community=c1, category="noise", status="closed",
               accepted=60 * m, resolved=300 * h, rating=3),
        # 不满意 reopened it: resolved_at cleared, the rating stays; resolve_by 11-15 has passed
        ticket("T4", day(5), grid=g2, community=c1, category="noise", status="reopened",
               accepted=90 * m, rating=4),
        ticket("T5", day(6), grid=g3, community=c2, category="water", status="closed",
               accepted=20 * m, resolved=5 * h),
        ticket("T6", day(18), grid=g3, community=c2, category="other"),  # due 11-28: not yet
        ticket("T7", day(7), grid=None, community=c2, category="water", status="new"),
        # excluded: each would move every rate if it were counted
        ticket("T8", day(8), grid=g1, community=c1, category="sanitation", status="cancelled",
               accepted=10 * m, resolved=1 * h, rating=1),
        ticket("T9", day(9), grid=g1, community=c1, category="sanitation", status="duplicate",
               accepted=10 * m, resolved=1 * h, rating=1),
        ticket("T10", datetime(2026, 10, 31, 2, 0), grid=g1, community=c1,
               category="sanitation", status="closed", accepted=10 * m, resolved=1 * h,
               rating=4),
    ])


# The hand computation over T1–T7 (received 7), as literal fractions.
TOTAL = {
    "received": 7,
    "response_rate": 4 / 7,  # T1 T3 T4 T5 accepted within 24 h; T2 late; T6 T7 never
    "resolution_rate": 4 / 7,  # T1 T2 T3 T5
    "on_time_rate": 3 / 6,  # due: T1 T2 T3 T5 (resolved) + T4 T7 (overdue); on time: T1 T2 T5
    "satisfaction_rate": 3 / 4,  # rated T1..T4 = 1 2 3 4
    "avg_accept_minutes": (30 + 1500 + 60 + 90 + 20) / 5,
    "avg_resolve_hours": (2 + 48 + 300 + 5) / 4,
}
BY_GRID = [
    {"key": "C1-G1", "name": "幸福一网格", "received": 2, "response_rate": 1 / 2,
     "resolution_rate": 2 / 2, "on_time_rate": 2 / 2, "satisfaction_rate": 2 / 2,
     "avg_accept_minutes": (30 + 1500) / 2, "avg_resolve_hours": (2 + 48) / 2},
    {"key": "C1-G2", "name": "幸福二网格", "received": 2, "response_rate": 2 / 2,
     "resolution_rate": 1 / 2, "on_time_rate": 0 / 2, "satisfaction_rate": 1 / 2,
     "avg_accept_minutes": (60 + 90) / 2, "avg_resolve_hours": 300 / 1},
    {"key": "C2-G1", "name": "和平一网格", "received": 2, "response_rate": 1 / 2,
     "resolution_rate": 1 / 2, "on_time_rate": 1 / 1, "satisfaction_rate": None,
     "avg_accept_minutes": 20 / 1, "avg_resolve_hours": 5 / 1},
    {"key": None, "name": None, "received": 1, "response_rate": 0 / 1,
     "resolution_rate": 0 / 1, "on_time_rate": 0 / 1, "satisfaction_rate": None,
     "avg_accept_minutes": None, "avg_resolve_hours": None},
]
BY_COMMUNITY = [
    {"key": "C1", "name": "幸福社区", "received": 4, "response_rate": 3 / 4,
     "resolution_rate": 3 / 4, "on_time_rate": 2 / 4, "satisfaction_rate": 3 / 4,
     "avg_accept_minutes": (30 + 1500 + 60 + 90) / 4, "avg_resolve_hours": (2 + 48 + 300) / 3},
    {"key": "C2", "name": "和平社区", "received": 3, "response_rate": 1 / 3,
     "resolution_rate": 1 / 3, "on_time_rate": 1 / 2, "satisfaction_rate": None,
     "avg_accept_minutes": 20 / 1, "avg_resolve_hours": 5 / 1},
]
BY_CATEGORY = [
    {"key": "noise", "name": "噪音扰民", "received": 2, "response_rate": 2 / 2,
     "resolution_rate": 1 / 2, "on_time_rate": 0 / 2, "satisfaction_rate": 1 / 2,
     "avg_accept_minutes": (60 + 90) / 2, "avg_resolve_hours": 300 / 1},
    # T6 is open and not yet due: nothing to divide 按期办结 by
    {"key": "other", "name": "其他", "received": 1, "response_rate": 0 / 1,
     "resolution_rate": 0 / 1, "on_time_rate": None, "satisfaction_rate": None,
     "avg_accept_minutes": None, "avg_resolve_hours": None},
    {"key": "sanitation", "name": "环境卫生", "received": 2, "response_rate": 1 / 2,
     "resolution_rate": 2 / 2, "on_time_rate": 2 / 2, "satisfaction_rate": 2 / 2,
     "avg_accept_minutes": (30 + 1500) / 2, "avg_resolve_hours": (2 + 48) / 2},
    {"key": "water", "name": "供水排水", "received": 2, "response_rate": 1 / 2,
     "resolution_rate": 1 / 2, "on_time_rate": 1 / 2, "satisfaction_rate": None,
     "avg_accept_minutes": 20 / 1, "avg_resolve_hours": 5 / 1},
]


def approx(expected: dict[str, Any]) -> dict[str, Any]:
    """The expected numbers, compared to the 2-decimal averages and float rates."""
    return {k: (pytest.approx(v, abs=0.006) if isinstance(v, float) else v)
            for k, v in expected.items()}


def public(item: dict[str, Any]) -> dict[str, Any]:
    """An API/JSON item without its `counts` (checked separately where it matters) and the
    催办 rate (the history has no 催办: test_rates checks it on tickets of its own)."""
    return {k: v for k, v in item.items()
            if k not in ("counts", "since", "until", "urge_rate")}


def cli_parser() -> argparse.ArgumentParser:
    """`gridbot` with only the stats subcommand, wired the way bot/cli/main.py wires it."""
    from bot.cli.stats import add_stats_command

    p = argparse.ArgumentParser(prog="gridbot")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config")
    add_stats_command(p.add_subparsers(dest="command", required=True), common)
    return p
