"""The resident's router: reports, queries, cancelling, rating, binding an address."""

from __future__ import annotations

import logging
from typing import Any

from handlers.conversation import intake, pieces
from handlers.conversation import rating as rating_ops
from handlers.conversation.binding import bind_officer
from handlers.conversation.context import Ctx
from handlers.conversation.meaning import bare
from handlers.conversation.places import resolve
from handlers.conversation.router import (
    Click,
    Command,
    Event,
    NotHandled,
    Router,
    State,
    Text,
)
from handlers.conversation.states import DRAFTS, Conv
from handlers.conversation.text import parse_rating, split_code
from handlers.conversation.views import detail_text, follower_text
from handlers.ops import followers, privacy
from handlers.ops import messages as msg
from handlers.ops.notices import followers_of
from handlers.ops.privacy import mask_phones
from storage import repo
from storage.repos import tickets
from storage.repos.tickets import ticket_by_code
from storage.statemachine import FINAL_STATUSES, OPEN_STATUSES, STATUS_NAMES, transition

logger = logging.getLogger(__name__)
router = Router("resident")

OFFICER_WORDS = ("接单", "进度", "办结", "转办", "退回", "追问", "改类", "合并", "我的工单",
                 "核实", "驳回", "通过", "拒绝", "兑换", "派单", "改派", "回复")


def BindScene() -> Any:
    """A QR scene `bind_<code>`: a subscribe's EventKey comes as `qrscene_bind_…` (the gateway
    strips the prefix, as wechatpy does), a SCAN's never had it."""
    def f(ctx: Ctx) -> dict[str, str] | None:
        key = (ctx.update.event_key or "").strip().removeprefix("qrscene_")
        return {"code": key[5:]} if key.startswith("bind_") and key[5:] else None

    return f


@router.on(Event("subscribe", "SCAN"), BindScene())
async def scan_bind(ctx: Ctx, code: str) -> str:
    return await bind_officer(ctx, code)


@router.on(Event("subscribe"))
async def subscribe(ctx: Ctx) -> str:
    return msg.WELCOME


@router.on(Event("unsubscribe"))
async def unsubscribe(ctx: Ctx) -> None:
    """Personal data goes; tickets stay, anonymised, so statistics survive."""
    await privacy.erase(ctx.session, ctx.person, ctx.identity)
    ctx.state = None
    return None


@router.on(Click("GUIDE"))
@router.on(Command("帮助", "help", "?", "？", "菜单", "使用说明"))
async def help_(ctx: Ctx, **_: Any) -> str:
    return msg.resident_help(await repo.example_place(ctx.session))


@router.on(Click("REPORT"))
async def click_report(ctx: Ctx) -> str:
    example = await repo.example_place(ctx.session) or msg.EXAMPLE_PLACE
    return f"请直接发文字描述问题，写清小区、楼号和具体位置，例如「{example}2单元楼道灯不亮」。"


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
    t = await ticket_by_code(ctx.session, code)
    if t is not None and t.reporter_id == ctx.person.id:
        return await detail_text(ctx, t)
    if t is not None and await followers.is_follower(ctx.session, t, ctx.person):
        return follower_text(t)  # another resident's report: not their words or door
    return f"没有找到您提交的工单 {code}。发送「查询」查看您的全部工单。"


def _draft_line(ctx: Ctx) -> str | None:
    """A report still waiting for the resident's answer (where, which category, 附议 or new):
    not a ticket yet, so 查询 says so and repeats the question (trial 12: «查询» while we
    waited for the place answered «您还没有反映过问题»)."""
    if ctx.state is None or ctx.state.state not in DRAFTS:
        return None
    data = ctx.state.data or {}
    words = str(data.get("text") or "").strip()
    what = f"「{msg.short(words, 20)}」" if words else "的问题"
    ask = data.get("prompt") if ctx.state.state != Conv.AWAITING_LOCATION else None
    ask = ask or "请告诉我具体位置：哪个小区、几号楼？也可以直接发送位置"
    return f"您刚才反映{what}还没有登记成工单，还差一步：{ask}。"


async def my_tickets(ctx: Ctx) -> str:
    rows = await tickets.of_resident(ctx.session, ctx.person.id)
    draft = _draft_line(ctx)
    if not rows:
        return draft or "您还没有反映过问题。直接发文字描述问题和位置即可。"
    followed_mark = {t.id: "（附议）" for t in rows if t.reporter_id != ctx.person.id}
    lines = ["您最近的反映："] + [msg.ticket_line(t) + followed_mark.get(t.id, "") for t in rows]
    lines.append("发送「查询 工单号」查看详细进度。")
    if draft:
        lines.append(draft)
    return "\n".join(lines)


@router.on(Command("撤销", "撤回", "取消"))
async def cancel(ctx: Ctx, args: str) -> str:
    if not args.strip() and ctx.state is not None and ctx.state.state in DRAFTS:
        await ctx.clear_state()  # 「取消」 while we ask where: the draft, not a ticket
        return "好的，这次反映已取消。以后有需要，随时发消息告诉我们。"
    code, reason = split_code(args)
    if code is None:
        return "请发送「撤销 工单号」，工单号可发送「查询」查看。"
    t = await ticket_by_code(ctx.session, code)
    if t is None or t.reporter_id != ctx.person.id:
        return f"没有找到您提交的工单 {code}。"
    if refusal := ctx.step(t, "cancel", "reporter", note=reason or "居民撤销"):
        return refusal
    if t.assignee:
        await ctx.notify(t.assignee, f"工单 {t.code} 已被反映人撤销，无需继续处理。", t)
    for p in await followers_of(ctx.session, t):
        await ctx.notify(p, f"您附议的工单 {t.code} 已被反映人撤销。如问题仍在，请重新反映。", t)
    return f"工单 {t.code} 已撤销。如有新问题，随时发文字告诉我们。"


