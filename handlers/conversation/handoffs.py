"""Hand-offs between people: 转办 to a department, 追问 the resident (the clock pauses),
改类 (re-categorise, re-route, remember the correction for training). The steps themselves are
the console's too (handlers.ops.actions); this module reads the words and answers them."""

from __future__ import annotations

import logging

from handlers.conversation.context import Ctx
from handlers.conversation.router import Command, Router
from handlers.conversation.steps import holder_step
from handlers.ops import actions
from handlers.ops.actions import ActionError, Actor
from nlp.taxonomy import category_name, resolve_category
from storage.models import Ticket
from storage.statemachine import TransitionError

logger = logging.getLogger(__name__)
router = Router("handoffs")


def _actor(ctx: Ctx, t: Ticket) -> Actor:
    return ctx.actor("assignee" if t.assignee_id == ctx.person.id else "staff")


@router.on(Command("转办"))
@holder_step("转办", need_note=True)
async def transfer(ctx: Ctx, t: Ticket, rest: str) -> str:
    dept_name, _, note = rest.partition(" ")
    try:
        person = await actions.transfer(ctx.session, ctx.services, t, dept_name, note,
                                        _actor(ctx, t), now=ctx.now)
    except (ActionError, TransitionError) as e:
        return str(e)
    return f"已将 {t.code} 转办至{dept_name}（{person.name}），办理结果会通知您和居民。"


@router.on(Command("追问"))
@holder_step("追问", need_note=True)
async def ask(ctx: Ctx, t: Ticket, question: str) -> str:
    try:
        await actions.ask(ctx.session, t, question, _actor(ctx, t), now=ctx.now)
    except (ActionError, TransitionError) as e:
        return str(e)
    return f"已向居民追问，等待回复期间 {t.code} 的办理时限暂停计算。"


@router.on(Command("改类"))
@holder_step("改类", need_note=True, staff_may=True)
async def reclassify(ctx: Ctx, t: Ticket, word: str) -> str:
    try:
        rerouted = await actions.reclassify(ctx.session, ctx.services, t, word.split()[0],
                                            _actor(ctx, t), now=ctx.now)
    except ActionError as e:
        hint = "" if resolve_category(word.split()[0]) else \
            "类别如：消防安全、市政设施、环境卫生、噪音扰民、物业服务。"
        return f"{e}{hint}"
    except TransitionError as e:
        return str(e)
    tail = f"，按新类别改派给 {rerouted.name}" if rerouted else ""
    return f"已将 {t.code} 改为「{category_name(t.category)}」{tail}。此更正会用于改进自动分类。"
