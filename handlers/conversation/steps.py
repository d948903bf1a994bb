"""The commands a ticket's holder sends (接单 CODE, 转办 CODE 部门 …): find the ticket named in
the words, check it is theirs, take the step through the state machine, or answer why not."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from handlers.conversation.context import Ctx
from handlers.conversation.text import split_code
from handlers.ops.reach import may_act
from storage.models import Ticket
from storage.repos.tickets import ticket_by_code


async def own_ticket(ctx: Ctx, args: str, verb: str, need_note: bool, *,
                    staff_may: bool = False) -> tuple[Ticket, str] | str:
    """The ticket named in `args` if this person holds it (or, with `staff_may`, is triage
    staff), with the rest of the words; else the refusal to send."""
    code, note = split_code(args)
    if code is None:
        return f"请发送「{verb} 工单号{' 说明' if need_note else ''}」。"
    t = await ticket_by_code(ctx.session, code)
    if t is None:
        return f"没有找到工单 {code}。"
    if t.assignee_id != ctx.person.id and not (
            staff_may and await may_act(ctx.session, ctx.person, t, holder=False)):
        return f"工单 {code} 不是您负责的，不能{verb}。"
    if need_note and not note:
        return f"请写明{'处理结果' if verb == '办结' else '说明'}：「{verb} {code} 说明」。"
    return t, note


Step = Callable[[Ctx, Ticket, str], Awaitable[str]]


def holder_step(verb: str, action: str | None = None, *, need_note: bool,
                staff_may: bool = False) -> Callable[[Step], Callable[[Ctx, str], Awaitable[str]]]:
    """Turn `fn(ctx, ticket, rest)` into a command handler `(ctx, args)`: the ticket must be the
    sender's (else the refusal is the reply); with `action`, the state machine takes the step
    before `fn` runs, and a forbidden step is refused the same way."""
    def wrap(fn: Step) -> Callable[[Ctx, str], Awaitable[str]]:
        @functools.wraps(fn)
        async def handler(ctx: Ctx, args: str) -> str:
            got = await own_ticket(ctx, args, verb, need_note, staff_may=staff_may)
            if isinstance(got, str):
                return got
            t, rest = got
            if action and (refusal := ctx.step(t, action, "assignee", note=rest or None)):
                return refusal
            return await fn(ctx, t, rest)

        return handler

    return wrap
