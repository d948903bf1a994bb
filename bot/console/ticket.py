"""One ticket in the console: its whole history, evidence, place on the map, followers, and the
staff actions (each a handlers.ops.actions step, audited, in one unit of work)."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import core as cw
from bot.console import mapview
from bot.console.pages import _fmt, row_view
from bot.console.scope import Scope
from handlers.ops import actions as ops
from handlers.ops.events import event_name
from handlers.ops.privacy import mask_phones
from nlp.taxonomy import CATEGORIES, category_name
from storage.clock import SHANGHAI
from storage.models import (
    Attachment,
    ConsoleUser,
    Person,
    Region,
    Ticket,
    TicketEvent,
    TicketFollower,
)
from storage.statemachine import OPEN_STATUSES, STATUS_NAMES

logger = logging.getLogger(__name__)

ACTIONS = {"dispatch": "派单/改派", "transfer": "转办", "reclassify": "改类", "merge": "合并",
           "ask": "追问", "remind": "催办", "reply": "回复居民", "cancel": "撤销"}


async def visible_ticket(request: web.Request, s: AsyncSession, code: str) -> Ticket:
    """The ticket if this user may see it; 404 either way otherwise (no existence leak)."""
    sc = await cw.scope(request)
    t = (await s.scalars(select(Ticket).where(Ticket.code == code.strip().upper()))).unique() \
        .first()
    if t is None or not sc.sees_ticket(t):
        raise cw.not_found()
    return t


def _actor_names(people: dict[str, Person], users: dict[int, ConsoleUser], e: TicketEvent) -> str:
    if e.console_user_id and e.console_user_id in users:
        u = users[e.console_user_id]
        return f"{u.name}（指挥中心 {u.username}）"
    if e.actor_id and e.actor_id in people:
        p = people[e.actor_id]
        return p.name or ("居民" if p.has_role("resident") else p.id)
    return e.actor_id or "系统"


def _slot_ids(r: Region | None) -> list[str]:
    ids: list[str] = []
    for slot in SLOT_ORDER:
        value = (r.slots or {}).get(slot) if r is not None else None
        ids += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
    return ids


SLOT_ORDER = ("officer", "property", "police", "triage", "liaisons", "leader")


def staff_groups(staff: list[Person], t: Ticket, sc: Scope
                 ) -> tuple[list[tuple[str, list[Person]]], str | None]:
    """The 派单 choices grouped as a district would pick: the ticket's grid first (its
    officer on top), then the rest of its community, other grids' officers, departments, and
    leaders last (a leader is rarely the one to send a ticket to). With the grid's officer as
    the suggestion when the ticket has nobody."""
    grid = sc.regions.get(t.region_id) if t.region_id else None
    community = sc.regions.get(t.community_id) if t.community_id else None
    in_grid = _slot_ids(grid)
    in_community = [pid for r in sc.regions.values()
                    if community is not None and r.active and r.parent_id == community.id
                    for pid in _slot_ids(r)] + _slot_ids(community)
    rank = {pid: i for i, pid in enumerate(dict.fromkeys(in_grid + in_community))}
    named = [("grid", f"本网格（{grid.name}）" if grid else ""),
             ("community", f"本社区（{community.name}）" if community else ""),
             ("officers", "其他网格员"), ("departments", "部门"), ("leaders", "领导及其他")]
    buckets: dict[str, list[Person]] = {key: [] for key, _ in named}
    for p in staff:
        leader_only = p.has_role("leader") and not p.has_role("officer")
        if p.id in in_grid and not leader_only:
            buckets["grid"].append(p)
        elif p.id in rank and not leader_only and not p.has_role("department"):
            buckets["community"].append(p)
        elif p.has_role("department"):
            buckets["departments"].append(p)
        elif p.has_role("officer"):
            buckets["officers"].append(p)
        else:
            buckets["leaders"].append(p)
    for key in ("grid", "community"):
        buckets[key].sort(key=lambda p: rank.get(p.id, len(rank)))
    groups = [(label, buckets[key]) for key, label in named if buckets[key] and label]
    officer = next((pid for pid in in_grid[:1] if pid != t.assignee_id), None)
    suggested = officer if t.assignee_id is None and any(
        p.id == officer for p in buckets["grid"]) else None
    return groups, suggested


async def detail_data(s: AsyncSession, t: Ticket, sc: Scope) -> dict[str, Any]:
    events = list((await s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id)
                                   .order_by(TicketEvent.created_at, TicketEvent.id))).all())
    ids = {e.actor_id for e in events if e.actor_id} | {t.reporter_id, t.owner_id} - {None}
    followers = list((await s.scalars(select(Person).join(
        TicketFollower, TicketFollower.person_id == Person.id)
        .where(TicketFollower.ticket_id == t.id))).unique().all())
    people = {p.id: p for p in (await s.scalars(select(Person).where(Person.id.in_(ids))))
              .unique().all()}
    uids = {e.console_user_id for e in events if e.console_user_id}
    users = {u.id: u for u in (await s.scalars(select(ConsoleUser).where(
        ConsoleUser.id.in_(uids)))).all()} if uids else {}
    media = [a for a in (await s.scalars(select(Attachment).where(Attachment.ticket_id == t.id)
                                         .order_by(Attachment.id))).all() if a.state != "erased"]
    staff_ids = sc.people_ids() if not sc.whole else None
    q = select(Person).where(Person.active.is_(True)).order_by(Person.id)
    staff = [p for p in (await s.scalars(q)).unique().all()
             if p.has_role(*ops.HANDLER_ROLES) and (staff_ids is None or p.id in staff_ids
                                                     or p.has_role("department"))]
    departments = sorted({d for p in staff for d in (p.departments or [])})
    groups, suggested = staff_groups(staff, t, sc)
    duplicate_of = await s.scalar(select(Ticket.code).where(Ticket.id == t.duplicate_of_id)) \
        if t.duplicate_of_id else None
    return {"events": [{"at": _fmt(e.created_at), "kind": event_name(e.kind),
                        "who": _actor_names(people, users, e),
                        "step": (f"{STATUS_NAMES.get(e.from_status or '', e.from_status or '')}"
                                 f" → {STATUS_NAMES.get(e.to_status or '', e.to_status)}")
                        if e.to_status and e.from_status != e.to_status else "",
                        "note": "" if e.kind == "created" else mask_phones(e.note) or ""}
                       for e in events],
            "followers": followers, "media": media, "staff": staff, "departments": departments,
            "staff_groups": groups, "suggested": suggested,
            "reporter": people.get(t.reporter_id or ""), "duplicate_of": duplicate_of,
            "owner": people.get(t.owner_id or "")}


def place_map(t: Ticket, sc: Scope) -> Any:
    grid = sc.regions.get(t.region_id) if t.region_id else None
    if grid is None or not grid.polygon:
        return None
    community = sc.up_to(grid, "community")
    shapes = [mapview.Shape(r, "here" if r.id == grid.id else "calm", r.name,
                            f"/console/tickets?grid={r.code}")
              for r in sc.of_level("grid") if sc.up_to(r, "community") is community]
    point = (t.lng, t.lat) if t.lng is not None and t.lat is not None else \
        mapview.grid_point(grid)
    dots = [mapview.Dot(point[0], point[1], "urgent" if t.urgency == "urgent" else "normal",
                        t.code, f"/console/tickets/{t.code}")] if point else []
    return mapview.render(shapes, dots, width=420, height=300)


async def ticket_page(request: web.Request) -> web.Response:
    sc, at = await cw.scope(request), cw.now(request)
    code = request.match_info["code"]

    async def q(s: AsyncSession) -> dict[str, Any]:
        t = await visible_ticket(request, s, code)
        return {"t": t, **await detail_data(s, t, sc)}

    data = await cw.db(request).read(q)
    t: Ticket = data["t"]
    return await cw.render(request, "ticket.html", data | {
        "title": t.code, "row": row_view(t, sc, at), "map": place_map(t, sc),
        "is_open": t.status in OPEN_STATUSES, "actions": ACTIONS,
        "categories": [(c, category_name(c)) for c in CATEGORIES],
        "text": mask_phones(t.text), "resolution": mask_phones(t.resolution),
        "respond_by": _fmt(t.respond_by), "resolve_by": _fmt(t.resolve_by),
        "flash": request.query.get("ok"), "error": request.query.get("error")})


async def media(request: web.Request) -> web.StreamResponse:
    """A photo or voice of a ticket, only to users who may see the ticket."""
    try:
        aid = int(request.match_info["id"])
    except ValueError:
        raise cw.not_found() from None

    async def q(s: AsyncSession) -> Attachment:
        a = await s.get(Attachment, aid)
        if a is None or a.ticket_id is None or a.state != "downloaded" or not a.path:
            raise cw.not_found()
        t = await s.get(Ticket, a.ticket_id)
        if t is None or not (await cw.scope(request)).sees_ticket(t):
            raise cw.not_found()
        return a

    a = await cw.db(request).read(q)
    path = await asyncio.to_thread(_media_path, cw.settings(request).media_dir,
                                   a.path or "")
    if path is None:
        raise cw.not_found()
    ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return web.FileResponse(path, headers={"Content-Type": ctype,
                                           "Cache-Control": "private, no-store"})


def _media_path(media_dir: str, rel: str) -> Path | None:
    root = Path(media_dir).resolve()
    path = (root / rel).resolve()
    return path if root in path.parents and path.is_file() else None


async def act(request: web.Request) -> web.StreamResponse:
    """POST /console/tickets/{code}/act: one staff action, then back to the ticket."""
    form = await cw.form(request)
    op = str(form.get("op", ""))
    if op not in ACTIONS:
        raise web.HTTPBadRequest(text="未知操作", content_type="text/plain")
    await cw.scope(request)  # read before the unit: a unit does no other database work
    u = cw.user(request)
    actor = ops.Actor(id=f"console:{u.username}", name=u.name or u.username,
                      console_user_id=u.id)
    code = request.match_info["code"]
    at = cw.now(request)
    services = cw.services(request)
    text = str(form.get("text", "")).strip()[:500]

    async def unit(s: AsyncSession) -> str:
        t = await visible_ticket(request, s, code)
        if op == "dispatch":
            person_id = str(form.get("person", ""))
            staff = {p.id for p in (await detail_data(s, t, await cw.scope(request)))["staff"]}
            if person_id not in staff:
                raise ops.ActionError("请从名单中选择负责人。")
            p = await ops.dispatch(s, services, t, person_id, actor, now=at)
            done = f"已派给 {p.name}"
        elif op == "transfer":
            p = await ops.transfer(s, services, t, str(form.get("department", "")), text,
                                   actor, now=at)
            done = f"已转办 {p.name}"
        elif op == "reclassify":
            p = await ops.reclassify(s, services, t, str(form.get("category", "")), actor,
                                     now=at)
            done = f"已改为「{category_name(t.category)}」" + (f"，改派 {p.name}" if p else "")
        elif op == "merge":
            other = await visible_ticket(request, s, str(form.get("into", "")))
            n = await ops.merge(s, other, t, actor, now=at)
            done = f"已并入 {other.code}（{n} 人附议）"
        elif op == "ask":
            await ops.ask(s, t, text, actor, now=at)
            done = "已追问居民，时限暂停"
        elif op == "remind":
            p = await ops.remind(s, t, text, actor, now=at)
            done = f"已催办 {p.name}"
        elif op == "reply":
            n = await ops.reply(s, t, text, actor, now=at)
            done = f"已回复（送达 {n} 人）" if n else "已记录回复（居民暂无可达渠道）"
        else:
            await ops.cancel(s, t, text, actor, now=at)
            done = "已撤销"
        cw.audit(s, request, f"ticket.{op}", t.code, (done + (f"；{text}" if text else ""))[:500])
        return done

    try:
        done = await cw.db(request).run(unit)
    except (ops.ActionError, ops.TransitionError) as e:
        raise web.HTTPFound(f"/console/tickets/{code}?error=" + quote(str(e))) from None
    cw.runtime(request).wake_sender()  # the pushes are committed: send them now
    raise web.HTTPFound(f"/console/tickets/{code}?ok=" + quote(done))


__all__ = ["SHANGHAI", "act", "media", "ticket_page"]
