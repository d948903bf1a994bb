"""The console's reading pages: overview, the queue, the triage desk, the audit log, and the
poll that brings a new urgent ticket onto every open page."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import Date, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import core as cw
from bot.console.queries import SORT_NAMES, SORTS, SOURCES, Filters, page_of, time_left
from bot.console.scope import Scope
from handlers.ops.privacy import mask_phones
from nlp.taxonomy import CATEGORIES, URGENCIES, category_name
from storage import stats
from storage.clock import SHANGHAI, to_local
from storage.models import AuditEntry, ConsoleUser, Ticket
from storage.statemachine import OPEN_STATUSES, STATUS_NAMES

RATES = (("response_rate", "响应率"), ("resolution_rate", "办结率"),
         ("on_time_rate", "按期办结率"), ("satisfaction_rate", "满意率"))


def pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def local_day_bounds(at: datetime) -> tuple[datetime, datetime]:
    local = to_local(at)
    assert local is not None
    start = datetime.combine(local.date(), time(0), tzinfo=SHANGHAI)
    s = start.astimezone(UTC).replace(tzinfo=None)
    return s, s + timedelta(days=1)


def _local_date(session: AsyncSession, col: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.date(col, "+8 hours")
    return cast(col + timedelta(hours=8), Date)


async def overview_data(session: AsyncSession, sc: Scope, at: datetime, rng: stats.DateRange,
                        by: str) -> dict[str, Any]:
    cond = sc.ticket_filter()
    d0, d1 = local_day_bounds(at)
    T = Ticket

    async def count(*where: Any) -> int:
        return int(await session.scalar(select(func.count(T.id)).where(cond, *where)) or 0)

    today = {
        "received": await count(T.created_at >= d0, T.created_at < d1),
        "accepted": await count(T.accepted_at >= d0, T.accepted_at < d1),
        "overdue": await count(T.status.in_(OPEN_STATUSES), T.resolve_by < at),
        "urgent_open": await count(T.status.in_(OPEN_STATUSES), T.urgency == "urgent"),
    }
    report = await stats.compute(session, rng, now=at, by="grid" if by == "grid" else
                                 "community", where=[cond])
    cancelled = await stats.staff_cancelled(session, rng, where=[cond])
    rows: dict[str | None, dict[str, Any]] = {}
    for g in report.groups:
        region = sc.region(g.key)
        key, name = g.key, g.name or "未定位（待分拨）"
        if by == "street":
            street = sc.up_to(region, "street")
            key, name = (street.code, street.name) if street else (None, "未定位（待分拨）")
        row = rows.setdefault(key, {"key": key, "name": name, "counts": stats.Counts(),
                                    "cancelled": 0})
        row["counts"] = row["counts"] + g.counts
    for cid, n in cancelled.items():
        region = sc.regions.get(cid) if cid else None
        if by == "street":
            street = sc.up_to(region, "street")
            key, name = (street.code, street.name) if street else (None, "未定位（待分拨）")
        elif by == "grid":
            key, name = "_other", "（按网格不细分）"
        else:
            key, name = (region.code, region.name) if region else (None, "未定位（待分拨）")
        row = rows.setdefault(key, {"key": key, "name": name, "counts": stats.Counts(),
                                    "cancelled": 0})
        row["cancelled"] += n
    day = _local_date(session, T.created_at)
    start, end = rng.bounds()
    trend_rows = await session.execute(
        select(day, func.count(T.id)).where(cond, T.created_at >= start, T.created_at < end)
        .group_by(day).order_by(day))
    by_day = {str(d): int(n) for d, n in trend_rows}
    days, cursor = [], rng.since
    while cursor <= rng.until:
        days.append((cursor, by_day.get(cursor.isoformat(), 0)))
        cursor += timedelta(days=1)
    return {"today": today, "total": report.total, "cancelled_total": sum(cancelled.values()),
            "rows": sorted(rows.values(), key=lambda r: (r["key"] is None, r["key"] or "")),
            "trend": days}


def trend_svg(days: list[tuple[Any, int]]) -> dict[str, Any]:
    top = max([n for _, n in days] + [1])
    w, h, pad = 720, 160, 24
    step = (w - 2 * pad) / max(len(days), 1)
    bars = []
    for i, (d, n) in enumerate(days):
        bh = (h - 2 * pad) * n / top
        bars.append({"x": pad + i * step, "y": h - pad - bh, "w": max(step - 2, 1), "h": bh,
                     "label": f"{d.month}月{d.day}日 {n} 件",
                     "tick": f"{d.month}/{d.day}" if i % max(len(days) // 6, 1) == 0 else ""})
    return {"w": w, "h": h, "pad": pad, "bars": bars, "top": top}


async def overview(request: web.Request) -> web.Response:
    sc, at = await cw.scope(request), cw.now(request)
    default_by = "street" if sc.whole else "community" if sc.area and sc.area.level == "street" \
        else "grid"
    by = request.query.get("by", default_by)
    if by not in ("street", "community", "grid"):
        by = default_by
    error = None
    try:
        rng = stats.parse_range(request.query.get("since"), request.query.get("until"), now=at)
    except stats.StatsError as e:
        error, rng = str(e), stats.parse_range(None, None, now=at)
    data = await cw.db(request).read(lambda s: overview_data(s, sc, at, rng, by))
    return await cw.render(request, "overview.html", data | {
        "by": by, "rng": rng, "error": error, "rates": RATES, "pct": pct,
        "chart": trend_svg(data["trend"]), "title": "总览"})


def row_view(t: Ticket, sc: Scope, at: datetime) -> dict[str, Any]:
    left, css = time_left(t, at)
    region = sc.regions.get(t.region_id) if t.region_id else None
    community = sc.regions.get(t.community_id) if t.community_id else None
    return {"t": t, "status": STATUS_NAMES.get(t.status, t.status),
            "category": category_name(t.category), "urgency": URGENCIES.get(t.urgency, t.urgency),
            "grid": region.name if region else "—",
            "community": community.name if community else "—",
            "assignee": t.assignee.name if t.assignee else "—",
            "text": mask_phones(t.text), "left": left, "left_css": css,
            "created": _fmt(t.created_at)}


def _fmt(dt: datetime | None) -> str:
    local = to_local(dt)
    return local.strftime("%m-%d %H:%M") if local else "—"


def filter_choices(sc: Scope) -> dict[str, Any]:
    return {"statuses": [("open", "未办结（全部）")] + list(STATUS_NAMES.items()),
            "categories": [(c, category_name(c)) for c in CATEGORIES],
            "urgencies": list(URGENCIES.items()), "sources": list(SOURCES.items()),
            "streets": sc.of_level("street"), "communities": sc.of_level("community"),
            "grids": sc.of_level("grid"), "sorts": list(SORT_NAMES.items())}


async def queue(request: web.Request, *, triage: bool = False) -> web.Response:
    sc, at = await cw.scope(request), cw.now(request)
    f = Filters.parse(request.query)
    size = cw.state(request).config.page_size

    async def q(s: AsyncSession) -> tuple[list[Ticket], int]:
        if triage:
            return await triage_page(s, f, sc, at, size)
        return await page_of(s, f, sc, at, size)

    rows, total = await cw.db(request).read(q)
    pages = max(1, -(-total // size))
    return await cw.render(request, "tickets.html", {
        "title": "分拨台" if triage else "工单", "triage": triage, "f": f, "total": total,
        "rows": [row_view(t, sc, at) for t in rows], "page": f.page, "pages": pages,
        **filter_choices(sc)})


async def tickets(request: web.Request) -> web.Response:
    return await queue(request)


async def triage_desk(request: web.Request) -> web.Response:
    return await queue(request, triage=True)


async def triage_page(s: AsyncSession, f: Filters, sc: Scope, at: datetime,
                      size: int) -> tuple[list[Ticket], int]:
    """Nobody could route them (no grid, nobody in the slot) or their officer sent them back."""
    conds = [*f.conditions(sc, at),
             or_(Ticket.status == "returned",
                 (Ticket.status == "new") & Ticket.assignee_id.is_(None))]
    total = int(await s.scalar(select(func.count(Ticket.id)).where(*conds)) or 0)
    rows = (await s.scalars(select(Ticket).where(*conds).order_by(*SORTS[f.sort])
                            .limit(size).offset((f.page - 1) * size))).unique().all()
    return list(rows), total


async def audit_page(request: web.Request) -> web.Response:
    sc = await cw.scope(request)
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    size = 100

    async def q(s: AsyncSession) -> tuple[list[AuditEntry], int]:
        conds = []
        if not sc.whole:  # the users of their own area only
            codes = [r.code for r in sc.regions.values()]
            conds.append(AuditEntry.user_id.in_(
                select(ConsoleUser.id).where(ConsoleUser.area_code.in_(codes))))
        total = int(await s.scalar(select(func.count(AuditEntry.id)).where(*conds)) or 0)
        rows = (await s.scalars(select(AuditEntry).where(*conds)
                                .order_by(AuditEntry.id.desc()).limit(size)
                                .offset((page - 1) * size))).all()
        return list(rows), total

    rows, total = await cw.db(request).read(q)
    return await cw.render(request, "audit.html", {
        "title": "审计日志", "rows": rows, "fmt": lambda d: to_local(d).strftime(
            "%Y-%m-%d %H:%M:%S") if d else "", "page": page,
        "pages": max(1, -(-total // size)), "total": total})


async def poll(request: web.Request) -> web.Response:
    """New urgent open tickets since `after` (a ticket id); the first call just learns the
    latest id, so opening a page does not flash old alarms."""
    sc = await cw.scope(request)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        after = 0

    async def q(s: AsyncSession) -> dict[str, Any]:
        latest = int(await s.scalar(select(func.max(Ticket.id)).where(sc.ticket_filter()))
                     or 0)
        items = []
        if after:
            rows = (await s.scalars(select(Ticket).where(
                sc.ticket_filter(), Ticket.id > after, Ticket.urgency == "urgent",
                Ticket.status.in_(OPEN_STATUSES)).order_by(Ticket.id).limit(10))).unique().all()
            items = [{"code": t.code, "category": category_name(t.category),
                      "text": (mask_phones(t.text) or "")[:60],
                      "href": f"/console/tickets/{t.code}"} for t in rows]
        return {"latest": latest, "urgent": items}

    return web.json_response(await cw.db(request).read(q))
