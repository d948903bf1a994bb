"""Tickets as the outside world sees them: JSON items for the admin API and text for the CLI.

Pure functions over `storage.models`, plus the two read queries they are built from. Nothing
here leaves the district's hands unmasked: phone numbers in free text become 138****0001, and a
reporter is named by people id only (never an openid or a phone).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ops.events import event_name
from handlers.ops.messages import place_phrase
from handlers.ops.privacy import mask_phones
from nlp.taxonomy import URGENCIES, category_name
from storage.clock import iso, to_local
from storage.models import Attachment, Region, Ticket, TicketEvent, TicketFollower
from storage.repos.tickets import ticket_by_code
from storage.statemachine import OPEN_STATUSES, STATUS_NAMES

# a duplicate's original is another row: its code is looked up once and kept on the instance
_DUP_CODE = "_view_duplicate_code"


def _loaded(obj: Any, attr: str) -> Any:
    """A relationship only if it was loaded: a lazy load outside the session would fail."""
    if obj is None:
        return None
    return inspect(obj).dict.get(attr)


def _up_to(region: Region | None, level: str) -> Region | None:
    seen = 0
    while region is not None and seen < 8:
        if region.level == level:
            return region
        region = _loaded(region, "parent")
        seen += 1
    return None


def ticket_item(t: Ticket) -> dict[str, Any]:
    """The admin API's view of one ticket (also `gridbot tickets --json`)."""
    region = _loaded(t, "region")
    grid = _up_to(region, "grid")
    community = _loaded(t, "community") or _up_to(region, "community")
    assignee = _loaded(t, "assignee")
    return {
        "code": t.code,
        "status": t.status,
        "status_name": STATUS_NAMES.get(t.status, t.status),
        "category": t.category,
        "category_name": category_name(t.category),
        "urgency": t.urgency,
        "request_kind": t.request_kind,
        "grid": grid.code if grid else None,
        "community": community.code if community else None,
        "assignee": t.assignee_id,
        "assignee_name": assignee.name if assignee else None,
        "reporter": mask_phones(t.reporter_id),
        "source": t.source,
        "text": mask_phones(t.text),
        "location": {
            "community": mask_phones(t.community_text or (community.name if community else None)),
            "building": t.building,
            "unit": t.unit,
            "room": t.room,
            "place": mask_phones(t.place),
            "lng": t.lng,
            "lat": t.lat,
        },
        "respond_by": iso(t.respond_by),
        "resolve_by": iso(t.resolve_by),
        "accepted_at": iso(t.accepted_at),
        "resolved_at": iso(t.resolved_at),
        "closed_at": iso(t.closed_at),
        "escalation_level": t.escalation_level,
        "confidence": t.confidence,
        "duplicate_of": getattr(t, _DUP_CODE, None),
        "rating": t.rating,
        "resolution": mask_phones(t.resolution),
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
    }


def event_item(e: TicketEvent) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "actor": mask_phones(e.actor_id),
        "from_status": e.from_status,
        "to_status": e.to_status,
        "note": mask_phones(e.note),
        "at": iso(e.created_at),
    }


async def _attach_duplicate_codes(session: AsyncSession, tickets: list[Ticket]) -> None:
    ids = {t.duplicate_of_id for t in tickets if t.duplicate_of_id is not None}
    codes: dict[int, str] = {}
    if ids:
        rows = await session.execute(select(Ticket.id, Ticket.code).where(Ticket.id.in_(ids)))
        codes = {i: c for i, c in rows.all()}
    for t in tickets:
        setattr(t, _DUP_CODE, codes.get(t.duplicate_of_id) if t.duplicate_of_id else None)


async def list_tickets(
    session: AsyncSession, *, status: str | None = None, grid: str | None = None,
    category: str | None = None, assignee: str | None = None, limit: int = 50, offset: int = 0,
) -> tuple[list[Ticket], int]:
    """One page of tickets, newest first, and how many match the filters in all."""
    conds = []
    if status == "open":  # as the console's queue: every status not yet resolved
        conds.append(Ticket.status.in_(OPEN_STATUSES))
    elif status:
        conds.append(Ticket.status == status)
    if category:
        conds.append(Ticket.category == category)
    if assignee:
        conds.append(Ticket.assignee_id == assignee)
    if grid:
        grid_ids = select(Region.id).where(Region.code == grid).scalar_subquery()
        conds.append(Ticket.region_id == grid_ids)
    total = await session.scalar(select(func.count()).select_from(Ticket).where(*conds))
    rows = (await session.scalars(
        select(Ticket).where(*conds).order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit).offset(offset)
    )).unique().all()
    tickets = list(rows)
    await _attach_duplicate_codes(session, tickets)
    return tickets, int(total or 0)


async def get_ticket(session: AsyncSession, code: str) -> tuple[Ticket, list[TicketEvent]] | None:
    """A ticket by code, any case (codes are issued upper-case), and its history in order."""
    t = await ticket_by_code(session, code)
    if t is None:
        return None
    events = (await session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == t.id)
        .order_by(TicketEvent.created_at, TicketEvent.id)
    )).all()
    await _attach_duplicate_codes(session, [t])
    return t, list(events)


