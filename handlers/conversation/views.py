"""What a ticket looks like in a chat reply: its detail, history and attachments."""

from __future__ import annotations

from handlers.conversation.context import Ctx
from handlers.ops import attachments, followers
from handlers.ops import messages as msg
from handlers.ops.roles import STAFF_ROLES
from nlp.taxonomy import category_name
from storage.models import Attachment, Person, Ticket
from storage.repos import attachments as attachment_rows
from storage.repos import tickets
from storage.statemachine import FINAL_STATUSES, STATUS_NAMES


async def detail_text(ctx: Ctx, t: Ticket) -> str:
    events = await tickets.events_of(ctx.session, t.id)
    actor_ids = {e.actor_id for e in events if e.actor_id and e.actor_id != t.reporter_id}
    names = {}
    for pid in actor_ids:
        p = await ctx.session.get(Person, pid)
        if p is not None and p.has_role(*STAFF_ROLES):  # never another resident's name
            names[pid] = p.name
    lines = [msg.ticket_line(t), f"位置：{msg.where(t)}"]
    if t.assignee:
        lines.append(f"负责：{t.assignee.name}")
    seconded = await followers.follower_count(ctx.session, t)
    if seconded:
        lines.append(f"附议：{seconded} 人")
    if t.duplicate_of_id:
        into = await ctx.session.get(Ticket, t.duplicate_of_id)
        lines.append(f"已并入工单 {into.code if into else ''}")
    lines += [msg.history_line(e, names) for e in events]
    files = await attachment_rows.of_ticket(ctx.session, t.id)
    if files:
        lines.append("附件：" + "；".join(_attachment_text(a) for a in files))
    if ctx.person.has_role(*STAFF_ROLES) and t.reporter_id != ctx.person.id:
        # staff read it to work on it: their next words, never the resident's hints
        if t.status not in FINAL_STATUSES and t.status != "resolved":
            if t.resolve_by is not None:
                lines.insert(2, f"办结时限：{msg.deadline_text(t.resolve_by, ctx.services)}")
            if ctx.person.id in (t.assignee_id, t.owner_id):
                lines.append(f"回复「进度 {t.code} 说明」更新进展，「办结 {t.code} 结果」办结。")
            else:  # a leader or the desk: their step is 改派, the holder's are not theirs
                lines.append(f"如需改派，回复「改派 {t.code} 姓名」。")
        return "\n".join(lines)
    # a follower (附议) neither rates nor cancels another's ticket
    may_act = t.reporter_id == ctx.person.id
    if may_act and t.status == "resolved":
        lines.append(f"请回复「评价 {t.code} 数字」评价处理结果（{msg.RATING_SCALE}）。")
    elif may_act and t.status not in FINAL_STATUSES:
        lines.append(f"如已无需处理，可发送「撤销 {t.code}」。")
    return "\n".join(lines)


def follower_text(t: Ticket) -> str:
    """What a resident who seconded (附议) sees of the ticket: category, place and status (the
    README's promise), never the reporter's words, door or the answers they gave."""
    return "\n".join([f"{t.code} {category_name(t.category)} · "
                      f"{STATUS_NAMES.get(t.status, t.status)}（您已附议）",
                      f"位置：{msg.block(t)}",
                      "处理进展会通知您。"])


def _attachment_text(a: Attachment) -> str:
    name = attachments.KIND_NAMES.get(a.kind, (a.kind, ""))[0]
    state = {"downloaded": "已保存", "pending": "保存中",
             "failed": "保存失败"}.get(a.state, "已删除")
    return f"{name}（{state}）"
