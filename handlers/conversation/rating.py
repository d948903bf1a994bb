"""Rating a resolved ticket: 1–3 close it, 4 (不满意) reopens it to the same officer."""

from __future__ import annotations

import re

from handlers.conversation.context import Ctx
from handlers.conversation.meaning import bare
from handlers.ops import messages as msg
from handlers.ops.privacy import mask_phones
from storage import repo
from storage.models import Region, Ticket
from storage.statemachine import TransitionError, record, transition


async def rate(ctx: Ctx, t: Ticket, value: int, words: str | None = None) -> str:
    """`words`: what the resident said with the rating (「不满意 根本没修好 还是翘的」); kept on
    the event and told to the officer and, for 不满意, to the leader who must see it done."""
    if t.status == "closed" and t.rating is None and value != 4:
        # closed unrated after the follow-up period: a late rating still counts
        t.rating = value
        record(ctx.session, t, "rated", actor_id=ctx.person.id, note=msg.rating_text(value),
               at=ctx.now)
        return f"感谢您的评价（{msg.rating_text(value)}）！"
    if t.status not in ("resolved", "closed") or (t.status == "closed" and t.rating is not None):
        if t.rating is not None:
            return f"工单 {t.code} 已评价过（{msg.rating_text(t.rating)}），感谢您的反馈。"
        return f"工单 {t.code} 还没有办结，办结后再请您评价。发送「查询 {t.code}」查看进度。"
    t.rating = value
    label = msg.rating_text(value)
    said = _said(words, value)
    note = f"{label}：{said}" if said else label
    told = f"居民说：「{said}」" if said else ""
    try:
        if value == 4:
            transition(ctx.session, t, "reopen", actor_id=ctx.person.id, actor_role="reporter",
                       note=note, at=ctx.now)
        else:
            transition(ctx.session, t, "rate", actor_id=ctx.person.id, actor_role="reporter",
                       note=note, at=ctx.now)
    except TransitionError as e:
        return str(e)
    if value != 4:
        if t.assignee:
            await ctx.notify(t.assignee, f"工单 {t.code} 居民评价：{label}，已关闭。{told}", t)
        return f"感谢您的评价（{label}）！工单 {t.code} 已关闭。有新问题随时告诉我们。"
    t.escalation_level += 1
    record(ctx.session, t, "escalated", actor_id=None, note="居民不满意，升级至社区", at=ctx.now)
    if t.assignee:
        await ctx.notify(t.assignee, f"工单 {t.code} 居民评价不满意，已重新打开，请继续处理。"
                         f"{told}回复「进度 {t.code} 说明」或「办结 {t.code} 结果」。", t)
    community = await ctx.session.get(Region, t.community_id) if t.community_id else None
    leader = await repo.slot_person(ctx.session, community, "leader") if community else None
    if leader is not None:
        who = t.assignee.name if t.assignee else "社区分拨"
        await ctx.notify(leader, f"【不满意】工单 {t.code}（{msg.where(t)}）居民评价不满意，"
                         f"已退回 {who} 重新办理，请督办。{told}", t)
    return (f"很抱歉处理结果没让您满意。工单 {t.code} 已重新打开，并报告社区督办，"
            f"我们会尽快再处理。发送「查询 {t.code}」查看进度。")


def _said(words: str | None, value: int) -> str | None:
    """The resident's words when they say more than the rating itself (「4」, 「不满意」 say
    nothing more), phone numbers masked, at most 100 characters."""
    if not words:
        return None
    b = bare(words)
    # only the verdict itself says nothing more («4», «不满意», «非常满意啊», «满意吧»); five
    # characters may be the whole complaint («跟没修一样», trial 14)
    verdict = re.sub(r"^(?:[1-4]分?|非常满意|基本满意|不满意|满意|很满意|还行|可以|不错|挺好)"
                     r"(?:的|了|啊|呀|吧|哈|哦|嗯)*$", "", b)
    if len(b) <= 2 or not verdict or b in (str(value), bare(msg.rating_text(value))):
        return None
    text = mask_phones(words.strip())
    return text if len(text) <= 100 else text[:99] + "…"
