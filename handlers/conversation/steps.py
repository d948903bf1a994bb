"""The commands a ticket's holder sends (接单 CODE, 转办 CODE 部门 …): find the ticket named in
the words, check it is theirs, take the step through the state machine, or answer why not.

Nobody types a 15-character code on a phone: a bare `接单` or `办结 结果` acts on the one open
ticket the step fits; with several, the officer gets a numbered list and answers with a digit
(kept as the `choosing` state; `handlers.conversation.officers.choose` replays it)."""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import select

from handlers.conversation.context import Ctx
from handlers.conversation.states import Conv
from handlers.conversation.text import split_code
from handlers.ops import messages as msg
from handlers.ops.notices import tell_reporters
from handlers.ops.reach import may_act
from handlers.ops.words import malformed_code, not_found
from nlp.taxonomy import URGENCY_ORDER
from storage.clock import to_local
from storage.models import Ticket
from storage.repos import tickets
from storage.repos.tickets import ticket_by_code
from storage.statemachine import RULES

CHOICE_MINUTES = 30
# how each step reads in a sentence (「不能报告进度」, never 「不能进度」), and what its note is
DOING = {"进度": "报告进度", "改类": "改类别"}
NOTE = {"办结": ("处理结果", "已处理完毕"), "进度": ("进展情况", "已联系物业，明天维修"),
        "退回": ("退回原因", "不属于本网格"), "追问": ("要问居民的问题", "具体是几单元？"),
        "转办": ("部门和说明", "城管 占道经营请协助"), "改类": ("新类别", "市政设施")}


def _note_word(verb: str) -> str:
    return NOTE.get(verb, ("内容", ""))[0]


async def own_ticket(ctx: Ctx, args: str, verb: str, need_note: bool, *,
                     staff_may: bool = False,
                     action: str | None = None) -> tuple[Ticket, str] | str:
    """The ticket named in `args` if this person holds it (or, with `staff_may`, is triage
    staff), with the rest of the words; else the refusal to send. With `action` and no code,
    the one open ticket of theirs the step fits (several: a numbered choice is the reply)."""
    if ctx.state is not None and ctx.state.state == Conv.CHOOSING:
        # a new command makes an earlier numbered list stale: a later «1» must not pick from
        # it (trial 14: «1» after «办结» accepted item 1 of a list shown two commands before)
        await ctx.clear_state()
    code, note = split_code(args)
    if code is None and (bad := malformed_code(args)):  # a mistyped code acts on nothing
        return not_found(bad, await tickets.assigned_to(ctx.session, ctx.person.id))
    if code is None and action is not None:
        return await _implicit(ctx, verb, action, note, need_note)
    if code is None:
        return f"请发送「{verb} 工单号{' ' + _note_word(verb) if need_note else ''}」。"
    t = await ticket_by_code(ctx.session, code)
    if t is None:
        return not_found(code, await tickets.assigned_to(ctx.session, ctx.person.id))
    if t.assignee_id != ctx.person.id and not (
            staff_may and await may_act(ctx.session, ctx.person, t, holder=False)):
        return f"工单 {code} 不是您负责的，不能{DOING.get(verb, verb)}。"
    if need_note and not note:
        return f"请写明{_note_word(verb)}：「{verb} {code} {_note_word(verb)}」。"
    return t, note


# 「接单 0013」「进度 14 维保已到场」: the number a code ends with, before the words
_ENDING = re.compile(r"^(\d{2,4})(?:\s+(.*))?$", re.DOTALL)
RECENT_DAYS = 7  # 「改派 0013 潘捷」 looks for a code of the last week ending so


async def code_by_ending(ctx: Ctx, args: str,
                         may: Callable[[Ticket], Awaitable[bool]]) -> tuple[str | None, str]:
    """The code and the rest of `args` (split_code), or, for 「改派 0013 潘捷」「核实 15」, the
    code of the latest ticket of the last RECENT_DAYS ending in that number that `may` allows
    (trial 15: 接单 took the last digits, 改派 and 核实 did not)."""
    code, rest = split_code(args)
    if code is not None or (m := _ENDING.match(args.strip())) is None:
        return code, rest
    today = to_local(ctx.now).date()  # codes carry the Beijing date
    n = int(m.group(1))
    codes = [f"GD{(today - timedelta(days=d)):%Y%m%d}-{n:04d}" for d in range(RECENT_DAYS)]
    found = (await ctx.session.scalars(select(Ticket).where(Ticket.code.in_(codes))
                                       .order_by(Ticket.id.desc()))).all()
    for t in found:
        if await may(t):
            return t.code, (m.group(2) or "").strip()
    return None, rest


