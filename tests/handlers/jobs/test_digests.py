"""The officers' daily digest and the leaders' weekly summary, once each per period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.jobs.digests import daily_digest, weekly_summary
from storage import repo
from storage.clock import FrozenClock
from storage.db import Database
from storage.district import import_district
from storage.models import Ticket
from tests.support.bot import Bot, code_of
from tests.support.clock import utc
from tests.support.district import DISTRICT
from tests.support.jobs import HIGH, NORMAL, URGENT, services, texts_with

DIGEST = "【每日待办】"


async def test_daily_digest_lists_overdue_due_today_and_open_once_a_day(bot: Bot) -> None:
    urgent = code_of(await bot.send("oA", URGENT))  # respond-by Mon 10:30: overdue Tuesday
    high = code_of(await bot.send("oB", HIGH))
    normal = code_of(await bot.send("oC", NORMAL))  # respond-by Tue 18:00: due today
    await bot.send("zhangwei", f"接单 {high}", channel="work")  # resolve-by Wed 18:00
    bot.clock.advance(hours=22, minutes=30)  # Tuesday 08:30
    assert await daily_digest(bot.db, bot.dispatcher.services) == 1
    [digest] = await texts_with(bot, "zhangwei", DIGEST)
    lines = digest.splitlines()
    assert lines[0] == "【每日待办】11月24日（周二）"
    assert lines[1] == "在办 3 件：已超时 1 件，今日到期 1 件。"
    sections = {title: lines[lines.index(title) + 1] for title in ("已超时：", "今日到期：",
                                                                   "其他在办：")}
    assert urgent in sections["已超时："] and "接单时限 11月23日 10:30" in sections["已超时："]
    assert normal in sections["今日到期："] and "11月24日（周二）下班前" in sections["今日到期："]
    assert high in sections["其他在办："]
    assert "办结时限 11月25日（周三）下班前" in sections["其他在办："]
    for who in ("lina", "chenjun", "centre"):  # no open tickets, or not officers
        assert await texts_with(bot, who, DIGEST) == []

    bot.clock.advance(hours=6)
    assert await daily_digest(bot.db, bot.dispatcher.services) == 0  # once a day
    bot.clock.advance(hours=18)  # Wednesday
    assert await daily_digest(bot.db, services(bot.clock)) == 1
    assert len(await texts_with(bot, "zhangwei", DIGEST)) == 2


HB = """
[[people]]
id = "zhouli"
name = "周丽"
roles = ["leader"]
wecom_userid = "zhouli"

[[people]]
id = "sunhao"
name = "孙浩"
roles = ["officer"]
wecom_userid = "sunhao"

[[streets.communities]]
code = "FC-HB"
name = "海滨社区"
leader = "zhouli"
triage = ["zhouli"]

  [[streets.communities.grids]]
  code = "FC-HB-01"
  name = "海滨社区第一网格"
  officer = "sunhao"
