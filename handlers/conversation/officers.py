"""The grid officer's router (WeCom, or the Official Account once bound), plus triage words."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from handlers.conversation import drafts
from handlers.conversation.context import Ctx
from handlers.conversation.router import Command, NotHandled, Router, State
from handlers.conversation.states import Conv
from handlers.conversation.steps import code_by_ending, holder_step
from handlers.conversation.text import CODE_RE, normalize, split_code
from handlers.conversation.views import detail_text
from handlers.ops import messages as msg
from handlers.ops import points
from handlers.ops.actions import HANDLER_ROLES, ActionError, dispatch
from handlers.ops.notices import tell_reporters
from handlers.ops.privacy import mask_phones
from handlers.ops.reach import holds, may_act, reach
from handlers.ops.roles import TRIAGE_ROLES
from handlers.ops.words import did_you_mean, malformed_code, not_found
from nlp.taxonomy import category_name
from storage import stats
from storage.clock import to_local
from storage.models import Person, Region, Ticket
from storage.repo import triage_people
from storage.repos import tickets
from storage.repos.conversations import set_state
from storage.repos.people import identities_of, staff_matching
from storage.repos.tickets import ticket_by_code
from storage.statemachine import OPEN_STATUSES, TransitionError

logger = logging.getLogger(__name__)
router = Router("officer")
fallback_router = Router("officer-fallback")  # after every staff router (see dispatcher)


def _help(ctx: Ctx) -> str:
    text = msg.OFFICER_HELP
    if ctx.person.has_role(*TRIAGE_ROLES):
        text += msg.STAFF_HELP
    return text


@router.on(State(Conv.CHOOSING), lambda ctx: ctx.update.type == "text"
           and ctx.text.strip().isdigit())
async def choose(ctx: Ctx, state_data: dict) -> str:
    """The digit answering a numbered choice (which ticket, which person): the command is
    replayed with the chosen words."""
    options = list(state_data.get("args") or [])
    n = int(ctx.text.strip())
    if not 1 <= n <= len(options):
        return f"请回复 1–{len(options)} 之间的序号。"
    await ctx.clear_state()
    return await CHOICES[state_data.get("verb", "")](ctx, options[n - 1])


@router.on(Command("帮助", "help", "?", "？"))
async def help_(ctx: Ctx, args: str) -> str:
    return _help(ctx)


@router.on(Command("我的工单", "待办"))
async def mine(ctx: Ctx, args: str) -> str:
    rows = await tickets.assigned_to(ctx.session, ctx.person.id)
    if not rows:
        return "您目前没有待办工单。"
    lines = [f"您有 {len(rows)} 件工单："]
    for t in rows[:20]:
        overdue = "，已超时" if t.resolve_by and t.resolve_by < ctx.now else ""
        lines.append(f"{msg.ticket_line(t)}（{msg.deadline_text(t.resolve_by, ctx.services)}"
                     f"办结{overdue}）")
    if len(rows) > 20:
        lines.append(f"……另有 {len(rows) - 20} 件")
    lines.append("发送「工单 工单号」查看详情。")
    return "\n".join(lines)


@router.on(Command("工单", "查询"))
async def show(ctx: Ctx, args: str) -> str:
    code, _ = split_code(args)
    if code is None:
        if ctx.update.channel == "mp":
            raise NotHandled  # a bound officer typing 查询 as a resident
        if bad := malformed_code(args):
            return not_found(bad, await tickets.assigned_to(ctx.session, ctx.person.id))
        return "请发送「工单 工单号」，例如「工单 GD20261122-0007」。"
    t = await ticket_by_code(ctx.session, code)
    if t is None:
        return not_found(code, await tickets.assigned_to(ctx.session, ctx.person.id))
    if not await may_act(ctx.session, ctx.person, t):
        if ctx.update.channel == "mp":
            raise NotHandled
        return f"工单 {code} 不是您负责的。"
    # the people handling it may call the resident back; anyone else sees the number masked
    words = t.text if holds(ctx.person, t) else mask_phones(t.text)
    return "\n".join([await detail_text(ctx, t), f"内容：{words}"])


async def reporter_of(ctx: Ctx, t: Ticket) -> Person | None:
    return await ctx.session.get(Person, t.reporter_id) if t.reporter_id else None


_SHORT_CODE = re.compile(r"(?<![\d-])\d{4,}(?!\d)")


def codes_in(args: str) -> list[str]:
    """「GD20261203-0025,0047,0050」 → the three codes: a bare number after a full code is
    a code of the same day. In the order written, each once."""
    text = normalize(args)
    codes: list[str] = []
    for m in CODE_RE.finditer(text):
        codes.append(m.group(0).upper())
        prefix = codes[-1].rsplit("-", 1)[0]
        end = CODE_RE.search(text, m.end())
        tail = text[m.end():end.start() if end else len(text)]
        codes += [f"{prefix}-{n.group(0)}" for n in _SHORT_CODE.finditer(tail)]
    return list(dict.fromkeys(codes))


@router.on(Command("接单"), lambda ctx: len(codes_in(ctx.text)) > 1)
async def accept_several(ctx: Ctx, args: str) -> str:
    """「接单GD…0025,0047,0050」: every ticket named is accepted (or told why not), not the first
    alone: an urgent one left unaccepted escalates."""
    return "\n\n".join([await accept(ctx, code) for code in codes_in(args)])


@router.on(Command("接单"))
@holder_step("接单", "accept", need_note=False, implicit=True)
async def accept(ctx: Ctx, t: Ticket, note: str) -> str:
    await tell_reporters(ctx.session, t, f"您反映的问题（{t.code}）已由{ctx.person.name}接单，"
                         "正在处理。", at=ctx.now)
    return (f"已接单 {t.code}，请于 {msg.deadline_text(t.resolve_by, ctx.services)}办结。"
            f"回复「进度 {t.code} 说明」更新进展，「办结 {t.code} 结果」办结。")


@router.on(Command("进度"))
@holder_step("进度", "progress", need_note=True, implicit=True)
async def progress(ctx: Ctx, t: Ticket, note: str) -> str:
    evidence = await drafts.attach_evidence(ctx, t)  # issue 5: photos sent just before
    await tell_reporters(ctx.session, t, f"您反映的问题（{t.code}）有新进展：{note}", at=ctx.now)
    return f"已记录 {t.code} 的进展{evidence}并告知居民。办结后回复「办结 {t.code} 结果」。"


@router.on(Command("办结"))
@holder_step("办结", "resolve", need_note=True, implicit=True)
async def resolve(ctx: Ctx, t: Ticket, note: str) -> str:
    t.resolution = note
    reporter = await reporter_of(ctx, t)
    # correspondents (issue 5): a correspondent's resolved report earns points, once
    bonus = await points.credit_resolved(ctx.session, ctx.settings, t, reporter, ctx.now)
    evidence = await drafts.attach_evidence(ctx, t)  # issue 5: photos sent just before
    # followers hear the result too; only the reporter rates (and earns the points)
    await tell_reporters(ctx.session, t, f"您反映的问题（{t.code}）已办结：{note}", at=ctx.now,
                         reporter_suffix=f"{bonus}\n{msg.RATING_PROMPT}")
    if reporter is not None:
        ident = (await identities_of(ctx.session, reporter)).get("mp")
        if ident is not None:
            await set_state(ctx.session, "mp", ident.external_id, Conv.AWAITING_RATING,
                            {"code": t.code}, ctx.now + timedelta(
                                days=ctx.settings.conversation.rating_days))
    if t.owner_id and t.owner_id != ctx.person.id:
        await ctx.notify(await ctx.session.get(Person, t.owner_id),
                         f"工单 {t.code} 已由{ctx.person.name}办结：{note}", t)
    return f"已办结 {t.code}{evidence}，已请居民评价。"


@router.on(Command("退回"))
@holder_step("退回", need_note=True)
async def send_back(ctx: Ctx, t: Ticket, note: str) -> str:
    if t.owner_id and t.owner_id != ctx.person.id:
        return await _hand_back(ctx, t, note)
    if refusal := ctx.step(t, "return", "assignee", note=note):
        return refusal
    t.assignee_id, t.assignee = None, None
    community = await ctx.session.get(Region, t.community_id) if t.community_id else None
    people = await triage_people(ctx.session, community)
    for p in people:
        await ctx.notify(p, f"【退回】{ctx.person.name} 退回工单，原因：{note}\n"
                         + msg.triage_notice(t), t)
    await tell_reporters(ctx.session, t, f"您反映的问题（{t.code}）正在重新分派给合适的工作人员，"
                         "请耐心等待。", at=ctx.now)
    names = "、".join(p.name for p in people) or "社区"
    return f"已退回 {t.code}，交{names}重新分派。"


async def _hand_back(ctx: Ctx, t: Ticket, note: str) -> str:
    """A department sends a transferred ticket back to the grid officer who sent it."""
    owner = await ctx.session.get(Person, t.owner_id)
    if refusal := ctx.step(t, "hand_back", "assignee", note=note):
        return refusal
    t.assignee_id, t.assignee = t.owner_id, owner
    await ctx.notify(owner, f"【转办退回】{ctx.person.name} 退回工单 {t.code}：{note}\n"
                     f"请继续处理，回复「进度 {t.code} 说明」或「办结 {t.code} 结果」。", t)
    return f"已将 {t.code} 退回网格员{owner.name if owner else ''}。"


@router.on(Command("派单", "改派"))
async def dispatch_to(ctx: Ctx, args: str) -> str:
    if not ctx.person.has_role(*TRIAGE_ROLES):
        return "只有社区分拨人员和领导可以派单。"
    code, target = await code_by_ending(
        ctx, args, lambda t: may_act(ctx.session, ctx.person, t, holder=False))
    if code is None and (bad := malformed_code(args)):
        return not_found(bad, [])
    if code is None or not target:
        return "请发送「派单 工单号 姓名」，姓名也可以写企业微信账号。"
    t = await ticket_by_code(ctx.session, code)
    if t is None:
        return not_found(code, [])
    if not await may_act(ctx.session, ctx.person, t, holder=False):
        return f"工单 {t.code} 不在您负责的区域，不能派单。"
    people = await staff_matching(ctx.session, target.split()[0], HANDLER_ROLES)
    if not people:
        return f"没有找到工作人员「{target}」，请写全名或企业微信账号。"
    if len(people) > 1:
        shown = people[:9]
        await ctx.set_state(Conv.CHOOSING, {"verb": "派单",
                                            "args": [f"{t.code} {p.id}" for p in shown]}, 30)
        return "\n".join([f"「{target}」对应多位工作人员，请回复序号选择："]
                         + [f"{i}. {p.name}（{p.id}）" for i, p in enumerate(shown, 1)])
    try:
        person = await dispatch(ctx.session, ctx.services, t, people[0].id, ctx.actor(),
                                now=ctx.now)
    except (ActionError, TransitionError) as e:
        return str(e)
    return f"已将 {t.code}（{category_name(t.category)}）派给 {person.name}。"


CHOICES = {"接单": accept, "进度": progress, "办结": resolve, "派单": dispatch_to}


@fallback_router.on()
async def unknown(ctx: Ctx) -> str:
    if ctx.update.channel == "mp":
        raise NotHandled  # a bound officer may also report as a resident
    if ctx.update.type == "event":
        return ""
    text = normalize(ctx.text) if ctx.update.type == "text" else ""
    if guess := did_you_mean(text):
        return guess  # one character off a command: not the whole help
    if guess := _verb_last(text):
        return guess
    # a phone screen, not the 15-line help (trial 12: «收到 马上去» got it all): the officer's
    # likely next step first, then the few commands used every day
    lines = ["没看懂这条指令。"]
    waiting = [t for t in await tickets.assigned_to(ctx.session, ctx.person.id)
               if t.status == "assigned"]
    if len(waiting) == 1:
        lines.append(f"如果是要接单 {msg.ticket_line(waiting[0])}，请回复「接单」。")
    elif waiting:
        lines.append(f"您有 {len(waiting)} 件待接单，回复「接单」后选择序号。")
    lines += ["常用：接单 工单号｜进度 工单号 说明｜办结 工单号 处理结果｜我的工单",
              "发送「帮助」查看全部指令。"]
    return "\n".join(lines)


_VERBS = ("接单", "办结", "进度", "退回", "工单")
# 「25接单」「GD20261203-0025 接单」: the code written before the verb
_VERB_LAST = re.compile(r"^((?:GD\d{8}-)?\d{1,4})\s*(" + "|".join(_VERBS) + r")\s*(.*)$",
                        re.IGNORECASE)


def _verb_last(text: str) -> str | None:
    m = _VERB_LAST.match(text.strip())
    if m is None:
        return None
    code, verb, rest = m.group(1).upper(), m.group(2), m.group(3).strip()
    shown = f"{verb} {code}" + (f" {rest[:40]}" if rest else "")
    return f"您是想发送「{shown}」吗？指令写在前面、工单号写在后面，请重新发送。"




WEEK_DAYS = 7


@router.on(Command("统计", "本周统计"))
async def week_stats(ctx: Ctx, args: str) -> str:
    """A leader's figures on a phone (trial 14: «统计» on WeCom got the whole help): the last
    seven days of the area they triage, in the rates `gridbot stats` and the console use, and
    what is open and overdue now. An officer without such an area is pointed to 我的工单."""
    area = await reach(ctx.session, ctx.person)
    if not area.everywhere and not area.communities:
        return "统计供社区、街道领导和指挥中心使用。查看您自己的待办，请发送「我的工单」。"
    today = to_local(ctx.now).date()
    rng = stats.DateRange(today - timedelta(days=WEEK_DAYS - 1), today)
    where = [] if area.everywhere else [Ticket.community_id.in_(area.communities)]
    c = (await stats.compute(ctx.session, rng, now=ctx.now, where=where)).total
    open_q = select(func.count()).select_from(Ticket).where(
        Ticket.status.in_(OPEN_STATUSES), *where)
    open_now = int(await ctx.session.scalar(open_q) or 0)
    overdue = int(await ctx.session.scalar(open_q.where(Ticket.resolve_by < ctx.now)) or 0)

    def pct(x: float | None) -> str:
        return "—" if x is None else f"{round(100 * x)}%"

    names = "全区" if area.everywhere else "、".join(sorted(
        r.name for r in (await ctx.session.scalars(select(Region).where(
            Region.id.in_(area.communities)))).all()))
    span = f"{_day(rng.since)}–{_day(rng.until)}"
    return "\n".join([
        f"{names} 近{WEEK_DAYS}天（{span}）：",
        f"受理 {c.received} 件，办结 {c.resolved} 件（办结率 {pct(c.resolution_rate)}），"
        f"按期办结率 {pct(c.on_time_rate)}",
        f"满意率 {pct(c.satisfaction_rate)}（已评价 {c.rated} 件），催办 {c.urged} 件",
        f"目前在办 {open_now} 件，其中已超时 {overdue} 件。",
        "更多统计与导出请用指挥中心控制台。",
    ])


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日"
