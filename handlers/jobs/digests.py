"""The daily digest to officers and the weekly summary to community and street leaders.

Each message is claimed by a JobRun key (`digest:<date>:<person>`,
`weekly:<last day>:<person>:<region>`) in the unit that queues it: once per day or week, however
often the job runs. The weekly rates are storage.stats' definitions, over the 7 days before
the run's date (Asia/Shanghai).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.jobs.deadlines import claim, pending_deadlines
from handlers.ops import messages as msg
from handlers.ops.notices import notify
from handlers.ops.services import Services
from storage import stats
from storage.clock import to_local
from storage.db import Database
from storage.models import Person, Region, Ticket
from storage.sla import calendar_warnings
from storage.statemachine import OPEN_STATUSES

logger = logging.getLogger(__name__)

MAX_LINES = 10  # per section: a WeCom text is at most 2048 bytes
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Notice:
    key: str
    person_id: str
    text: str


async def _send(db: Database, notices: list[Notice], now: datetime) -> int:
    sent = 0
    for n in notices:
        async def unit(session: AsyncSession, n: Notice = n) -> int:
            person = await session.get(Person, n.person_id)
            if person is None or not person.active or not await claim(session, n.key, now):
                return 0
            return int(await notify(session, person, n.text, at=now))

        sent += await db.run(unit)
    return sent


# daily digest ---------------------------------------------------------------------------------

async def daily_digest(db: Database, services: Services) -> int:
    """Each active officer with open tickets gets today's list once; the number sent."""
    now = services.clock.now()
    today = _local_date(now)

    async def gather(session: AsyncSession) -> list[Notice]:
        people = (await session.scalars(select(Person).where(Person.active.is_(True))
                                        .order_by(Person.id))).unique().all()
        tickets = (await session.scalars(select(Ticket).where(Ticket.status.in_(OPEN_STATUSES))
                                         .order_by(Ticket.id))).unique().all()
        notices = []
        for p in people:
            mine = [t for t in tickets if p.id in (t.assignee_id, t.owner_id)]
            if p.has_role("officer") and mine:
                notices.append(Notice(f"digest:{today.isoformat()}:{p.id}", p.id,
                                      digest_text(mine, services, now)))
        return notices

    sent = await _send(db, await db.read(gather), now)
    if sent:
        logger.info("sent %d daily digests for %s", sent, today)
    return sent


def digest_text(tickets: list[Ticket], services: Services, now: datetime) -> str:
    today = _local_date(now)
    overdue: list[str] = []
    due_today: list[str] = []
    other: list[str] = []
    for t in tickets:
        dues = sorted(pending_deadlines(t, services), key=lambda d: d.at)
        if not dues:
            paused = "（等待居民补充，计时暂停）" if t.status == "waiting" else ""
            other.append(f"· {msg.ticket_line(t)}{paused}")
            continue
        first = dues[0]
        # 「办结时限 12月4日（周五）下班前」: a working-day deadline is the close of that day
        line = (f"· {msg.ticket_line(t)}"
                f"（{first.word}时限 {msg.deadline_text(first.at, services)}）")
        if first.at < now:
            overdue.append(line)
        elif _local_date(first.at) == today:
            due_today.append(line)
        else:
            other.append(line)
    lines = [f"【每日待办】{today.month}月{today.day}日（周{WEEKDAYS[today.weekday()]}）",
             f"在办 {len(tickets)} 件：已超时 {len(overdue)} 件，今日到期 {len(due_today)} 件。"]
    for title, section in (("已超时", overdue), ("今日到期", due_today), ("其他在办", other)):
        if section:
            lines.append(f"{title}：")
            lines += section[:MAX_LINES]
            if len(section) > MAX_LINES:
                lines.append(f"……另有 {len(section) - MAX_LINES} 件")
    lines.append("回复「工单 工单号」看详情，「我的工单」看全部待办。")
    # until the config lists the coming year's holidays, deadlines count Monday–Friday
    lines += [f"⚠ {w}" for w in calendar_warnings(services.calendar, now)]
    return "\n".join(lines)


def _local_date(dt: datetime) -> date:
    local = to_local(dt)
    assert local is not None
    return local.date()


# weekly summary -------------------------------------------------------------------------------

async def weekly_summary(db: Database, services: Services) -> int:
    """Each community and street leader gets their area's past 7 days once; the number sent."""
    now = services.clock.now()
    last = _local_date(now) - timedelta(days=1)
    rng = stats.DateRange(last - timedelta(days=6), last)

    async def gather(session: AsyncSession) -> list[Notice]:
        report = await stats.compute(session, rng, now=now, by="community")
        by_code = {g.key: g.counts for g in report.groups}
        regions = (await session.scalars(select(Region).where(
            Region.level.in_(("community", "street")), Region.active.is_(True))
            .order_by(Region.id))).unique().all()
        notices = []
        for region in regions:
            leader = (region.slots or {}).get("leader")
            if not leader:
                continue
            if region.level == "community":
                counts = by_code.get(region.code, stats.Counts())
            else:
                counts = add_counts([by_code.get(c.code, stats.Counts()) for c in regions
                                     if c.level == "community" and c.parent_id == region.id])
            notices.append(Notice(f"weekly:{last.isoformat()}:{leader}:{region.code}", leader,
                                  weekly_text(region.name, rng, counts)))
        return notices

    sent = await _send(db, await db.read(gather), now)
    if sent:
        logger.info("sent %d weekly summaries for %s..%s", sent, rng.since, rng.until)
    return sent


def add_counts(parts: list[stats.Counts]) -> stats.Counts:
    """Counts are sums, so an area's are the sum of its communities'."""
    return stats.Counts(**{f.name: sum(getattr(c, f.name) for c in parts)
                           for f in fields(stats.Counts)})


def rate_text(rate: float | None, num: int, den: int) -> str:
    if rate is None:
        return "暂无数据"
    return f"{rate * 100:.1f}%（{num}/{den}）"


def weekly_text(name: str, rng: stats.DateRange, c: stats.Counts) -> str:
    lines = [
        (f"【周报】{name} {rng.since.month}月{rng.since.day}日—"
         f"{rng.until.month}月{rng.until.day}日"),
        f"受理 {c.received} 件（不含撤销、合并）",
        f"响应率 {rate_text(c.response_rate, c.accepted_on_time, c.received)}",
        f"办结率 {rate_text(c.resolution_rate, c.resolved, c.received)}",
        f"按期办结率 {rate_text(c.on_time_rate, c.resolved_on_time, c.due)}",
        f"满意率 {rate_text(c.satisfaction_rate, c.satisfied, c.rated)}",
    ]
    if c.avg_accept_minutes is not None:
        lines.append(f"平均接单用时 {c.avg_accept_minutes:.0f} 分钟")
    if c.avg_resolve_hours is not None:
        lines.append(f"平均办结用时 {c.avg_resolve_hours:.1f} 小时")
    return "\n".join(lines)
