"""附议: ten neighbours reporting one broken lamp make one ticket with nine followers.

A report of the same category in the same building (or within a radius when both have
coordinates) while a ticket is open from the last days is offered to the resident as 附议
instead of a new ticket, when the two are about the same problem (`same_problem`: a domain
word in common, or the same place word or like words when one names none): a 消火栓漏水 is
never offered onto a drowned e-bike's 消防安全 ticket. The offer says what the open ticket is
about (its domain words, never its reporter's words). Whether answered 1 or not answered at
all (the draft-expiry job seconds it), the seconder's own words go to the ticket's holder
(「【附议】…」) and into its history, so nothing a resident wrote is lost in a seconding.
Followers hear every notice the reporter hears (`handlers.ops.notices.tell_reporters`).
Officers merge two tickets with `合并 CODE1 CODE2`.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers.conversation import pieces
from handlers.conversation.context import Ctx
from handlers.conversation.drafts import link, voice_attachment_ids
from handlers.conversation.router import Command, Router
from handlers.conversation.states import Conv
from handlers.conversation.text import CODE_RE
from handlers.ops import actions
from handlers.ops import messages as msg
from handlers.ops.actions import ActionError
from handlers.ops.followers import add_follower, follower_count
from handlers.ops.privacy import mask_phones
from handlers.ops.reach import may_merge
from nlp.taxonomy import category_name
from storage.clock import local_text
from storage.models import Ticket
from storage.repos.tickets import ticket_by_code
from storage.statemachine import OPEN_STATUSES, STATUS_NAMES, TransitionError, record

logger = logging.getLogger(__name__)
router = Router("duplicates")  # staff: 合并

# digits, or the words a recognised voice message gives for them
FOLLOW_WORDS = {"1": True, "一": True, "附议": True, "2": False, "二": False, "新建": False,
                "仍然新建": False}


def same_problem(ctx: Ctx, ticket: Ticket, text: str, analysis: Any) -> bool:
    """Whether a new report (`text`, its `analysis` with the place found) is about the same
    problem as the open `ticket` of its category nearby: a domain word in common (漏水, 井盖),
    or, when one of them names none, the same place word (楼道, 地下车库) or words alike."""
    first = ticket.text.split("\n补充：")[0]
    other = ctx.services.analyzer.analyze(first)
    return pieces.same_matter(text, analysis, first, other, place_words=True)


def _about(ticket: Ticket, ctx: Ctx) -> str:
    """What the open ticket is about, in its domain words only (the words of its reporter
    may say who they are)."""
    other = ctx.services.analyzer.analyze(ticket.text.split("\n补充：")[0])
    words = sorted(pieces.problem_words(other))
    return "、".join(words[:3])


async def offer(ctx: Ctx, ticket: Ticket, draft: dict[str, Any]) -> str:
    """Hold the report and ask: 1 附议 / 2 仍然新建."""
    n = await follower_count(ctx.session, ticket)
    # category, what about, place and status only: the other resident's words may say who
    # they are
    about = _about(ticket, ctx)
    line = (f"{ticket.code} {category_name(ticket.category)}{f'（{about}）' if about else ''} · "
            f"{STATUS_NAMES.get(ticket.status, ticket.status)}（{msg.where(ticket)}，"
            f"{local_text(ticket.created_at)} 反映{f'，{n} 人附议' if n else ''}）")
    prompt = "回复 1 附议该工单（一并处理），回复 2 仍然新建工单"
    minutes = ctx.settings.conversation.draft_minutes
    text = (f"附近已有同类问题正在处理：\n{line}\n{prompt}\n"
            f"（{minutes} 分钟内不回复，将作为附议转告负责人，您说的情况会一并转达。）")
    await ctx.set_state(Conv.AWAITING_DUPLICATE, {**draft, "code": ticket.code, "prompt": prompt},
                        ctx.settings.conversation.draft_minutes)
    return text


async def accept(ctx: Ctx, draft: dict[str, Any]) -> str | None:
    """Answer 1: follow the ticket (its attachments join it). None when it closed meanwhile
    (the caller files the report as new)."""
    t = await ticket_by_code(ctx.session, draft.get("code", ""))
    if t is None or t.status not in OPEN_STATUSES:
        return None
    added = await add_follower(ctx.session, t, ctx.person, ctx.now)
    await link(ctx, t, list(draft.get("attachments") or []) + await voice_attachment_ids(ctx))
    n = await follower_count(ctx.session, t)
    if not added:  # answered twice (a WeChat retry after the state was read)
        return f"您已附议工单 {t.code}。发送「查询 {t.code}」查看进度。"
    said = [draft.get("text"), *(draft.get("details") or [])]
    words = mask_phones("；".join(str(w) for w in said if w))
    record(ctx.session, t, "followed", actor_id=ctx.person.id,
           note=f"共 {n} 人附议：{words}" if words else f"共 {n} 人附议", at=ctx.now)
    if words and t.assignee is not None:  # the seconder's words may say more: the holder reads
        await ctx.notify(t.assignee, seconded_notice(t, words, n), t)
    return (f"已附议工单 {t.code}，目前共 {n} 位居民附议。处理进展会同样通知您。\n"
            f"发送「查询 {t.code}」查看进度。")


def seconded_notice(t: Ticket, words: str, n: int) -> str:
    """The holder's notice of a seconding, with the seconder's own words."""
    return f"【附议】工单 {t.code}（{msg.where(t)}）又有居民附议，共 {n} 人。附议人反映：{words}"


@router.on(Command("合并"))
async def merge(ctx: Ctx, args: str) -> str:
    """合并 CODE1 CODE2: CODE2 is the same matter as CODE1 and is closed into it."""
    codes = [c.upper() for c in CODE_RE.findall(args)]
    if len(codes) != 2 or codes[0] == codes[1]:
        return "请发送「合并 工单号1 工单号2」，把工单2并入工单1（工单2的反映人转为附议）。"
    keep, gone = [await ticket_by_code(ctx.session, c) for c in codes]
    for code, t in zip(codes, (keep, gone), strict=True):
        if t is None:
            return f"没有找到工单 {code}。"
    assert keep is not None and gone is not None
    me = ctx.person.id
    if not await may_merge(ctx.session, ctx.person, keep, gone):
        return (f"工单 {gone.code} 和 {keep.code} 不是您负责的"
                "（须两件都由您负责或都在您负责的区域内），不能合并。")
    role = "assignee" if gone.assignee_id == me else "staff"
    try:
        n = await actions.merge(ctx.session, keep, gone, ctx.actor(role), now=ctx.now)
    except (ActionError, TransitionError) as e:
        return str(e)
    return f"已将 {gone.code} 并入 {keep.code}，{gone.code} 的反映人转为附议，现有 {n} 人附议。"
