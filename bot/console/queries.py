"""The console's reads: the ticket queue's filters (shared by the page and the exports, so an
export is exactly the rows the list shows), the overview's numbers, people and their load."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.scope import Scope
from nlp.taxonomy import CATEGORIES, URGENCIES
from storage.models import Ticket
from storage.statemachine import OPEN_STATUSES, STATUSES
from storage.stats import DateRange, StatsError, parse_range

SORTS = {
    "-created": (Ticket.created_at.desc(), Ticket.id.desc()),
    "created": (Ticket.created_at.asc(), Ticket.id.asc()),
    "deadline": (Ticket.resolve_by.asc(), Ticket.id.asc()),
    "-deadline": (Ticket.resolve_by.desc(), Ticket.id.desc()),
}
SORT_NAMES = {"-created": "最新在前", "created": "最早在前", "deadline": "时限最近",
              "-deadline": "时限最远"}
SOURCES = {"resident": "居民", "correspondent": "网格通讯员", "officer": "网格员", "api": "接口"}
FILTER_KEYS = ("status", "street", "community", "grid", "category", "urgency", "overdue",
               "source", "since", "until", "q", "assignee", "sort")
NO_GRID = "none"  # ?grid=none: tickets not placed in any grid
_CODE = re.compile(r"GD\d{8}-\d{4,}", re.I)


class FilterError(ValueError):
    """A filter value that means nothing; `str(e)` is shown above the list."""


@dataclass
class Filters:
    status: str = ""  # a status, or "open"
    street: str = ""
    community: str = ""
    grid: str = ""
    category: str = ""
    urgency: str = ""
    overdue: bool = False
    source: str = ""
    since: str = ""
    until: str = ""
    q: str = ""
    assignee: str = ""
    sort: str = "-created"
    page: int = 1
    errors: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Filters:
        f = cls(**{k: query.get(k, "").strip() for k in FILTER_KEYS if k not in ("overdue",)})
        f.overdue = query.get("overdue", "") in ("1", "true", "on", "yes")
        f.sort = f.sort or "-created"
        try:
            f.page = max(1, int(query.get("page", "1") or 1))
        except ValueError:
            f.page = 1
        if f.status and f.status != "open" and f.status not in STATUSES:
            f.errors.append(f"未知状态：{f.status}")
            f.status = ""
        if f.category and f.category not in CATEGORIES:
            f.errors.append(f"未知类别：{f.category}")
            f.category = ""
        if f.urgency and f.urgency not in URGENCIES:
            f.errors.append(f"未知紧急程度：{f.urgency}")
            f.urgency = ""
        if f.source and f.source not in SOURCES:
            f.errors.append(f"未知来源：{f.source}")
            f.source = ""
        if f.sort not in SORTS:
            f.errors.append(f"未知排序：{f.sort}")
            f.sort = "-created"
        return f

    def params(self, **change: Any) -> dict[str, str]:
        values = {k: getattr(self, k) for k in FILTER_KEYS} | {"page": self.page} | change
        out = {}
        for k, v in values.items():
            if k == "overdue":
                v = "1" if v else ""
            if k == "sort" and v == "-created":
                continue
            if k == "page" and v in (1, "1"):
                continue
            if v not in ("", None):
                out[k] = str(v)
        return out

    def query_string(self, **change: Any) -> str:
        return urlencode(self.params(**change))

    def conditions(self, scope: Scope, now: datetime) -> list[ColumnElement[bool]]:
        """SQL conditions; a region code outside the user's scope matches nothing."""
        conds: list[ColumnElement[bool]] = [scope.ticket_filter()]
        if self.status == "open":
            conds.append(Ticket.status.in_(OPEN_STATUSES))
        elif self.status:
            conds.append(Ticket.status == self.status)
        for level, code in (("street", self.street), ("community", self.community),
                            ("grid", self.grid)):
            if not code:
                continue
            if level == "grid" and code == NO_GRID:  # not placed in any grid (the map's link)
                conds.append(Ticket.region_id.is_(None))
                continue
            region = scope.region(code)
            if region is None or region.level != level:
                conds.append(Ticket.id.is_(None))
            elif level == "street":
                ids = [r.id for r in scope.communities if r.parent_id == region.id]
                conds.append(Ticket.community_id.in_(ids))
            elif level == "community":
                conds.append(Ticket.community_id == region.id)
            else:
                conds.append(Ticket.region_id == region.id)
        if self.category:
            conds.append(Ticket.category == self.category)
        if self.urgency:
            conds.append(Ticket.urgency == self.urgency)
        if self.source:
            conds.append(Ticket.source == self.source)
        if self.assignee:
            conds.append(Ticket.assignee_id == self.assignee)
        if self.overdue:
            conds.append(and_(Ticket.status.in_(OPEN_STATUSES), Ticket.resolve_by < now))
        if self.since or self.until:
            try:
                start, end = self.date_range(now).bounds()
            except StatsError as e:
                self.errors.append(f"日期有误：{e}")
            else:
                conds += [Ticket.created_at >= start, Ticket.created_at < end]
        if self.q:
            code = _CODE.search(self.q)
            if code:
                conds.append(Ticket.code == code.group(0).upper())
            else:
                like = "%" + self.q.replace("\\", "\\\\").replace("%", r"\%").replace(
                    "_", r"\_") + "%"
                conds.append(or_(Ticket.text.like(like, escape="\\"),
                                 Ticket.community_text.like(like, escape="\\"),
                                 Ticket.place.like(like, escape="\\")))
        return conds

    def date_range(self, now: datetime) -> DateRange:
        since, until = self.since, self.until
        if since and not until:
            return parse_range(since, None, now=now)
        if until and not since:  # until alone: everything up to it
            return DateRange(date(2000, 1, 1), parse_range(until, until, now=now).until)
        return parse_range(since, until, now=now)

    def select(self, scope: Scope, now: datetime) -> Select[tuple[Ticket]]:
        return select(Ticket).where(*self.conditions(scope, now)).order_by(*SORTS[self.sort])


