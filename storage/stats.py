"""Supervision statistics: 响应率, 办结率, 按期办结率, 满意率 and average times.

Which tickets count: those **created** in the range, less `cancelled` and `duplicate` ones (a
duplicate is counted once, as the ticket it was merged into). A ticket cancelled by staff (the
console's 撤销 with a reason) is not dropped silently: `staff_cancelled` counts those apart. The
range is two calendar dates in Asia/Shanghai, both inclusive: `since` from 00:00:00, `until`
through 23:59:59 (stored times are naive UTC, so the bounds are converted: [since 00:00 +08:00,
until+1 00:00 +08:00)). Without dates the range is the last 30 days ending today
(Asia/Shanghai); `since` alone runs through today; `until` alone starts 29 days before it. Each
rate is a fraction 0–1, or None when its denominator is 0:

- received: the tickets counted.
- 响应率 response_rate = accepted on time / received; accepted on time = `accepted_at` set and
  not after `respond_by` (no deadline: on time).
- 办结率 resolution_rate = resolved / received; resolved = `resolved_at` set or status resolved
  or closed. A ticket reopened after 不满意 is not resolved until it is resolved again.
- 按期办结率 on_time_rate = resolved on time / due (按期办结数 / 应办结数, as districts report
  it); due = resolved, or still open with `resolve_by` already passed at `now`. Open tickets not
  yet due do not count against it. Resolved on time = `resolved_at` not after `resolve_by` (no
  deadline: on time).
- The 追问 clock: an answered question has already moved `respond_by`/`resolve_by` on; while a
  question is unanswered (`waiting_since` set, also when the ticket was resolved while waiting)
  the clock stands at `waiting_since`, so time after it is neither late nor due.
- 满意率 satisfaction_rate = rated 1–3 (非常满意, 满意, 基本满意) / rated 1–4; a ticket counts
  once, with its latest rating.
- 催办 urge_rate = urged / received; urged = tickets 催办 at least once (by the resident,
  `nudged`, or by staff, `urged`); `urges` counts every 催办 (a resident's is at most one a
  day per ticket). A ticket residents must chase is a service problem even when it ends on
  time, so districts watch it beside the other rates.
- avg_accept_minutes = mean of `accepted_at - created_at` over the tickets accepted;
  avg_resolve_hours = mean of `resolved_at - created_at` over those resolved (wall-clock time,
  waits included); None when there are none.

Grouping (`by`): grid (the ticket's grid code), community (its community code) or category (its
category code). Tickets without a grid (or community) form one group with key None, listed last.
Only groups with tickets in the range are listed. Aggregation runs in SQL (GROUP BY) on SQLite
and PostgreSQL alike.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage import dialect
from storage.clock import SHANGHAI, to_local
from storage.models import Region, Ticket, TicketEvent

logger = logging.getLogger(__name__)

GROUPINGS = ("grid", "community", "category")
URGE_KINDS = ("nudged", "urged")  # 催办 by the resident, by staff (handlers.ops.events)
DEFAULT_DAYS = 30
EXCLUDED = ("cancelled", "duplicate")
SATISFIED = (1, 2, 3)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class StatsError(ValueError):
    """A bad filter; `str(e)` says which and why (shown to the caller as is)."""


@dataclass(frozen=True)
class DateRange:
    since: date
    until: date

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in naive UTC: since 00:00 and the day after until, Asia/Shanghai."""
        def utc(d: date) -> datetime:
            local = datetime.combine(d, time(0), tzinfo=SHANGHAI)
            return local.astimezone(UTC).replace(tzinfo=None)

        return utc(self.since), utc(self.until + timedelta(days=1))


MIN_YEAR, MAX_YEAR = 2000, 2099


