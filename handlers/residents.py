"""The resident's router: reports, queries, cancelling, rating, binding an address."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from handlers import messages as msg
from handlers import rating as rating_ops
from handlers.context import Ctx
from handlers.router import (
    Click,
    Command,
    Event,
    MsgType,
    NotHandled,
    Rating,
    Router,
    State,
    Text,
)
from handlers.text import mask_phones, split_code
from handlers.tickets import Placement, create_ticket, find_ticket, place_for
from storage.clock import local_text
from storage.models import Person, Ticket, TicketEvent
from storage.statemachine import FINAL_STATUSES, TransitionError, transition

logger = logging.getLogger(__name__)
router = Router("resident")

OFFICER_WORDS = ("接单", "进度", "办结", "转办", "退回", "追问", "改类", "合并", "我的工单",
                 "核实", "驳回", "通过", "拒绝", "兑换", "派单", "改派")


@router.on(Event("subscribe"))
async def subscribe(ctx: Ctx) -> str:
    return msg.WELCOME


@router.on(Event("unsubscribe"))
async def unsubscribe(ctx: Ctx) -> None:
    """Personal data goes; tickets stay, anonymised, so statistics survive."""
    p = ctx.person
    p.name, p.phone, p.home_address = "", None, None
    await ctx.clear_state()
    await ctx.session.delete(ctx.identity)
    logger.info("erased personal data of %s on unsubscribe", p.id)
    return None


@router.on(Click("GUIDE"))
@router.on(Command("帮助", "help", "?", "？", "菜单", "使用说明"))
async def help_(ctx: Ctx, **_: Any) -> str:
    return msg.RESIDENT_HELP


@router.on(Click("REPORT"))
async def click_report(ctx: Ctx) -> str:
    return "请直接发文字描述问题，写清小区、楼号和具体位置，例如「幸福花园3号楼2单元楼道灯不亮」。"


@router.on(Click("MY_TICKETS"))
async def click_mine(ctx: Ctx) -> str:
    return await my_tickets(ctx)


@router.on(Event("LOCATION", "VIEW", "SCAN", "TEMPLATESENDJOBFINISH"))
async def silent_event(ctx: Ctx) -> None:
    return None  # a LOCATION event cannot be answered; the others need no answer


@router.on(Command("查询", "进度查询"))
async def query(ctx: Ctx, args: str) -> str:
    if not args:
        return await my_tickets(ctx)
    code, _ = split_code(args)
    if code is None:
        return "请发送「查询」查看全部，或「查询 工单号」，工单号形如 GD20261122-0007。"
    t = await find_ticket(ctx.session, code)
    if t is None or t.reporter_id != ctx.person.id:
        return f"没有找到您提交的工单 {code}。发送「查询」查看您的全部工单。"
    return await ticket_detail(ctx, t)


async def my_tickets(ctx: Ctx) -> str:
    rows = (await ctx.session.scalars(
        select(Ticket).where(Ticket.reporter_id == ctx.person.id)
        .order_by(Ticket.id.desc()).limit(10))).all()
    if not rows:
        return "您还没有反映过问题。直接发文字描述问题和位置即可。"
    lines = ["您最近的反映："] + [msg.ticket_line(t) for t in rows]
    lines.append("发送「查询 工单号」查看详细进度。")
    return "\n".join(lines)


async def ticket_detail(ctx: Ctx, t: Ticket) -> str:
    events = (await ctx.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id))).all()
    staff_ids = {e.actor_id for e in events if e.actor_id and e.actor_id != t.reporter_id}
    names = {}
    for pid in staff_ids:
        p = await ctx.session.get(Person, pid)
        if p is not None:
            names[pid] = p.name
    lines = [msg.ticket_line(t), f"位置：{msg.where(t)}"]
    if t.assignee:
        lines.append(f"负责：{t.assignee.name}")
    lines += [msg.history_line(e, names) for e in events]
    if t.status == "resolved":
        lines.append(f"请评价：回复「评价 {t.code} 数字」，{msg.RATING_PROMPT[8:]}")
    elif t.status not in FINAL_STATUSES:
        lines.append(f"如已无需处理，可发送「撤销 {t.code}」。")
    return "\n".join(lines)


@router.on(Command("撤销", "撤回", "取消"))
async def cancel(ctx: Ctx, args: str) -> str:
    code, reason = split_code(args)
    if code is None:
        return "请发送「撤销 工单号」，工单号可发送「查询」查看。"
    t = await find_ticket(ctx.session, code)
    if t is None or t.reporter_id != ctx.person.id:
        return f"没有找到您提交的工单 {code}。"
    try:
        transition(ctx.session, t, "cancel", actor_id=ctx.person.id, actor_role="reporter",
                   note=reason or "居民撤销", at=ctx.now)
    except TransitionError as e:
        return str(e)
    if t.assignee:
        await ctx.notify(t.assignee, f"工单 {t.code} 已被反映人撤销，无需继续处理。", t)
    return f"工单 {t.code} 已撤销。如有新问题，随时发文字告诉我们。"


@router.on(Command("评价"))
async def rate_cmd(ctx: Ctx, args: str) -> str:
    code, rest = split_code(args)
    from handlers.text import parse_rating

    value = parse_rating(rest) if rest else None
    if code is None or value is None:
        return "请发送「评价 工单号 数字」，" + msg.RATING_PROMPT[2:]
    t = await find_ticket(ctx.session, code)
    if t is None or t.reporter_id != ctx.person.id:
        return f"没有找到您提交的工单 {code}。"
    return await rating_ops.rate(ctx, t, value)


@router.on(Command("绑定"))
async def bind(ctx: Ctx, args: str) -> str:
    from handlers.officers import bind_officer  # an officer binding with their 6-digit code

    if args.isdigit() and len(args) == 6:
        return await bind_officer(ctx, args)
    if not args:
        return "请发送「绑定 地址」设置常住地址，例如「绑定 幸福花园3号楼2单元」。"
    ctx.person.home_address = args
    analysis = ctx.services.analyzer.analyze(args)
    place = await place_for(ctx.session, analysis)
    where = place.grid.name if place.grid else (place.community.name if place.community else None)
    tail = f"（属于{where}）" if where else "（暂未匹配到网格，反映问题时请写明小区和楼号）"
    return f"已记住您的地址：{args}{tail}。以后反映问题没写位置时，按这个地址派单。"


@router.on(Command(*OFFICER_WORDS))
async def officer_words(ctx: Ctx, args: str) -> str:
    return msg.NOT_FOR_RESIDENTS


@router.on(State("awaiting_rating"), Rating())
async def rate_prompt(ctx: Ctx, state_data: dict[str, Any], rating: int) -> str:
    t = await find_ticket(ctx.session, state_data["code"])
    await ctx.clear_state()
    if t is None:
        return "没有找到要评价的工单。"
    return await rating_ops.rate(ctx, t, rating)


@router.on(State("answering"), Text())
async def answer(ctx: Ctx, state_data: dict[str, Any]) -> str:
    """The officer asked (追问); this message is the answer and the clock runs again."""
    t = await find_ticket(ctx.session, state_data["code"])
    await ctx.clear_state()
    if t is None or t.status != "waiting" or t.reporter_id != ctx.person.id:
        raise NotHandled
    transition(ctx.session, t, "answer", actor_id=ctx.person.id, actor_role="reporter",
               note=ctx.text, at=ctx.now)
    if t.waiting_since is not None:
        paused = ctx.now - t.waiting_since
        t.respond_by = t.respond_by + paused if t.respond_by else None
        t.resolve_by = t.resolve_by + paused if t.resolve_by else None
        t.waiting_since = None
    if t.assignee:
        await ctx.notify(t.assignee, f"工单 {t.code} 居民回复：{mask_phones(ctx.text)}\n"
                         f"办理时限已顺延，现为 {local_text(t.resolve_by)}。", t)
    return f"已把您的补充转告工作人员（工单 {t.code}），感谢配合。"


@router.on(State("awaiting_location"), Text())
async def location_answer(ctx: Ctx, state_data: dict[str, Any]) -> str:
    """The draft waited for a place; this answer (or the triage desk) completes it."""
    await ctx.clear_state()
    draft_text = state_data["text"]
    combined = f"{ctx.text} {draft_text}"
    analysis = ctx.services.analyzer.analyze(combined)
    original = ctx.services.analyzer.analyze(draft_text)
    place = await place_for(ctx.session, analysis)
    analysis = _with_location(original, analysis)
    ticket = await create_ticket(ctx.session, ctx.services, now=ctx.now, text=draft_text,
                                 analysis=analysis, reporter=ctx.person, source=_source(ctx),
                                 place=place, extra_place=None if place.grid else ctx.text)
    return msg.accepted_reply(ticket, ctx.services)


def _with_location(original: Any, located: Any) -> Any:
    from dataclasses import replace

    return replace(original, location=located.location)


def _source(ctx: Ctx) -> str:
    if ctx.person.has_role("correspondent"):
        return "correspondent"
    if ctx.person.has_role("officer"):
        return "officer"
    return "resident"


@router.on(Rating())
async def bare_rating(ctx: Ctx, rating: int) -> str:
    """A rating with no prompt open: rate the latest resolved ticket, if there is one."""
    t = await ctx.session.scalar(
        select(Ticket).where(Ticket.reporter_id == ctx.person.id, Ticket.status == "resolved")
        .order_by(Ticket.resolved_at.desc()).limit(1))
    if t is None:
        return "您目前没有待评价的工单。反映问题请直接发文字描述；发送「帮助」查看用法。"
    return await rating_ops.rate(ctx, t, rating)


@router.on(Text())
async def report(ctx: Ctx) -> str:
    analysis = ctx.services.analyzer.analyze(ctx.text)
    if analysis.intent == "thanks":
        return "不客气，感谢您对社区工作的支持！有新问题随时告诉我们。"
    if analysis.intent == "greeting":
        return "您好！请直接发文字描述您遇到的问题和位置（小区、楼号）。发送「帮助」查看用法。"
    if analysis.intent == "help":
        return msg.RESIDENT_HELP
    if analysis.intent == "query":
        return await my_tickets(ctx)
    place = await place_for(ctx.session, analysis)
    if place.grid is None and ctx.person.home_address:
        home = ctx.services.analyzer.analyze(ctx.person.home_address)
        home_place = await place_for(ctx.session, home)
        if place.community is None or place.community == home_place.community:
            place = Placement(home_place.grid or place.grid,
                              home_place.community or place.community)
            if not analysis.location.community:
                analysis = _with_location(analysis, home)
    if place.grid is None and analysis.urgency != "urgent":  # urgent work never waits on a
        await ctx.set_state("awaiting_location", {"text": ctx.text},
                            ctx.settings.conversation.draft_minutes)
        return msg.ASK_LOCATION
    ticket = await create_ticket(ctx.session, ctx.services, now=ctx.now, text=ctx.text,
                                 analysis=analysis, reporter=ctx.person, source=_source(ctx),
                                 place=place)
    return msg.accepted_reply(ticket, ctx.services)


@router.on(MsgType("image", "voice", "video", "shortvideo", "location", "link", "file"))
async def other_media(ctx: Ctx) -> str:
    if ctx.update.type == "voice" and ctx.text:
        ctx.update.type = "text"
        return await report(ctx)
    return "已收到。请用文字描述问题和位置（小区、楼号），以便派给负责的网格员。"


@router.on()
async def fallback(ctx: Ctx) -> str:
    return "抱歉，这条消息我们暂时无法处理。请用文字描述问题和位置；发送「帮助」查看用法。"

