"""People and places: officers and departments with their load and rates, empty slots, and
the map of grids with open tickets coloured by urgency and lateness."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import core as cw
from bot.console import mapview
from bot.console.pages import pct
from bot.console.scope import Scope
from storage import stats
from storage.district import unreachable
from storage.models import Person, Ticket
from storage.statemachine import OPEN_STATUSES

EXPECTED_SLOTS = {"grid": (("officer", "网格员"),),
                  "community": (("leader", "社区书记"), ("triage", "分拨员")),
                  "street": (("leader", "街道领导"),)}
MAP_DOTS = 600  # the newest open tickets drawn as dots; every grid shows its counts


async def people_data(s: AsyncSession, sc: Scope, at: datetime,
                      rng: stats.DateRange) -> dict[str, Any]:
    cond = sc.ticket_filter()
    load = dict((await s.execute(select(Ticket.assignee_id, func.count(Ticket.id))
                                 .where(cond, Ticket.status.in_(OPEN_STATUSES),
                                        Ticket.assignee_id.is_not(None))
                                 .group_by(Ticket.assignee_id))).all())
    late = dict((await s.execute(select(Ticket.assignee_id, func.count(Ticket.id))
                                 .where(cond, Ticket.status.in_(OPEN_STATUSES),
                                        Ticket.resolve_by < at, Ticket.assignee_id.is_not(None))
                                 .group_by(Ticket.assignee_id))).all())
    rates = await stats.by_assignee(s, rng, now=at, where=[cond])
    everyone = {p.id: p for p in (await s.scalars(select(Person).where(
        Person.from_district_file.is_(True)))).unique().all()}
    wanted = set(everyone) if sc.whole else sc.people_ids() | {
        pid for pid in load if pid in everyone}
    slots_of: dict[str, list[str]] = {}
    for r in sc.regions.values():
        for value in (r.slots or {}).values():
            for pid in value if isinstance(value, list) else [value]:
                if isinstance(pid, str):
                    slots_of.setdefault(pid, []).append(r.name)
    rows = []
    for pid in sorted(wanted):
        p = everyone.get(pid)
        if p is None or not p.has_role("officer", "department", "leader", "liaison"):
            continue
        c = rates.get(pid, stats.Counts())
        rows.append({"p": p, "kind": "部门" if p.has_role("department") else "网格/社区",
                     "where": "、".join(sorted(set(slots_of.get(pid, []))))[:60] or "—",
                     "open": load.get(pid, 0), "late": late.get(pid, 0),
                     "received": c.received, "response": pct(c.response_rate),
                     "on_time": pct(c.on_time_rate), "satisfaction": pct(c.satisfaction_rate)})
    rows.sort(key=lambda r: (r["kind"], -r["open"], r["p"].id))
    empty = []
    for level, slots in EXPECTED_SLOTS.items():
        for r in sc.of_level(level):
            if not r.active:
                continue
            for slot, name in slots:
                value = (r.slots or {}).get(slot)
                ids = value if isinstance(value, list) else [value] if value else []
                if not any(everyone.get(i) is not None and everyone[i].active for i in ids):
                    empty.append({"region": r, "slot": name})
    unreached = [{"p": p, "posts": "、".join(posts)} for p, posts in await unreachable(
        s, list(sc.regions.values()))]
    cut_off = {u["p"].id for u in unreached}
    for row in rows:
        row["unreached"] = row["p"].id in cut_off
    return {"rows": rows, "empty": empty, "unreached": unreached}


async def people(request: web.Request) -> web.Response:
    sc, at = await cw.scope(request), cw.now(request)
    try:
        rng = stats.parse_range(request.query.get("since"), request.query.get("until"), now=at)
    except stats.StatsError:
        rng = stats.parse_range(None, None, now=at)
    data = await cw.db(request).read(lambda s: people_data(s, sc, at, rng))
    return await cw.render(request, "people.html", data | {"title": "人员", "rng": rng})


async def map_data(s: AsyncSession, sc: Scope, at: datetime, colour: str) -> dict[str, Any]:
    cond = sc.ticket_filter()
    open_ = Ticket.status.in_(OPEN_STATUSES)
    counts = dict((await s.execute(select(Ticket.region_id, func.count(Ticket.id))
                                   .where(cond, open_).group_by(Ticket.region_id))).all())
    lates = dict((await s.execute(select(Ticket.region_id, func.count(Ticket.id))
                                  .where(cond, open_, Ticket.resolve_by < at)
                                  .group_by(Ticket.region_id))).all())
    rows = (await s.execute(select(Ticket.code, Ticket.urgency, Ticket.lng, Ticket.lat,
                                   Ticket.region_id, Ticket.resolve_by, Ticket.category)
                            .where(cond, open_).order_by(Ticket.id.desc())
                            .limit(MAP_DOTS))).all()
    grids = [g for g in sc.of_level("grid") if g.active]
    shapes = []
    for g in grids:
        n, late = counts.get(g.id, 0), lates.get(g.id, 0)
        css = "late" if late else "busy" if n else "calm"
        shapes.append(mapview.Shape(g, css, f"{g.name}：未办结 {n} 件，超期 {late} 件",
                                    f"/console/tickets?grid={g.code}&status=open"))
    placed: dict[int, int] = {}
    dots = []
    for code, urgency, lng, lat, region_id, resolve_by, _cat in rows:
        region = sc.regions.get(region_id) if region_id else None
        if lng is None or lat is None:
            point = mapview.grid_point(region) if region else None
            if point is None:
                continue
            n = placed.get(region_id, 0)
            placed[region_id] = n + 1
            lng, lat = mapview.spread(point[0], point[1], n, region)
        is_late = resolve_by is not None and resolve_by < at
        if colour == "late":
            css = "late" if is_late else "normal"
        else:
            css = urgency if urgency in ("urgent", "high") else "normal"
        dots.append(mapview.Dot(lng, lat, css, f"{code}{' 已超期' if is_late else ''}",
                                f"/console/tickets/{code}"))
    legend = [{"grid": g, "open": counts.get(g.id, 0), "late": lates.get(g.id, 0)}
              for g in grids]
    # of the open tickets in no grid, those the triage desk lists (its own rule: nobody has
    # them, or their officer sent them back) and those already given to someone
    waiting = int(await s.scalar(select(func.count(Ticket.id)).where(
        cond, open_, Ticket.region_id.is_(None), or_(
            Ticket.status == "returned",
            (Ticket.status == "new") & Ticket.assignee_id.is_(None)))) or 0)
    unplaced = counts.get(None, 0)
    return {"svg": mapview.render(shapes, dots), "legend": legend, "unplaced": unplaced,
            "unplaced_waiting": waiting, "unplaced_held": unplaced - waiting,
            "shown": len(dots)}


async def map_page(request: web.Request) -> web.Response:
    sc, at = await cw.scope(request), cw.now(request)
    colour = "late" if request.query.get("colour") == "late" else "urgency"
    data = await cw.db(request).read(lambda s: map_data(s, sc, at, colour))
    return await cw.render(request, "map.html", data | {"title": "地图", "colour": colour,
                                                        "max_dots": MAP_DOTS})
