"""The correspondents' points ledger: append-only rows, credits given once, month rankings.

A balance is the sum of a person's rows; nothing is ever updated or deleted, so the ledger is
its own audit trail. "This month" is the calendar month in Asia/Shanghai.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import dialect
from storage.clock import SHANGHAI, to_local
from storage.models import Person, PointsLedger, Ticket

if TYPE_CHECKING:
    from storage.config import Settings

logger = logging.getLogger(__name__)

REDEEMED = "redeemed"
TOP = 10


async def credit(session: AsyncSession, person: Person, ticket: Ticket | None, reason: str,
                 points: int, at: datetime, *, actor_id: str | None = None,
                 note: str | None = None) -> bool:
    """Credit `points` to `person` for `ticket`, at most once per (person, reason, ticket).

    True when this call wrote the row. The unique constraint decides, in one statement, so two
    units of work racing on PostgreSQL cannot both credit (a plain check-then-insert could).
    """
    if points <= 0 or ticket is None:
        return False  # a credit names its ticket: with NULL the constraint could not hold it
    stmt = dialect.insert(session, PointsLedger).values(
        person_id=person.id, ticket_id=ticket.id, points=points, reason=reason, note=note,
        actor_id=actor_id, created_at=at,
    ).on_conflict_do_nothing(index_elements=["person_id", "reason", "ticket_id"])
    written = (await session.execute(stmt.returning(PointsLedger.id))).first() is not None
    if written:
        logger.info("points +%d to %s for %s (%s)", points, person.id, ticket.code, reason)
    return written


async def credit_resolved(session: AsyncSession, settings: Settings, ticket: Ticket,
                          reporter: Person | None, at: datetime) -> str:
    """Points for a correspondent's report that an officer resolved: given once, however often
    the ticket is resolved (reopened and resolved again). Returns the line to tell them."""
    pts = settings.correspondents.points_resolved
    if reporter is None or ticket.source != "correspondent" or not reporter.has_role(
            "correspondent"):
        return ""
    if not await credit(session, reporter, ticket, "resolved", pts, at):
        return ""
    return f"（通讯员积分 +{pts}，现有 {await balance(session, reporter.id)} 分）"


def debit(session: AsyncSession, person: Person, points: int, at: datetime, *,
          actor_id: str | None, note: str) -> PointsLedger:
    """A redemption: a negative row. The caller checks the balance first."""
    row = PointsLedger(person_id=person.id, ticket_id=None, points=-abs(points), reason=REDEEMED,
                       note=note, actor_id=actor_id, created_at=at)
    session.add(row)
    return row


async def balance(session: AsyncSession, person_id: str) -> int:
    total = await session.scalar(select(func.coalesce(func.sum(PointsLedger.points), 0))
                                 .where(PointsLedger.person_id == person_id))
    return int(total or 0)


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of `now`'s Shanghai month, as naive UTC like the stored times."""
    local = to_local(now)
    assert local is not None
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 \
        else start.replace(month=start.month + 1)
    return (start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None))


def _earned_this_month(now: datetime):
    # redemptions do not lower a month's standing: the ranking is about reports, not spending
    start, end = month_bounds(now)
    total = func.sum(PointsLedger.points).label("earned")
    return (select(PointsLedger.person_id, total)
            .where(PointsLedger.reason != REDEEMED, PointsLedger.created_at >= start,
                   PointsLedger.created_at < end)
            .group_by(PointsLedger.person_id))


@dataclass(frozen=True)
class Standing:
    balance: int
    month: int  # earned this month
    rank: int | None  # None: nothing earned this month
    ranked: int  # how many earned something this month


async def standing(session: AsyncSession, person_id: str, now: datetime) -> Standing:
    """Balance, this month's points and the month rank (ties share a rank: 1, 2, 2, 4)."""
    rows = (await session.execute(_earned_this_month(now))).all()
    earned = {pid: int(pts) for pid, pts in rows}
    mine = earned.get(person_id, 0)
    rank = 1 + sum(1 for pts in earned.values() if pts > mine) if mine > 0 else None
    return Standing(await balance(session, person_id), mine, rank, len(earned))


async def month_top(session: AsyncSession, now: datetime,
                    limit: int = TOP) -> list[tuple[int, Person, int]]:
    """This month's leaders as (rank, person, points), ties sharing a rank."""
    sub = _earned_this_month(now).subquery()
    rows = (await session.execute(
        select(Person, sub.c.earned).join(sub, sub.c.person_id == Person.id)
        .order_by(sub.c.earned.desc(), Person.created_at, Person.id).limit(limit))).all()
    out: list[tuple[int, Person, int]] = []
    for i, (person, pts) in enumerate(rows):
        rank = out[-1][0] if out and out[-1][2] == int(pts) else i + 1
        out.append((rank, person, int(pts)))
    return out


def month_label(now: datetime) -> str:
    local = to_local(now) or datetime.now(SHANGHAI)
    return f"{local.year}年{local.month}月"