async def _implicit(ctx: Ctx, verb: str, action: str, note: str,
                    need_note: bool) -> tuple[Ticket, str] | str:
    if (m := _ENDING.match(note)) is not None:  # the end of a code of theirs (trial 12)
        n = int(m.group(1))
        hit = [t for t in await tickets.assigned_to(ctx.session, ctx.person.id)
               if t.status in RULES[action].sources and int(t.code.rsplit("-", 1)[1]) == n]
        if len(hit) == 1:
            rest = (m.group(2) or "").strip()
            if need_note and not rest:
                return f"请写明{_note_word(verb)}：「{verb} {hit[0].code} {_note_word(verb)}」。"
            return hit[0], rest
    if need_note and not note:
        word, example = NOTE.get(verb, ("内容", "已处理"))
        return f"请写明{word}，例如「{verb} {example}」。"
    allowed = RULES[action].sources
    # urgent first (a lift with someone inside is not ninth after a broken window: trial 13),
    # then by urgency, then the latest push first: the one the officer just read about
    mine = sorted((t for t in await tickets.assigned_to(ctx.session, ctx.person.id)
                   if t.status in allowed),
                  key=lambda t: (-URGENCY_ORDER.index(t.urgency)
                                 if t.urgency in URGENCY_ORDER else 0, -t.id))
    if not mine:
        return f"您目前没有可以{DOING.get(verb, verb)}的工单。发送「我的工单」查看待办。"
    if len(mine) == 1:
        return mine[0], note
    shown = mine[:9]
    await ctx.set_state(Conv.CHOOSING, {"verb": verb, "args": [f"{t.code} {note}".strip()
                                                               for t in shown]},
                        CHOICE_MINUTES)
    lines = [f"您有 {len(mine)} 件工单可以{DOING.get(verb, verb)}，请回复序号选择："]
    lines += [f"{i}. {msg.ticket_line(t)}" for i, t in enumerate(shown, 1)]
    if len(mine) > len(shown):
        tail = f" {_note_word(verb)}" if need_note else ""
        lines.append(f"……其余请发送「{verb} 工单号{tail}」。")
    return "\n".join(lines)


async def take_first(ctx: Ctx, t: Ticket) -> str | None:
    """办结/进度 on a ticket never accepted: the acceptance is recorded and the resident told it
    was taken (decided for issue 12: record and tell, rather than refuse), so the 接单 step
    is never missing from the history or from what the resident hears."""
    if t.status != "assigned":
        return None
    if refusal := ctx.step(t, "accept", "assignee", note="随办理一并接单"):
        return refusal
    await tell_reporters(ctx.session, t, f"您反映的问题（{t.code}）已由{ctx.person.name}接单，"
                         "正在处理。", at=ctx.now)
    return None


Step = Callable[[Ctx, Ticket, str], Awaitable[str]]


def holder_step(
        verb: str, action: str | None = None, *, need_note: bool, staff_may: bool = False,
        implicit: bool = False) -> Callable[[Step], Callable[[Ctx, str], Awaitable[str]]]:
    """Turn `fn(ctx, ticket, rest)` into a command handler `(ctx, args)`: the ticket must be the
    sender's (else the refusal is the reply); with `action`, the state machine takes the step
    before `fn` runs, and a forbidden step is refused the same way. `implicit`: the code may be
    left out (see the module's docstring)."""
    def wrap(fn: Step) -> Callable[[Ctx, str], Awaitable[str]]:
        @functools.wraps(fn)
        async def handler(ctx: Ctx, args: str) -> str:
            got = await own_ticket(ctx, args, verb, need_note, staff_may=staff_may,
                                   action=action if implicit else None)
            if isinstance(got, str):
                return got
            t, rest = got
            if action == "resolve" and (refusal := await take_first(ctx, t)):
                return refusal
            if action and (refusal := ctx.step(t, action, "assignee", note=rest or None)):
                return refusal
            return await fn(ctx, t, rest)

        return handler

    return wrap
