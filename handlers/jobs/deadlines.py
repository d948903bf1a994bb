"""Deadline arithmetic of the supervision jobs, and the two guards every job unit uses.

A ticket has up to two running deadlines: respond-by until someone accepts it, resolve-by until
it is resolved. Neither runs while the ticket waits on the resident (the clock is paused and
the deadlines are shifted when it resumes). The reminder goes out when `reminder_fraction` of
the deadline's nominal period has passed, measured back from the deadline (a 4h respond-by at
0.75: one hour before it); the period of a `d` deadline counts each working day as 24 h. Overdue
tickets climb one level when the deadline passes and one more each further period, where a
period is the same duration added on the same calendar (working days for `d`). Each lateness
counts: a ticket accepted one period late sits at level 1, and when it then misses its
resolve-by it climbs on from there (level 2), not from zero.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ops.services import Services
from handlers.ops.tickets import sla_for
from storage import dialect
from storage.models import JobRun, Person, Ticket
from storage.sla import WorkCalendar, deadline, parse_duration
from storage.statemachine import OPEN_STATUSES

logger = logging.getLogger(__name__)

MAX_LEVEL = 3
LEVEL_NAMES = {1: "社区", 2: "街道", 3: "区指挥中心"}
# statuses in which somebody still has to accept the ticket (再次接单 after a transfer too)
RESPOND_STATUSES = ("assigned", "reopened", "transferred")
KIND_WORDS = {"respond": "接单", "resolve": "办结"}


class TicketLike(Protocol):
    status: str
    category: str
    urgency: str
    accepted_at: datetime | None
    resolved_at: datetime | None
    respond_by: datetime | None
    resolve_by: datetime | None
    waiting_since: datetime | None


@dataclass(frozen=True)
class Due:
    kind: str  # respond | resolve
    at: datetime  # naive UTC
    duration: str  # the configured period, e.g. "30m", "2d"

    @property
    def word(self) -> str:
        return KIND_WORDS[self.kind]


def pending_deadlines(t: TicketLike, services: Services) -> list[Due]:
    """The deadlines still running for `t` (none while it waits on the resident)."""
    if t.status not in OPEN_STATUSES or t.status == "waiting" or t.waiting_since is not None:
        return []
    respond, resolve = durations(t, services)
    dues: list[Due] = []
    if t.status in RESPOND_STATUSES and t.accepted_at is None and t.respond_by is not None:
        dues.append(Due("respond", t.respond_by, respond))
    if t.resolved_at is None and t.resolve_by is not None:
        dues.append(Due("resolve", t.resolve_by, resolve))
    return dues


def durations(t: TicketLike, services: Services) -> tuple[str, str]:
    """The configured (respond, resolve) periods of the ticket's category and urgency."""
    urgency = t.urgency if t.urgency in services.settings.sla else "normal"
    return sla_for(services, t.category, urgency)


def nominal(duration: str) -> timedelta:
    amount, unit = parse_duration(duration)
    return timedelta(minutes=amount) if unit == "m" else \
        timedelta(hours=amount) if unit == "h" else timedelta(days=amount)


def reminder_at(due: Due, fraction: float) -> datetime:
    return due.at - nominal(due.duration) * (1 - fraction)


def reminder_due(due: Due, fraction: float, now: datetime) -> bool:
    """Between the reminder point and the deadline (past it, escalation takes over)."""
    return reminder_at(due, fraction) <= now < due.at


def escalation_target(due: Due, now: datetime, calendar: WorkCalendar) -> int:
    """0 until the deadline, 1 once it passed, +1 per further period, at most 3. A deadline
    met to the second is met (as storage.stats counts on-time work)."""
    level, threshold = 0, due.at
    while level < MAX_LEVEL and threshold < now:
        level += 1
        threshold = deadline(threshold, due.duration, calendar)
    return level


def reminder_key(ticket_id: int, due: Due) -> str:
    # the deadline is part of the key: a deadline moved by a pause or a reassignment is new
    return f"remind:{due.kind}:{ticket_id}:{due.at.isoformat(timespec='seconds')}"


async def claim(session: AsyncSession, key: str, at: datetime) -> bool:
    """Claim a once-only piece of work in the caller's transaction; False: already done (by
    an earlier run, or by a concurrent one, which this waits for on PostgreSQL)."""
    stmt = (dialect.insert(session, JobRun).values(key=key, created_at=at)
            .on_conflict_do_nothing(index_elements=[JobRun.key]).returning(JobRun.key))
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def locked_ticket(session: AsyncSession, ticket_id: int) -> Ticket | None:
    """The ticket, row-locked on PostgreSQL so concurrent sweeps take turns on it."""
    # lock the bare row: FOR UPDATE cannot cover the outer joins of the eager loads
    await session.execute(dialect.for_update(session, select(Ticket.id).where(
        Ticket.id == ticket_id)))
    return await session.get(Ticket, ticket_id)


def open_ticket_columns() -> Any:
    """The columns the sweep reads to decide which tickets need a unit of work."""
    return select(
        Ticket.id, Ticket.status, Ticket.category, Ticket.urgency, Ticket.accepted_at,
        Ticket.resolved_at, Ticket.respond_by, Ticket.resolve_by, Ticket.waiting_since,
        Ticket.escalation_level,
    ).where(Ticket.status.in_(OPEN_STATUSES), Ticket.status != "waiting",
            Ticket.waiting_since.is_(None))


async def people_on(session: AsyncSession, t: Ticket) -> list[Person]:
    """The assignee and, while a department holds the ticket, the grid officer who owns it."""
    people = [t.assignee] if t.assignee is not None else []
    if t.owner_id and t.owner_id != t.assignee_id:
        owner = await session.get(Person, t.owner_id)
        if owner is not None:
            people.append(owner)
    return people
