"""The community desk: a request for a person (人工客服), consult questions, complaints about
staff, and staff answering a resident in words (`回复 CODE 内容`).

- 「人工客服」 opens a 求助 ticket on the triage list of the resident's community (from the bound
  address, else the district's desk); the resident is told who answers and by when. A second
  request while one is open makes no second ticket.
- A consult question (低保, 居住证…) goes to the same desk as 咨询, never asked for a building.
- A complaint naming a staff member (投诉, flagged by `subject_id`) goes to that person's leader:
  an officer's or liaison's community leader, a community leader's street leader. They neither
  hold it nor see it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.conversation.context import Ctx
from handlers.conversation.places import resolve
from handlers.conversation.router import Command, Router
from handlers.conversation.text import split_code
from handlers.ops import actions
from handlers.ops import messages as msg
from handlers.ops.reach import may_act
from handlers.ops.tickets import Placement, assign, create_ticket
from nlp.taxonomy import category_name
from storage import repo
from storage.models import Person, Region, Ticket
from storage.repo import triage_people
from storage.repos.tickets import of_resident, ticket_by_code
from storage.statemachine import OPEN_STATUSES, record

logger = logging.getLogger(__name__)
router = Router("desk")  # staff: 回复 CODE 内容

_COMPLAINT = re.compile(r"投诉|态度|不管|不来|没来|不作为|弄虚作假|不尊重|好处|找茬|换个人|"
                        r"敷衍|阴阳怪气|骂|拖了|跑了.{0,3}趟|说法都不一样|不表态|不负责|应付")
_PRAISE = re.compile(r"表扬|感谢|谢谢|点赞|很负责|认真负责|好评")
_SURNAME = re.compile(r"姓(.)的(?:网格员|社工|书记|工作人员)")


async def _home_community(ctx: Ctx, text: str) -> Region | None:
    """The community a message, the resident's bound address or their latest report points
    to (「转人工」 right after a report is for that report's community desk)."""
    for source in (text, ctx.person.home_address or ""):
        if not source:
            continue
        place, _ = await resolve(ctx.session, ctx.services.analyzer.analyze(source))
        if place.community is not None:
            return place.community
        if place.grid is not None:
            return await repo.community_of(ctx.session, place.grid)
    since = ctx.now - timedelta(days=7)
    for t in await of_resident(ctx.session, ctx.person.id, limit=3):
        if t.reporter_id == ctx.person.id and t.community_id and t.created_at >= since:
            return await ctx.session.get(Region, t.community_id)
    return None


async def _desk_ticket(ctx: Ctx, text: str, *, kind: str, category: str) -> tuple[Ticket,
                                                                                list[Person]]:
    analysis = ctx.services.analyzer.analyze(text)
    community = await _home_community(ctx, text)
    analysis = replace(analysis, category=category, category_name=category_name(category),
                       request_kind=kind, urgency="normal")
    t = await create_ticket(ctx.session, ctx.services, now=ctx.now, text=text, analysis=analysis,
                            reporter=ctx.person, source="resident",
                            place=Placement(None, community))
    return t, await triage_people(ctx.session, community)


async def open_desk_ticket(ctx: Ctx, kind: str) -> Ticket | None:
    since = ctx.now - timedelta(hours=24)
    for t in await repo_open_of(ctx, since):
        if t.request_kind == kind and t.category in ("other", "consult"):
            return t
    return None


async def repo_open_of(ctx: Ctx, since: datetime) -> list[Ticket]:
    return [t for t in await of_resident(ctx.session, ctx.person.id, limit=20)
            if t.status in OPEN_STATUSES and t.created_at >= since]


CALLBACK_HOURS = 24  # a request for a person this soon after a report is about that report


async def _report_just_made(ctx: Ctx) -> Ticket | None:
    """The resident's latest open report (not a desk ticket) of the last CALLBACK_HOURS."""
    for t in await of_resident(ctx.session, ctx.person.id, limit=3):
        if t.reporter_id == ctx.person.id and t.status in OPEN_STATUSES and \
                t.request_kind not in ("求助", "咨询") and \
                ctx.now - t.created_at <= timedelta(hours=CALLBACK_HOURS):
            return t
    return None


async def ask_for_person(ctx: Ctx, text: str, earlier: str | None = None) -> str:
    about = None if earlier else await _report_just_made(ctx)
    if about is not None:
        # 「能不能找个真人」 after her report: the desk's 求助 ticket names it, and the report's
        # history shows the request
        record(ctx.session, about, "callback", actor_id=ctx.person.id, note=text, at=ctx.now)
    open_one = await open_desk_ticket(ctx, "求助")
    if open_one is not None:
        return (f"已为您转人工（工单 {open_one.code}），社区工作人员会尽快回复您，请留意消息。"
                "有具体问题也可以直接发文字说明。")
    body = f"居民请求人工服务：{text}" + (f"\n此前反映：{earlier}" if earlier else "") + \
        (f"\n关于工单：{about.code}（{category_name(about.category)}，{msg.where(about)}）"
         if about is not None else "")
    t, desk = await _desk_ticket(ctx, body, kind="求助", category="other")
    names = "、".join(p.name for p in desk) or "社区工作人员"
    return (f"已为您转人工，工单号 {t.code}"
            f"{f'（关于您反映的 {about.code}）' if about is not None else ''}。"
            f"{names}会在{msg.deadline_text(t.respond_by, ctx.services)}"
            "通过这里回复您（工作时间内通常更快）。\n"
            "您也可以先把要办的事用文字写下来，工作人员看到后直接处理。")


async def consult(ctx: Ctx, text: str) -> str:
    t, desk = await _desk_ticket(ctx, text, kind="咨询", category="consult")
    names = "、".join(p.name for p in desk) or "社区工作人员"
    return (f"您的咨询已转社区服务窗口，工单号 {t.code}。{names}会在"
            f"{msg.deadline_text(t.respond_by, ctx.services)}答复您。\n"
            f"发送「查询 {t.code}」查看答复。")


async def staff_named_in(ctx: Ctx, text: str) -> Person | None:
    """The staff member a message is about: a full name, or 「姓钱的网格员」 when one officer
    has that surname."""
    people = await repo.staff_named(ctx.session, text)
    named = [p for p in people if len(p.name) >= 2 and p.name in text]
    if named:
        return max(named, key=lambda p: len(p.name))
    m = _SURNAME.search(text)
    if m:
        same = [p for p in people if p.name.startswith(m.group(1)) and p.has_role("officer")]
        if len(same) == 1:
            return same[0]
    return None


async def leader_of(ctx: Ctx, subject: Person) -> Person | None:
    """Who a complaint about `subject` goes to: the leader of the community they work in, or of
    the street when they lead the community; never themselves."""
    for region in await repo.regions_with(ctx.session, subject.id):
        level = region
        while level is not None:
            leader = await repo.slot_person(ctx.session, level, "leader")
            if leader is not None and leader.id != subject.id:
                return leader
            level = await ctx.session.get(Region, level.parent_id) if level.parent_id else None
    return None


async def about_staff(ctx: Ctx, text: str) -> str | None:
    """A complaint (or praise) about a named staff member, else None."""
    subject = await staff_named_in(ctx, text)
    if subject is None:
        return None
    praise = bool(_PRAISE.search(text)) and not _COMPLAINT.search(text.replace("投诉", ""))
    if not praise and not _COMPLAINT.search(text):
        return None
    leader = await leader_of(ctx, subject)
    analysis = ctx.services.analyzer.analyze(text)
    kind = "表扬" if praise else "投诉"
    analysis = replace(analysis, category="other", category_name=category_name("other"),
                       request_kind=kind, urgency="normal")
    t = await create_ticket(ctx.session, ctx.services, now=ctx.now, text=text, analysis=analysis,
                            reporter=ctx.person, source="resident", place=Placement(None, None),
                            route_to_desk=False)
    if not praise:
        t.subject_id = subject.id
    if leader is not None:
        await assign(ctx.session, ctx.services, t, leader, now=ctx.now, actor_id=None,
                     action="assign",
                     note=f"{'表扬' if praise else '反映工作人员'}，交 {leader.name}")
    if praise:
        return f"感谢您的表扬，我们会转达给{subject.name}和社区领导！工单号 {t.code}。"
    return (f"已收到您对工作人员的意见，工单号 {t.code}，已直接交"
            f"{leader.name if leader else '上级领导'}处理，不会转给被反映人。"
            f"处理结果会通知您，发送「查询 {t.code}」查看。")


async def may_see(session: AsyncSession, person: Person, t: Ticket) -> bool:
    """Staff see a ticket they hold, or one in the area they triage
    (`handlers.ops.reach`); never one about themselves."""
    if t.subject_id == person.id:
        return False
    return await may_act(session, person, t)


@router.on(Command("回复", "答复"))
async def reply_to_resident(ctx: Ctx, args: str) -> str:
    code, words = split_code(args)
    if code is None or not words:
        return "请发送「回复 工单号 内容」，内容会直接发给反映的居民。"
    t = await ticket_by_code(ctx.session, code)
    if t is None or not await may_see(ctx.session, ctx.person, t):
        return f"没有找到您可以回复的工单 {code}。"
    reporter = await ctx.session.get(Person, t.reporter_id) if t.reporter_id else None
    if reporter is None:
        return f"工单 {t.code} 没有可联系的反映人。"
    reached = await actions.reply(ctx.session, t, words, ctx.actor(), now=ctx.now)
    if not reached:
        return f"工单 {t.code} 的反映人无法通过公众号联系，回复已记入工单。"
    return f"已把回复发给工单 {t.code} 的居民，并记入工单记录。"
