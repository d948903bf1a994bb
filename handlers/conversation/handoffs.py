"""Hand-offs between people: 转办 to a department, 追问 the resident (the clock pauses),
改类 (re-categorise, re-route, remember the correction for training)."""

from __future__ import annotations

import logging

from handlers.conversation.context import Ctx
from handlers.conversation.officers import reporter_of
from handlers.conversation.router import Command, Router
from handlers.conversation.states import Conv
from handlers.conversation.steps import holder_step
from handlers.ops import messages as msg
from handlers.ops.notices import tell_reporters
from handlers.ops.tickets import assign, responsible
from nlp.taxonomy import category_name, resolve_category
from storage import repo
from storage.models import CategoryCorrection, Person, Region, Ticket
from storage.repos.conversations import set_state
from storage.repos.people import identities_of

logger = logging.getLogger(__name__)
router = Router("handoffs")


@router.on(Command("转办"))
@holder_step("转办", need_note=True)
async def transfer(ctx: Ctx, t: Ticket, rest: str) -> str:
    dept_name, _, note = rest.partition(" ")
    people = [p for p in await repo.people_with_department(ctx.session, dept_name) if p.active]
    if not people:
        return f"没有找到部门「{dept_name}」。请发送「转办 {t.code} 部门 说明」，部门如 城管、供水。"
    why = f"转{dept_name}：{note}" if note else f"转{dept_name}"
    if refusal := ctx.step(t, "transfer", "assignee", note=why):
        return refusal
    t.owner_id = t.owner_id or ctx.person.id
    t.assignee_id, t.assignee = people[0].id, people[0]
    text = (f"【转办工单】{t.code} 由{ctx.person.name}转来：{note or '请协助处理'}\n"
            + msg.assignment(t, ctx.services))
    for p in people:
        await ctx.notify(p, text, t)
    await tell_reporters(ctx.session, t, f"您反映的问题（{t.code}）已转交{dept_name}处理，"
                         "网格员会继续跟进。", at=ctx.now)
    return f"已将 {t.code} 转办至{dept_name}（{people[0].name}），办理结果会通知您和居民。"


@router.on(Command("追问"))
@holder_step("追问", need_note=True)
async def ask(ctx: Ctx, t: Ticket, question: str) -> str:
    reporter = await reporter_of(ctx, t)
    mp = (await identities_of(ctx.session, reporter)).get("mp") if reporter else None
    if mp is None:
        return f"工单 {t.code} 的反映人无法通过公众号联系，请通过其他方式核实。"
    if refusal := ctx.step(t, "ask", "assignee", note=question):
        return refusal
    await set_state(ctx.session, "mp", mp.external_id, Conv.ANSWERING, {"code": t.code},
                    ctx.now + msg.ANSWER_WINDOW)
    await ctx.notify(reporter, f"关于您反映的问题（{t.code}），{ctx.person.name}想了解："
                     f"{question}\n请直接回复文字补充说明。", t)
    return f"已向居民追问，等待回复期间 {t.code} 的办理时限暂停计算。"


@router.on(Command("改类"))
@holder_step("改类", need_note=True, staff_may=True)
async def reclassify(ctx: Ctx, t: Ticket, word: str) -> str:
    new = resolve_category(word.split()[0])
    if new is None:
        return f"没有「{word}」这个类别。类别如：消防安全、市政设施、环境卫生、噪音扰民、物业服务。"
    if new == t.category:
        return f"{t.code} 已经是「{category_name(new)}」。"
    old = t.category
    role = "assignee" if t.assignee_id == ctx.person.id else "staff"
    if refusal := ctx.step(t, "reclassify", role, note=f"{category_name(old)} → {category_name(new)}"):
        return refusal
    t.category = new
    ctx.session.add(CategoryCorrection(ticket_id=t.id, text=t.text, old_category=old,
                                       new_category=new, actor_id=ctx.person.id,
                                       created_at=ctx.now))
    rerouted = await _reroute(ctx, t)
    tail = f"，按新类别改派给 {rerouted.name}" if rerouted else ""
    return f"已将 {t.code} 改为「{category_name(new)}」{tail}。此更正会用于改进自动分类。"


async def _reroute(ctx: Ctx, t) -> Person | None:  # noqa: ANN001
    """A new category may belong to another slot (police, property): hand it over."""
    grid = await ctx.session.get(Region, t.region_id) if t.region_id else None
    if grid is None or t.status == "transferred":
        return None
    person, copied = await responsible(ctx.session, ctx.services, t, grid)
    if person is None or person.id == t.assignee_id:
        return None
    old = t.assignee
    await assign(ctx.session, ctx.services, t, person, now=ctx.now, actor_id=ctx.person.id,
                 action="reassign", copied=copied, note=f"改类后改派给 {person.name}")
    if old is not None and old.id != ctx.person.id:
        await ctx.notify(old, f"工单 {t.code} 改类后已改派给 {person.name}。", t)
    return person
