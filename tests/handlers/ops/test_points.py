"""积分 (balance, this month, rank), 积分排行 (the month's top ten, names only), 兑换, and the
ledger's once-only credits on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from handlers.ops import points
from storage.db import Database
from storage.models import Person, PointsLedger, Ticket
from tests.support.bot import START, Bot
from tests.support.correspondents import ledger, seed

LAST_MONTH = datetime(2026, 10, 20, 4, 0)


async def twelve_riders(bot: Bot) -> None:
    """Rider01 … Rider12 earn 1 … 12 points this month; rider03 also earned 100 in October;
    rider05 ties with rider06 at 6."""
    rows = []
    for i in range(1, 13):
        credits = [(i, START - timedelta(days=1))]
        if i == 3:
            credits.append((100, LAST_MONTH))
        if i == 5:
            credits.append((1, START))
        rows.append((f"rider{i:02d}", f"骑手{i:02d}", credits))
    await seed(bot, rows)


async def test_month_top_ten_shows_names_only_and_ranks_ties(bot: Bot) -> None:
    await twelve_riders(bot)
    reply = await bot.send("oResident", "积分排行")
    ranked = [line for line in reply.splitlines() if re.match(r"\d+\. ", line)]
    assert len(ranked) == 10
    assert ranked[0] == "1. 骑手12 12 分"
    assert ranked[6:8] == ["7. 骑手05 6 分", "7. 骑手06 6 分"]  # a tie shares a rank
    assert ranked[9] == "10. 骑手03 3 分"  # October's 100 do not count this month
    assert "2026年11月" in reply
    assert not re.search(r"1[3-9]\d{9}|139\*|o-rider|rider\d", reply)  # no phones, no ids
    assert "注册通讯员" in reply  # a resident is told how to join


async def test_points_word_shows_balance_month_and_rank(bot: Bot) -> None:
    await twelve_riders(bot)
    reply = await bot.send("o-rider03", "积分")
    assert "骑手03" in reply
    assert "可用积分：103 分" in reply
    assert "本月获得 3 分" in reply and "第 10 名（共 12 人）" in reply
    assert "积分排行" in reply

    bot.clock.advance(days=8)  # December in Shanghai: a new month
    reply = await bot.send("o-rider03", "积分")
    assert "可用积分：103 分" in reply and "本月获得 0 分" in reply and "还没有上榜" in reply
    assert "还没有通讯员获得积分" in await bot.send("o-rider03", "积分排行")


async def test_staff_leaderboard_shows_ids_and_balances(bot: Bot) -> None:
    await twelve_riders(bot)
    reply = await bot.send("chenjun", "积分排行", channel="work")
    assert "10. 骑手03 3 分（ID rider03，可用 103 分）" in reply
    assert "兑换 通讯员ID 分数 说明" in reply


async def test_redeem_by_a_leader_needs_enough_points(bot: Bot) -> None:
    await seed(bot, [("rider01", "王师傅", [(5, START), (5, START)])])
    reply = await bot.send("chenjun", "兑换 rider01 8 洗衣液一瓶", channel="work")
    assert "已登记" in reply and "剩余 2 分" in reply
    told = await bot.texts("o-rider01")
    assert len(told) == 1 and "8 积分" in told[0] and "洗衣液一瓶" in told[0]
    reply = await bot.send("chenjun", "兑换 王师傅 5 雨衣", channel="work")  # by name too
    assert "不足 5 分" in reply and "可用积分 2 分" in reply
    rows = await ledger(bot, "rider01")
    assert [(r.reason, r.points, r.note, r.actor_id) for r in rows][-1] == (
        "redeemed", -8, "洗衣液一瓶", "chenjun")
    assert len(rows) == 3
    assert "可用积分：2 分" in await bot.send("o-rider01", "积分")
    assert "本月获得 10 分" in await bot.send("o-rider01", "积分")  # spending keeps the rank


async def test_redeem_is_refused_to_others_and_to_bad_input(bot: Bot) -> None:
    await seed(bot, [("rider01", "王师傅", [(10, START)])])
    for who in ("zhangwei", "liming"):
        reply = await bot.send(who, "兑换 rider01 5 雨衣", channel="work")
        assert "只有社区领导或管理员" in reply
    assert "网格员使用的指令" in await bot.send("o-rider01", "兑换 rider01 5 雨衣")
    assert "兑换 通讯员ID 分数 说明" in await bot.send("centre", "兑换 rider01 5", channel="work")
    assert "兑换 通讯员ID 分数 说明" in await bot.send("centre", "兑换 rider01 -5 雨衣",
                                                  channel="work")
    assert "没有找到通讯员" in await bot.send("centre", "兑换 zhangwei 1 雨衣", channel="work")
    assert [r.points for r in await ledger(bot, "rider01")] == [10]


async def test_credit_is_given_once(any_db: Database) -> None:
    async def setup(s: Any) -> None:
        s.add(Person(id="rider01", name="王师傅", roles=["correspondent"]))
        s.add(Ticket(code="GD20261123-0001", category="municipal", urgency="normal", text="井盖",
                     source="correspondent"))

    await any_db.run(setup)

    async def give(s: Any) -> bool:
        person = await s.get(Person, "rider01")
        t = await s.get(Ticket, 1)
        return await points.credit(s, person, t, "verified", 5, START)

    assert await any_db.run(give) is True
    assert await any_db.run(give) is False

    async def rows(s: Any) -> list[int]:
        return [r.points for r in (await s.scalars(select(PointsLedger))).all()]

    assert await any_db.read(rows) == [5]
    assert await any_db.read(lambda s: points.balance(s, "rider01")) == 5


def test_month_is_the_shanghai_calendar_month() -> None:
    start, end = points.month_bounds(datetime(2026, 11, 30, 16, 30))  # Dec 1, 00:30 Shanghai
    assert (start, end) == (datetime(2026, 11, 30, 16, 0), datetime(2026, 12, 31, 16, 0))
    start, end = points.month_bounds(datetime(2026, 11, 30, 15, 59))  # Nov 30, 23:59 Shanghai
    assert (start, end) == (datetime(2026, 10, 31, 16, 0), datetime(2026, 11, 30, 16, 0))