async def page_of(session: AsyncSession, f: Filters, scope: Scope, now: datetime,
                  size: int) -> tuple[list[Ticket], int]:
    conds = f.conditions(scope, now)
    total = int(await session.scalar(select(func.count(Ticket.id)).where(*conds)) or 0)
    rows = (await session.scalars(
        select(Ticket).where(*conds).order_by(*SORTS[f.sort])
        .limit(size).offset((f.page - 1) * size))).unique().all()
    return list(rows), total


EXPORT_COLUMNS = (
    Ticket.code, Ticket.status, Ticket.category, Ticket.urgency, Ticket.request_kind,
    Ticket.source, Ticket.text, Ticket.community_text, Ticket.building, Ticket.unit, Ticket.room,
    Ticket.place, Ticket.region_id, Ticket.community_id, Ticket.assignee_id, Ticket.created_at,
    Ticket.respond_by, Ticket.resolve_by, Ticket.accepted_at, Ticket.resolved_at, Ticket.rating,
    Ticket.resolution, Ticket.escalation_level,
)


async def stream_rows(session: AsyncSession, f: Filters, scope: Scope, now: datetime,
                      chunk: int = 1000) -> AsyncIterator[Any]:
    """Every matching ticket as a row of EXPORT_COLUMNS, in the list's order, read through a
    server-side cursor `chunk` rows at a time: nothing accumulates, however many rows."""
    stmt = (select(*EXPORT_COLUMNS).where(*f.conditions(scope, now)).order_by(*SORTS[f.sort])
            .execution_options(yield_per=chunk))
    result = await session.stream(stmt)
    async for row in result:
        yield row


def time_left(t: Ticket, now: datetime) -> tuple[str, str]:
    """(text, css class) for the deadline column: 剩 3 小时 / 超期 2 天 / 已办结."""
    if t.status not in OPEN_STATUSES:
        return ("—", "done")
    due = t.resolve_by
    if due is None:
        return ("无时限", "")
    if t.waiting_since is not None:
        return ("暂停计时", "paused")
    delta = due - now
    late = delta < timedelta(0)
    mins = int(abs(delta).total_seconds() // 60)
    if mins >= 2 * 24 * 60:
        span = f"{mins // 1440} 天"
    elif mins >= 60:
        span = f"{mins // 60} 小时"
    else:
        span = f"{mins} 分钟"
    if late:
        return (f"超期 {span}", "late")
    return (f"剩 {span}", "soon" if delta < timedelta(hours=4) else "")