async def ticket_detail(session: AsyncSession, t: Ticket,
                        events: list[TicketEvent]) -> dict[str, Any]:
    """The item plus what only the one-ticket view shows: history, followers (附议), evidence."""
    followers = await session.scalar(
        select(func.count()).select_from(TicketFollower).where(TicketFollower.ticket_id == t.id))
    media = (await session.scalars(select(Attachment).where(Attachment.ticket_id == t.id)
                                   .order_by(Attachment.id))).all()
    return ticket_item(t) | {
        "followers": followers or 0,
        "attachments": [{"kind": a.kind, "state": a.state, "path": a.path,
                         "at": iso(a.created_at)} for a in media if a.state != "erased"],
        "events": [event_item(e) for e in events],
    }


# --- text for people (the CLI) ---------------------------------------------------------------

def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _fit(s: str, width: int) -> str:
    """Cut to `width` display columns (CJK counts two) and pad, so columns line up."""
    if _width(s) > width:
        out = ""
        for c in s:
            if _width(out + c) > width - 1:
                break
            out += c
        s = out + "…"
    return s + " " * max(0, width - _width(s))


def _when(dt: Any) -> str:
    local = to_local(dt)
    return local.strftime("%Y-%m-%d %H:%M") if local else "-"


SOURCE_NAMES = {"resident": "居民", "correspondent": "网格通讯员", "officer": "网格员",
                "api": "接口"}

_COLUMNS = (("工单编号", 16), ("状态", 8), ("类别", 14), ("紧急", 4), ("网格", 12),
            ("处理人", 10), ("创建时间", 16), ("内容", 30))


def format_ticket_table(tickets: list[Ticket]) -> str:
    """`gridbot tickets list`: one line per ticket under Chinese headings."""
    if not tickets:
        return "没有符合条件的工单。"
    lines = ["  ".join(_fit(h, w) for h, w in _COLUMNS).rstrip()]
    for t in tickets:
        item = ticket_item(t)
        cells = (item["code"], item["status_name"], item["category_name"],
                 URGENCIES.get(t.urgency, t.urgency), item["grid"] or "-",
                 item["assignee_name"] or item["assignee"] or "-", _when(t.created_at),
                 " ".join((item["text"] or "").split()))
        lines.append("  ".join(_fit(str(c), w) for c, (_, w) in zip(cells, _COLUMNS,
                                                                    strict=True)).rstrip())
    return "\n".join(lines)


def format_ticket_text(t: Ticket, events: list[TicketEvent]) -> str:
    """`gridbot tickets show CODE`: the ticket and its history, as a person reads it."""
    item = ticket_item(t)
    loc = item["location"]
    where = place_phrase(loc["community"], loc["building"], loc["unit"], loc["room"],
                         loc["place"], t.text)
    if loc["lng"] is not None and loc["lat"] is not None:
        where += f" ({loc['lng']:.6f}, {loc['lat']:.6f})"
    fields = [
        ("工单编号", item["code"]),
        ("状态", item["status_name"] + (f"（已升级 {t.escalation_level} 级）"
                                      if t.escalation_level else "")),
        ("类别", f"{item['category_name']}（{t.category}）"),
        ("紧急程度", URGENCIES.get(t.urgency, t.urgency)),
        ("诉求类型", t.request_kind),
        ("来源", SOURCE_NAMES.get(t.source, t.source)),
        ("位置", where.strip() or "-"),
        ("网格", item["grid"] or "-"),
        ("社区", item["community"] or "-"),
        ("处理人", f"{item['assignee_name'] or ''}（{t.assignee_id}）" if t.assignee_id else "-"),
        ("响应时限", _when(t.respond_by)),
        ("办结时限", _when(t.resolve_by)),
        ("创建时间", _when(t.created_at)),
    ]
    if t.resolved_at:
        fields.append(("办结时间", _when(t.resolved_at)))
    if t.resolution:
        fields.append(("办理结果", item["resolution"]))
    if t.rating is not None:
        fields.append(("评价", str(t.rating)))
    if item["duplicate_of"]:
        fields.append(("合并到", item["duplicate_of"]))
    lines = [f"{_fit(k, 8)}  {v}" for k, v in fields]
    lines += ["", "内容：", f"  {item['text']}", "", "办理记录："]
    if not events:
        lines.append("  （无）")
    for e in events:
        ev = event_item(e)
        step = ""
        if e.to_status and e.from_status != e.to_status:
            before = STATUS_NAMES.get(e.from_status, e.from_status) if e.from_status else ""
            step = f"（{before}→{STATUS_NAMES.get(e.to_status, e.to_status)}）"
        who = f" [{ev['actor']}]" if ev["actor"] else ""
        note = f"  {ev['note']}" if ev["note"] else ""
        kind = event_name(e.kind)
        lines.append(f"  {_when(e.created_at)}  {kind}{step}{who}{note}")
    return "\n".join(lines)
