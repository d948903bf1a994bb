"""The rates over a constructed history, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from storage import stats
from storage.db import Database
from storage.models import Ticket
from tests.support.history import (
    BY_CATEGORY,
    BY_COMMUNITY,
    BY_GRID,
    NOW,
    SINCE,
    TOTAL,
    UNTIL,
    approx,
    public,
    regions,
    seed_history,
    ticket,
)


async def report(db: Database, since: str | None = SINCE, until: str | None = UNTIL,
                 by: str | None = None, now: datetime = NOW) -> stats.Report:
    rng = stats.parse_range(since, until, now=now)
    return await db.read(lambda s: stats.compute(s, rng, now=now, by=by))


def item(g: stats.Group, *, named: bool = True) -> dict[str, Any]:
    d = {"key": g.key} | ({"name": g.name} if named else {}) | g.counts.as_dict()
    return public(d)


async def test_totals_match_the_hand_computation(any_db: Database) -> None:
    await any_db.run(seed_history)
    r = await report(any_db)
    assert public(r.total.as_dict()) == approx(TOTAL)
    assert r.total.as_dict()["counts"] == {
        "accepted": 5, "accepted_on_time": 4, "resolved": 4, "due": 6, "resolved_on_time": 3,
        "rated": 4, "satisfied": 3, "urged": 0, "urges": 0}


@pytest.mark.parametrize(("by", "expected"), [("grid", BY_GRID), ("community", BY_COMMUNITY)])
async def test_by_region(any_db: Database, by: str, expected: list[dict[str, Any]]) -> None:
    await any_db.run(seed_history)
    r = await report(any_db, by=by)
    assert [item(g) for g in r.groups] == [approx(e) for e in expected]
    assert public(r.total.as_dict()) == approx(TOTAL)  # grouping changes no total


async def test_by_category(any_db: Database) -> None:
    await any_db.run(seed_history)
    r = await report(any_db, by="category")
    expected = [{k: v for k, v in e.items() if k != "name"} for e in BY_CATEGORY]
    assert [item(g, named=False) for g in r.groups] == [approx(e) for e in expected]


async def test_nothing_to_divide_gives_none(any_db: Database) -> None:
    await any_db.run(seed_history)
    r = await report(any_db, since="2026-12-01", until="2026-12-31", by="grid")
    assert r.groups == []
    assert public(r.total.as_dict()) == {
        "received": 0, "response_rate": None, "resolution_rate": None, "on_time_rate": None,
        "satisfaction_rate": None, "avg_accept_minutes": None, "avg_resolve_hours": None}


async def test_an_unanswered_question_stops_the_deadline_clock(any_db: Database) -> None:
    created = datetime(2026, 11, 2, 2, 0)
    h = timedelta(hours=1)  # deadlines: respond 24 h, resolve 240 h; NOW is created + 434 h

    async def seed(s: Any) -> None:
        await regions(s)
        s.add_all([
            # asked at 100 h, still waiting: 240 h passed on the wall clock, not on its clock
            ticket("W1", created, grid=None, community=None, status="waiting",
                   accepted=1 * h),
            # asked at 10 h, resolved while waiting at 300 h (accepted_at set by 办结 then)
            ticket("W2", created, grid=None, community=None, status="resolved",
                   accepted=300 * h, resolved=300 * h),
            # control, never asked: resolved at 300 h is late
            ticket("W3", created, grid=None, community=None, status="resolved",
                   accepted=1 * h, resolved=300 * h),
        ])
        await s.flush()
        for code, asked in (("W1", 100 * h), ("W2", 10 * h)):
            t = await s.scalar(select(Ticket).where(Ticket.code == code))
            t.waiting_since = created + asked

    await any_db.run(seed)
    total = (await report(any_db)).total.as_dict()
    assert total["response_rate"] == 3 / 3  # W2's clock stopped at 10 h, before 24 h
    assert total["on_time_rate"] == 1 / 2  # due: W2 (on time: stopped at 10 h), W3 (late)
    assert total["counts"]["due"] == 2


async def test_range_is_whole_days_in_shanghai(any_db: Database) -> None:
    async def seed(s: Any) -> None:
        await regions(s)
        s.add_all([
            # in Shanghai: A 10-31 23:59:59, B 11-01 00:00, C 11-20 23:59:59, D 11-21 00:00
            ticket("A", datetime(2026, 10, 31, 15, 59, 59), grid=None, community=None),
            ticket("B", datetime(2026, 10, 31, 16, 0, 0), grid=None, community=None),
            ticket("C", datetime(2026, 11, 20, 15, 59, 59), grid=None, community=None),
            ticket("D", datetime(2026, 11, 20, 16, 0, 0), grid=None, community=None),
        ])

    await any_db.run(seed)
    assert (await report(any_db, "2026-11-01", "2026-11-20")).total.received == 2  # B, C
    assert (await report(any_db, "2026-10-31", "2026-10-31")).total.received == 1  # A
    assert (await report(any_db, "2026-11-21", "2026-11-21")).total.received == 1  # D
    assert (await report(any_db, "2026-11-20", "2026-11-20")).total.received == 1  # C


async def test_default_range_is_the_last_30_days_ending_today_in_shanghai(db: Database) -> None:
    now = datetime(2026, 11, 20, 17, 0)  # already 11-21 01:00 in Shanghai
    rng = stats.parse_range(None, None, now=now)
    assert (rng.since, rng.until) == (date(2026, 10, 23), date(2026, 11, 21))

    async def seed(s: Any) -> None:
        await regions(s)
        s.add_all([
            ticket("E", datetime(2026, 11, 20, 16, 30), grid=None, community=None),  # today
            ticket("F", datetime(2026, 10, 22, 15, 59), grid=None, community=None),  # 10-22
            ticket("G", datetime(2026, 10, 22, 16, 0), grid=None, community=None),  # 10-23 00:00
        ])

    await db.run(seed)
    assert (await report(db, None, None, now=now)).total.received == 2  # E, G


def test_one_date_given() -> None:
    assert stats.parse_range("2026-11-01", None, now=NOW) == stats.DateRange(
        date(2026, 11, 1), date(2026, 11, 20))  # through today
    assert stats.parse_range(None, "2026-06-30", now=NOW) == stats.DateRange(
        date(2026, 6, 1), date(2026, 6, 30))  # the 30 days ending then


@pytest.mark.parametrize(("since", "until", "words"), [
    ("2026-13-01", None, "not a calendar date"),
    ("2026/11/01", None, "YYYY-MM-DD"),
    ("20261101", None, "YYYY-MM-DD"),
    (None, "2026-02-30", "not a calendar date"),
    ("2026-11-20", "2026-11-01", "after"),
])
def test_bad_dates_are_refused(since: str | None, until: str | None, words: str) -> None:
    with pytest.raises(stats.StatsError, match=words):
        stats.parse_range(since, until, now=NOW)


def test_bad_grouping_is_refused() -> None:
    with pytest.raises(stats.StatsError, match="grid, community, category"):
        stats.parse_by("street")
    assert stats.parse_by("") is None and stats.parse_by("grid") == "grid"


async def test_urges_are_counted_by_ticket_and_by_event(any_db: Database) -> None:
    """催办 by the resident (nudged) and by staff (urged) both count; other events do not."""
    from storage.models import TicketEvent
    created = datetime(2026, 11, 2, 2, 0)

    async def seed(s: Any) -> None:
        await regions(s)
        s.add_all([ticket(c, created, grid=None, community=None) for c in ("U1", "U2", "U3")])
        await s.flush()
        ids = {t.code: t.id for t in (await s.scalars(select(Ticket))).all()}
        for code, kind in (("U1", "nudged"), ("U1", "nudged"), ("U1", "urged"),
                           ("U2", "urged"), ("U3", "progress")):
            s.add(TicketEvent(ticket_id=ids[code], kind=kind, actor_id="x", created_at=created))

    await any_db.run(seed)
    total = (await report(any_db)).total
    assert (total.urged, total.urges) == (2, 4)
    assert total.as_dict()["urge_rate"] == 2 / 3
    assert total.as_dict()["counts"]["urges"] == 4
