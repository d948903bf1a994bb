"""What a resident adds to a report already filed: repeats, pieces, 补充 and 催办.

- Repeats: the same words (ignoring punctuation, emoji, spaces and width) as one of the
  resident's own open tickets from the last `[conversation] repeat_hours` make no ticket; they
  are told it is filed. New MsgIds do not matter: WeChat retries are the gateway's business.
- Pieces: within `[conversation] piece_minutes` of the resident's own report, a message that
  adds a place, a time or who did it but no new complaint is appended to that report, and its
  officer is told. A place that the report lacked completes it (and routes it when it waited on
  the triage list).
- `补充 CODE 内容` does the same on purpose, at any time; on a `waiting` ticket it answers the
  追问 and the clock runs again. `催办 CODE` nudges the holder, at most once a day per ticket; a
  second 催办 once the deadline has passed copies the community leader.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from handlers.conversation.context import Ctx
from handlers.conversation.meaning import bare
from handlers.ops import messages as msg
from handlers.ops.privacy import mask_phones
from handlers.ops.tickets import place_for, route
from storage import repo
from storage.models import Region, Ticket, TicketEvent
from storage.repos.tickets import of_resident
from storage.statemachine import OPEN_STATUSES, record, transition

logger = logging.getLogger(__name__)


async def repeat_of(ctx: Ctx, text: str) -> Ticket | None:
    hours = ctx.settings.conversation.repeat_hours
    words = bare(text)
    if not hours or not words:
        return None
    since = ctx.now - timedelta(hours=hours)
    for t in await of_resident(ctx.session, ctx.person.id, limit=20):
        if t.reporter_id == ctx.person.id and t.status in OPEN_STATUSES + ("resolved",) \
                and t.created_at >= since and bare(t.text.split("\n补充：")[0]) == words:
            return t
    return None


_DIGITS = re.compile(r"\d+")


async def near_repeat(ctx: Ctx, text: str, analysis: Any) -> Ticket | None:
    """The resident's own report of minutes ago that this one repeats but for a number
    (「云栖公寓A座3楼有人乱扔垃圾」 then 「…5楼…」) or in other words: same category, same
    compound and building, words alike once the digits are left out. Urgent reports are never
    folded."""
    minutes = ctx.settings.conversation.piece_minutes
    words = _DIGITS.sub("", bare(text))
    loc = analysis.location
    if not minutes or not words or analysis.urgency == "urgent" or not loc.community:
        return None
    since = ctx.now - timedelta(minutes=minutes)
    for t in await of_resident(ctx.session, ctx.person.id, limit=5):
        if t.reporter_id != ctx.person.id or t.status not in OPEN_STATUSES \
                or t.created_at < since or t.urgency == "urgent":
            continue
        first = t.text.split("\n补充：")[0]
        if t.category == analysis.category and t.community_text == loc.community \
                and (t.building or None) == (loc.building or None) \
                and _alike(_DIGITS.sub("", bare(first)), words):
            return t
    return None


def _alike(a: str, b: str) -> bool:
    """The same words, or the same matter told again in other words (「门口的井盖松了 一踩就响」
    then 「门口那个井盖松了！踩上去哐哐响」): half the character pairs of the shorter shared."""
    if a == b:
        return True
    pa, pb = {a[i:i + 2] for i in range(len(a) - 1)}, {b[i:i + 2] for i in range(len(b) - 1)}
    return bool(pa and pb) and len(pa & pb) >= 0.5 * min(len(pa), len(pb))


REPEAT_TOLD = timedelta(minutes=5)  # «已经登记了» said once per ticket in this long


async def fold_repeat(ctx: Ctx, t: Ticket, text: str) -> str | None:
    """A near repeat joins the ticket as a piece, quietly: its holder is not paged again for
    the same matter (the ticket's text and history carry it). The resident is told so once per
    ticket per REPEAT_TOLD: after that a new wording gets one short line and the same words
    again nothing at all (a flood of them would otherwise come back as as many pushes)."""
    note = mask_phones(text)
    told = list((await ctx.session.scalars(
        select(TicketEvent.note).where(
            TicketEvent.ticket_id == t.id, TicketEvent.kind == "supplemented",
            TicketEvent.actor_id == ctx.person.id,
            TicketEvent.created_at >= ctx.now - REPEAT_TOLD))).all())
    if note in told:
        return None
    t.text = f"{t.text}\n补充：{text}"
    record(ctx.session, t, "supplemented", actor_id=ctx.person.id, note=note, at=ctx.now)
    if told:
        return f"已补充到工单 {t.code}。"
    who = t.assignee.name if t.assignee else "社区工作人员"
    return (f"这件事刚才已经登记了（工单 {t.code}，{who}负责），这条已补充进去，不用重复发送。"
            f"查看进度请发「查询 {t.code}」。")


def repeat_reply(t: Ticket) -> str:
    who = t.assignee.name if t.assignee else "社区工作人员"
    return (f"这件事已经登记过了（工单 {t.code}，{who}负责），不用重复发送。"
            f"要补充情况请发「补充 {t.code} 内容」，查看进度请发「查询 {t.code}」。")


async def recent_report(ctx: Ctx) -> Ticket | None:
    minutes = ctx.settings.conversation.piece_minutes
    if not minutes:
        return None
    since = ctx.now - timedelta(minutes=minutes)
    for t in await of_resident(ctx.session, ctx.person.id, limit=3):
        if t.reporter_id == ctx.person.id and t.status in OPEN_STATUSES:
            last = await ctx.session.scalar(select(TicketEvent.created_at).where(
                TicketEvent.ticket_id == t.id, TicketEvent.actor_id == ctx.person.id)
                .order_by(TicketEvent.id.desc()).limit(1))
            return t if max(t.created_at, last or t.created_at) >= since else None
    return None


async def locate(ctx: Ctx, t: Ticket, where: str, *, lng: float | None = None,
                 lat: float | None = None, grid: Region | None = None) -> bool:
    """Complete `t`'s place from `where` (words or a position already placed in `grid`);
    a ticket on the triage list is then routed, its new holder told. False: no place found."""
    located = ctx.services.analyzer.analyze(f"{where} {t.text}")
    loc = located.location
    if grid is None:
        place = await place_for(ctx.session, located)
        grid = place.grid
        community = place.community
    else:
        community = await repo.community_of(ctx.session, grid)
    if grid is None:
        return False
    t.community_text = loc.community or t.community_text
    t.building, t.unit = loc.building or t.building, loc.unit or t.unit
    t.room = loc.room or t.room
    if lng is not None:
        t.lng, t.lat = lng, lat
        t.place = t.place or where
    t.region_id, t.region = grid.id, grid
    if community is not None:
        t.community_id, t.community = community.id, community
    record(ctx.session, t, "located", actor_id=ctx.person.id, note=mask_phones(where), at=ctx.now)
    if t.assignee_id is None and t.status in ("new", "returned"):
        await route(ctx.session, ctx.services, t, grid, community, now=ctx.now)
    elif t.assignee is not None:
        await ctx.notify(t.assignee, f"工单 {t.code} 居民补充了位置：{msg.where(t)}", t)
    return True


async def append(ctx: Ctx, t: Ticket, text: str) -> str:
    """Add `text` to `t` as the resident's own words; its holder hears it."""
    t.text = f"{t.text}\n补充：{text}"
    analysis = ctx.services.analyzer.analyze(f"{t.community_text or ''}{text}")
    loc = analysis.location
    if t.region_id is None and (loc.community or loc.building):
        if await locate(ctx, t, text):
            return f"已把位置补充到工单 {t.code}，{msg.responsible_line(t)}。"
    t.unit = t.unit or loc.unit
    t.room = t.room or loc.room
    if not t.building and loc.building and t.community_text:
        t.building = loc.building
    record(ctx.session, t, "supplemented", actor_id=ctx.person.id, note=mask_phones(text),
           at=ctx.now)
    if t.assignee is not None:
        await ctx.notify(t.assignee, f"工单 {t.code} 居民补充：{mask_phones(text)}", t)
    return f"已把这条补充到工单 {t.code}，并转告负责人。发送「查询 {t.code}」查看进度。"


async def supplement(ctx: Ctx, t: Ticket, text: str) -> str:
    """补充 CODE 内容: on a waiting ticket it answers the 追问 (the clock runs again)."""
    if t.status == "waiting":
        transition(ctx.session, t, "answer", actor_id=ctx.person.id, actor_role="reporter",
                   note=text, at=ctx.now)
        t.text = f"{t.text}\n补充：{text}"
        if ctx.state is not None and ctx.state.state == "answering":
            await ctx.clear_state()
        if t.assignee:
            by = msg.deadline_text(t.resolve_by, ctx.services)
            await ctx.notify(t.assignee, f"工单 {t.code} 居民回复：{mask_phones(text)}\n"
                             f"办理时限已顺延至 {by}。", t)
        return f"已把您的补充转告工作人员（工单 {t.code}），感谢配合。"
    return await append(ctx, t, text)


async def nudge(ctx: Ctx, t: Ticket) -> str:
    since = ctx.now - timedelta(days=1)
    earlier = (await ctx.session.scalars(select(TicketEvent.created_at).where(
        TicketEvent.ticket_id == t.id, TicketEvent.kind == "nudged"))).all()
    if any(at >= since for at in earlier):
        return (f"今天已经为您催办过工单 {t.code}，负责人已收到提醒，请再耐心等一等。"
                f"发送「查询 {t.code}」查看进度。")
    record(ctx.session, t, "nudged", actor_id=ctx.person.id, note=None, at=ctx.now)
    holder = t.assignee
    text = (f"【居民催办】工单 {t.code}（{msg.where(t)}）反映人催促处理，"
            f"时限 {msg.deadline_text(t.resolve_by, ctx.services)}。")
    told = []
    if holder is not None and await ctx.notify(holder, text, t):
        told.append(holder.name)
    overdue = t.resolve_by is not None and t.resolve_by < ctx.now
    if overdue and earlier:
        community = await ctx.session.get(Region, t.community_id) if t.community_id else None
        leader = await repo.slot_person(ctx.session, community, "leader") if community else None
        if leader is not None and leader.id != (holder.id if holder else None):
            await ctx.notify(leader, f"【超期催办】{text}该工单已超过办理时限，"
                             "居民再次催办，请督办。", t)
            told.append(leader.name)
    if not told:
        return f"已记录您的催办（工单 {t.code}），社区工作人员会尽快处理。"
    return f"已为您催办工单 {t.code}，已提醒{'、'.join(told)}。"