"""

# (code, community, created, respond_by, accepted, resolve_by, resolved, status, rating), local
HISTORY = [
    ("L1", "FC-LJ", "11-23 10:00", "11-24 10:00", "11-23 11:00", "11-27 10:00", "11-25 09:00",
     "closed", 1),
    ("L2", "FC-LJ", "11-24 10:00", "11-25 10:00", "11-25 12:00", "11-26 10:00", "11-27 10:00",
     "closed", 3),
    ("L3", "FC-LJ", "11-25 10:00", "11-26 10:00", "11-25 18:00", "11-28 10:00", None,
     "in_progress", None),
    ("L4", "FC-LJ", "11-26 10:00", "11-27 10:00", None, "12-10 10:00", None, "assigned", None),
    ("L5", "FC-LJ", "11-27 10:00", "11-28 10:00", None, "12-11 10:00", None, "cancelled", None),
    ("L6", "FC-LJ", "11-20 10:00", "11-21 10:00", "11-20 11:00", "11-25 10:00", "11-24 10:00",
     "closed", 1),  # before the week
    ("L7", "FC-LJ", "11-28 10:00", "11-28 14:00", "11-28 13:59", "11-30 10:00", "11-29 10:00",
     "resolved", None),
    ("H1", "FC-HB", "11-29 23:30", "11-30 23:30", "11-29 23:40", "12-05 10:00", None,
     "reopened", 4),
    ("H2", "FC-HB", "11-30 08:00", "11-30 12:00", None, "12-05 10:00", None, "assigned", None),
]


def _at(value: str | None) -> datetime | None:
    return utc(f"2026-{value}") if value else None


async def _history(db: Database) -> None:
    await db.run(lambda s: import_district(s, DISTRICT + HB, source="test"))

    async def unit(s: AsyncSession) -> None:
        for code, community, created, respond, accepted, resolve, done, status, rating in HISTORY:
            region = await repo.region_by_code(s, community)
            s.add(Ticket(code=code, category="sanitation", urgency="normal", text="历史工单",
                         community_id=region.id, status=status, created_at=_at(created),
                         respond_by=_at(respond), accepted_at=_at(accepted),
                         resolve_by=_at(resolve), resolved_at=_at(done), rating=rating))

    await db.run(unit)


async def test_weekly_summary_numbers_per_community_and_street(db: Database) -> None:
    await _history(db)
    clock = FrozenClock(utc("2026-11-30 09:00"))  # Monday: the week is Nov 23–29
    bot = Bot(db, None, clock)  # type: ignore[arg-type]  # only reads the outbox
    assert await weekly_summary(db, services(clock)) == 3
    # 连江: received L1 L2 L3 L4 L7 (L5 cancelled, L6 before the week); accepted on time
    # L1 L3 L7; resolved L1 L2 L7; due = those 3 + L3 (open, resolve-by passed), on time
    # L1 L7; rated L1 (1) L2 (3)
    [lj] = await bot.texts("chenjun")
    assert lj.splitlines()[:6] == [
        "【周报】连江社区 11月23日—11月29日", "受理 5 件（不含撤销、合并）",
        "响应率 60.0%（3/5）", "办结率 60.0%（3/5）", "按期办结率 50.0%（2/4）",
        "满意率 100.0%（2/2）"]
    # 海滨: H1 only (H2 is today's); accepted on time, reopened after a 4, nothing due
    [hb] = await bot.texts("zhouli")
    assert hb.splitlines()[1:6] == [
        "受理 1 件（不含撤销、合并）", "响应率 100.0%（1/1）", "办结率 0.0%（0/1）",
        "按期办结率 暂无数据", "满意率 0.0%（0/1）"]
    [street] = await bot.texts("wangfang")
    assert street.splitlines()[:6] == [
        "【周报】凤城街道 11月23日—11月29日", "受理 6 件（不含撤销、合并）",
        "响应率 66.7%（4/6）", "办结率 50.0%（3/6）", "按期办结率 50.0%（2/4）",
        "满意率 66.7%（2/3）"]
    assert await bot.texts("zhangwei") == []  # officers get digests, not summaries

    clock.advance(hours=1)
    assert await weekly_summary(db, services(clock)) == 0  # once a week
    clock.advance(days=7)  # next Monday: a new week
    assert await weekly_summary(db, services(clock)) == 3


def test_digest_warns_while_deadlines_reach_a_year_without_holidays() -> None:
    from datetime import datetime

    from handlers.jobs.digests import digest_text
    from handlers.ops.services import Services
    from storage.clock import FrozenClock
    from storage.config import Settings

    december = Services(settings=Settings(), analyzer=None,  # type: ignore[arg-type]
                        clock=FrozenClock(datetime(2026, 12, 20, 2, 0)))
    assert "2027 年的法定节假日" in digest_text([], december, december.clock.now())
    june = Services(settings=Settings(), analyzer=None,  # type: ignore[arg-type]
                    clock=FrozenClock(datetime(2026, 6, 1, 2, 0)))
    assert "法定节假日" not in digest_text([], june, june.clock.now())