@router.on(Command("评价"))
async def rate_cmd(ctx: Ctx, args: str) -> str:
    code, rest = split_code(args)
    if code is not None and not rest and code[-1] in "1234" \
            and await ticket_by_code(ctx.session, code) is None:
        code, rest = code[:-1], code[-1]  # 评价GD20261202-00013: the rating ran into the code
    value = parse_rating(rest) if rest else None
    if code is not None and value is None and bare(rest).isdigit():
        return (f"评分只能是 1–4 的数字（{msg.RATING_SCALE}），"
                f"请重新发送，例如「评价 {code} 2」。")
    if code is None or value is None:
        return f"请发送「评价 工单号 数字」评价处理结果（{msg.RATING_SCALE}）。"
    t = await ticket_by_code(ctx.session, code)
    if t is None or t.reporter_id != ctx.person.id:
        return f"没有找到您提交的工单 {code}。"
    return await rating_ops.rate(ctx, t, value)


@router.on(Command("绑定"))
async def bind(ctx: Ctx, args: str) -> str:
    if args.isdigit() and len(args) == 6:  # an officer binding with their 6-digit code
        return await bind_officer(ctx, args)
    if not args:
        example = await repo.example_place(ctx.session) or msg.EXAMPLE_PLACE
        return f"请发送「绑定 地址」设置常住地址，例如「绑定 {example}2单元」。"
    ctx.person.home_address = args
    place, _ = await resolve(ctx.session, ctx.services.analyzer.analyze(args))
    where = place.grid.name if place.grid else (place.community.name if place.community else None)
    tail = f"（属于{where}）" if where else "（暂未匹配到网格，反映问题时请写明小区和楼号）"
    return f"已记住您的地址：{args}{tail}。以后反映问题没写位置时，按这个地址派单。"


@router.on(Command(*OFFICER_WORDS))
async def officer_words(ctx: Ctx, args: str) -> str:
    return msg.NOT_FOR_RESIDENTS


@router.on(Command("补充"))
async def supplement(ctx: Ctx, args: str) -> str:
    code, words = split_code(args)
    if code is None or not words:
        return "请发送「补充 工单号 内容」，例如「补充 GD20261202-0001 就在2单元门口」。"
    t = await ticket_by_code(ctx.session, code)
    if t is None or t.reporter_id != ctx.person.id:
        return f"没有找到您提交的工单 {code}。发送「查询」查看您的全部工单。"
    if t.status in FINAL_STATUSES:
        return f"工单 {t.code} 已结束，如问题仍在，请直接重新反映。"
    return await pieces.supplement(ctx, t, words)


@router.on(Command("催办", "催一下", "催促"))
async def nudge(ctx: Ctx, args: str) -> str:
    code, rest = split_code(args)
    if code is None and not rest:  # 「催一下」 alone: the latest report still being handled
        reply = await pieces.nudge_latest(ctx)
        return reply or "您目前没有正在办理的工单。有问题请直接发文字描述问题和位置。"
    t = await ticket_by_code(ctx.session, code) if code else None
    if t is None or t.reporter_id != ctx.person.id:
        return "请发送「催办 工单号」，工单号可发送「查询」查看。"
    if t.status not in OPEN_STATUSES:
        return f"工单 {t.code} 当前为「{STATUS_NAMES.get(t.status, t.status)}」，无需催办。"
    return await pieces.nudge(ctx, t)


@router.on(State(Conv.ANSWERING), Text())
async def answer(ctx: Ctx, state_data: dict[str, Any]) -> str:
    """The officer asked (追问); this message is the answer and the clock runs again."""
    t = await ticket_by_code(ctx.session, state_data["code"])
    await ctx.clear_state()
    if t is None or t.status != "waiting" or t.reporter_id != ctx.person.id:
        raise NotHandled
    transition(ctx.session, t, "answer", actor_id=ctx.person.id, actor_role="reporter",
               note=ctx.text, at=ctx.now)
    if t.assignee:
        await ctx.notify(t.assignee, f"工单 {t.code} 居民回复：{mask_phones(ctx.text)}\n"
                         f"办理时限已顺延至 {msg.deadline_text(t.resolve_by, ctx.services)}。", t)
    return f"已把您的补充转告工作人员（工单 {t.code}），感谢配合。"


@router.on(Text())
async def free_text(ctx: Ctx) -> str:
    intent = ctx.services.analyzer.analyze(ctx.text).intent
    if intent == "help":
        return msg.resident_help(await repo.example_place(ctx.session))
    if intent == "query" and not ctx.state:
        return await my_tickets(ctx)
    return await intake.handle(ctx)


@router.on()
async def fallback(ctx: Ctx) -> str:
    return "抱歉，这条消息我们暂时无法处理。请用文字描述问题和位置；发送「帮助」查看用法。"