def _parse_date(name: str, value: str) -> date:
    # fromisoformat alone would also take 20261101 and 2026-W47-1: one spelling only
    if not _DATE.fullmatch(value):
        raise StatsError(f"{name} must be a date YYYY-MM-DD, got {value!r}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise StatsError(f"{name} is not a calendar date: {value!r}") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:  # year 1 or 9999 has no UTC day around it
        raise StatsError(f"{name} must be within {MIN_YEAR}–{MAX_YEAR}, got {value!r}")
    return day


def parse_range(since: str | None, until: str | None, *, now: datetime) -> DateRange:
    """The range from optional `YYYY-MM-DD` strings ("" = not given); `now` is naive UTC."""
    span = timedelta(days=DEFAULT_DAYS - 1)
    start = _parse_date("since", since) if since else None
    end = _parse_date("until", until) if until else None
    if end is None:
        local_now = to_local(now)
        assert local_now is not None
        end = local_now.date()
    if start is None:
        start = end - span
    if start > end:
        raise StatsError(f"since {start} is after until {end}")
    return DateRange(start, end)


def parse_by(by: str | None) -> str | None:
    if not by:
        return None
    if by not in GROUPINGS:
        raise StatsError(f"by must be one of {', '.join(GROUPINGS)}, got {by!r}")
    return by


_NOT_SHOWN = ("received", "accept_seconds", "resolve_seconds", "resolved_timed")


@dataclass(frozen=True)
class Counts:
    """The numerators and denominators behind the rates of one group."""

    received: int = 0
    accepted: int = 0
    accepted_on_time: int = 0
    resolved: int = 0
    due: int = 0
    resolved_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    accept_seconds: float = 0.0  # summed over the accepted
    resolve_seconds: float = 0.0  # summed over those with resolved_at
    resolved_timed: int = 0  # resolved with a resolved_at (closed without one has no duration)
    urged: int = 0  # tickets 催办 at least once
    urges: int = 0  # 催办 events

    @staticmethod
    def _ratio(num: float, den: int) -> float | None:
        return num / den if den else None

    @property
    def response_rate(self) -> float | None:
        return self._ratio(self.accepted_on_time, self.received)

    @property
    def resolution_rate(self) -> float | None:
        return self._ratio(self.resolved, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return self._ratio(self.resolved_on_time, self.due)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._ratio(self.satisfied, self.rated)

    @property
    def urge_rate(self) -> float | None:
        return self._ratio(self.urged, self.received)

    @property
    def avg_accept_minutes(self) -> float | None:
        avg = self._ratio(self.accept_seconds, self.accepted)
        return None if avg is None else round(avg / 60, 2)

    @property
    def avg_resolve_hours(self) -> float | None:
        avg = self._ratio(self.resolve_seconds, self.resolved_timed)
        return None if avg is None else round(avg / 3600, 2)

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_dict(self) -> dict[str, Any]:
        """The public JSON shape (GET /api/v1/stats, `gridbot stats --json`)."""
        return {
            "received": self.received,
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "on_time_rate": self.on_time_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "urge_rate": self.urge_rate,
            "avg_accept_minutes": self.avg_accept_minutes,
            "avg_resolve_hours": self.avg_resolve_hours,
            "counts": {f.name: getattr(self, f.name) for f in fields(self)
                       if f.name not in _NOT_SHOWN},
        }


@dataclass(frozen=True)
class Group:
    key: str | None  # grid / community code, category code; None: no grid / community
    name: str | None  # the region's name (None for categories: the caller names them)
    counts: Counts


@dataclass(frozen=True)
class Report:
    range: DateRange
    by: str | None
    total: Counts
    groups: list[Group]


def _clock_at(at: Any) -> ColumnElement[Any]:
    """Where the ticket's deadline clock stood at `at`: a 追问 still unanswered (`waiting_since`
    set) stopped it then; the answer moves the deadlines on and clears `waiting_since`."""
    w = Ticket.waiting_since
    return case((and_(w.is_not(None), w < at), w), else_=at)


def _aggregates(session: AsyncSession, now: datetime) -> list[ColumnElement[Any]]:
    t = Ticket

    def seconds(later: Any, earlier: Any) -> ColumnElement[Any]:
        return dialect.seconds_between(session, later, earlier)

    def n(cond: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    resolved = or_(t.resolved_at.is_not(None), t.status.in_(("resolved", "closed")))
    return [
        func.count(t.id),
        func.count(t.accepted_at),
        n(and_(t.accepted_at.is_not(None),
               or_(t.respond_by.is_(None), _clock_at(t.accepted_at) <= t.respond_by))),
        n(resolved),
        n(or_(resolved, t.resolve_by <= _clock_at(literal(now, DateTime())))),
        n(and_(t.resolved_at.is_not(None),
               or_(t.resolve_by.is_(None), _clock_at(t.resolved_at) <= t.resolve_by))),
        n(t.rating.in_((1, 2, 3, 4))),
        n(t.rating.in_(SATISFIED)),
        func.coalesce(func.sum(seconds(t.accepted_at, t.created_at)), 0.0),
        func.coalesce(func.sum(seconds(t.resolved_at, t.created_at)), 0.0),
        func.count(t.resolved_at),
        n(select(TicketEvent.id).where(TicketEvent.ticket_id == t.id,
                                       TicketEvent.kind.in_(URGE_KINDS)).exists()),
        func.coalesce(func.sum(select(func.count(TicketEvent.id)).where(
            TicketEvent.ticket_id == t.id, TicketEvent.kind.in_(URGE_KINDS))
            .scalar_subquery()), 0),
    ]


def _counts(row: Any) -> Counts:
    (received, accepted, on_time_acc, resolved, due, on_time_res, rated, satisfied,
     acc_s, res_s, res_n, urged, urges) = row
    return Counts(int(received), int(accepted), int(on_time_acc), int(resolved), int(due),
                  int(on_time_res), int(rated), int(satisfied), float(acc_s), float(res_s),
                  int(res_n), int(urged), int(urges))


async def compute(session: AsyncSession, rng: DateRange, *, now: datetime,
                  by: str | None = None,
                  where: Sequence[ColumnElement[bool]] = ()) -> Report:
    """The rates over tickets created in `rng`; `now` (naive UTC) decides which are due.
    `where` narrows the tickets further (the console: the user's area)."""
    parse_by(by)  # a caller that skipped the check still gets a clear refusal
    start, end = rng.bounds()
    scope = (Ticket.created_at >= start, Ticket.created_at < end, Ticket.status.not_in(EXCLUDED),
             *where)
    aggs = _aggregates(session, now)
    groups: list[Group] = []
    if by is None:
        total = _counts((await session.execute(select(*aggs).where(*scope))).one())
        return Report(rng, by, total, groups)
    if by == "category":
        q = select(Ticket.category, *aggs).where(*scope).group_by(Ticket.category)
        groups = [Group(row[0], None, _counts(row[1:])) for row in await session.execute(q)]
    elif by in ("grid", "community"):
        fk = Ticket.region_id if by == "grid" else Ticket.community_id
        q = (select(Region.code, Region.name, *aggs).select_from(Ticket)
             .outerjoin(Region, Region.id == fk).where(*scope)
             .group_by(Region.code, Region.name))
        groups = [Group(row[0], row[1], _counts(row[2:])) for row in await session.execute(q)]
    groups.sort(key=lambda g: (g.key is None, g.key or ""))
    total = sum((g.counts for g in groups), Counts())  # every count is a sum: no second scan
    return Report(rng, by, total, groups)


async def by_assignee(session: AsyncSession, rng: DateRange, *, now: datetime,
                      where: Sequence[ColumnElement[bool]] = ()) -> dict[str, Counts]:
    """The same counts per assignee (people id), for tickets assigned to someone."""
    start, end = rng.bounds()
    q = (select(Ticket.assignee_id, *_aggregates(session, now))
         .where(Ticket.created_at >= start, Ticket.created_at < end,
                Ticket.status.not_in(EXCLUDED), Ticket.assignee_id.is_not(None), *where)
         .group_by(Ticket.assignee_id))
    return {row[0]: _counts(row[1:]) for row in await session.execute(q)}


def staff_cancel_filter() -> ColumnElement[bool]:
    """A ticket cancelled by staff (not by its reporter): counted apart, never as received."""
    ev = TicketEvent
    by_staff = (select(ev.id).where(ev.ticket_id == Ticket.id, ev.kind == "cancelled",
                                    or_(ev.console_user_id.is_not(None), ev.actor_id.is_(None),
                                        Ticket.reporter_id.is_(None),
                                        ev.actor_id != Ticket.reporter_id))
                .exists())
    return and_(Ticket.status == "cancelled", by_staff)


async def staff_cancelled(session: AsyncSession, rng: DateRange, *,
                          where: Sequence[ColumnElement[bool]] = ()) -> dict[int | None, int]:
    """Tickets created in `rng` and cancelled by staff, per community id (None: none)."""
    start, end = rng.bounds()
    q = (select(Ticket.community_id, func.count(Ticket.id))
         .where(Ticket.created_at >= start, Ticket.created_at < end, staff_cancel_filter(),
                *where)
         .group_by(Ticket.community_id))
    return {cid: int(n) for cid, n in await session.execute(q)}
