"""Staff steps on one ticket, whoever takes them (the console today; WeCom words may share them):
派单/改派, 转办, 改类, 合并, 追问, 催办, 回复 the resident, 撤销 with a reason.

Each runs in the caller's unit of work, changes status only through storage.statemachine, writes
the ticket's history and queues the notices the WeCom commands queue. A refusal raises
ActionError (or TransitionError) with a message fit to show, and the caller's unit rolls back.
The actor is named on every event written: `actor_id` (a person id, or `console:USERNAME`) and,
for a console user, `console_user_id`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ops import messages as msg
from handlers.ops.notices import followers_of, identities_of, notify, tell_reporters
from handlers.ops.services import Services
from handlers.ops.tickets import assign, responsible, tell_stand_ins
from nlp.taxonomy import category_name, resolve_category
from storage import repo
from storage.models import CategoryCorrection, Person, Region, Ticket, TicketEvent, TicketFollower
from storage.repos.conversations import set_state
from storage.statemachine import OPEN_STATUSES, STATUS_NAMES, TransitionError, record, transition

logger = logging.getLogger(__name__)

__all__ = ["ActionError", "Actor", "ask", "cancel", "dispatch", "merge", "reclassify",
           "remind", "reply", "transfer", "TransitionError"]

P = ParamSpec("P")
R = TypeVar("R")
HANDLER_ROLES = ("officer", "department", "liaison", "leader")


class ActionError(Exception):
    """A step refused before anything changed; `str(e)` is fit to show the actor."""


@dataclass(frozen=True)
class Actor:
    id: str  # written as the event's actor_id
    name: str  # how notices name them
    console_user_id: int | None = None
    role: str = "staff"


def _stamped(op: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Every event the step writes (the nested ones too: assign, triage) names the console
    user, so the history and the audit log agree on who did it. A flush hook, because a
    query inside the step autoflushes the events before the step ends."""
    @functools.wraps(op)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session = args[0]
        actor = next((a for a in (*args, *kwargs.values()) if isinstance(a, Actor)), None)
        assert isinstance(session, AsyncSession)
        if actor is None or actor.console_user_id is None:
            return await op(*args, **kwargs)
        uid = actor.console_user_id

        def stamp(sess: Any, *_: Any) -> None:
            for obj in sess.new:
                if isinstance(obj, TicketEvent) and obj.console_user_id is None:
                    obj.console_user_id = uid

        event.listen(session.sync_session, "before_flush", stamp)
        try:
            result = await op(*args, **kwargs)
            stamp(session.sync_session)
            return result
        finally:
            event.remove(session.sync_session, "before_flush", stamp)

    return run


@_stamped
async def dispatch(session: AsyncSession, services: Services, t: Ticket, person_id: str,
                   actor: Actor, *, now: datetime) -> Person:
    """派单 (from triage) or 改派 (anything open) to a member of staff."""
    person = await session.get(Person, person_id.strip())
    if person is None or not person.active or not person.has_role(*HANDLER_ROLES):
        raise ActionError(f"没有找到工作人员「{person_id}」，请从名单中选择。")
    if person.id == t.assignee_id:
        raise ActionError(f"工单 {t.code} 已由 {person.name} 负责。")
    old = await session.get(Person, t.assignee_id) if t.assignee_id else None
    action = "assign" if t.status in ("new", "returned", "pending_verification") else "reassign"
    if t.region_id is None and (grid := await repo.only_grid_of(session, person.id)):
        # a ticket placed by the desk's choice takes the officer's grid (trial 14: it kept
        # grid and community "-": its leader could not act on it, it was never paged, and the
        # statistics counted it nowhere)
        community = await repo.community_of(session, grid)
        t.region_id, t.region = grid.id, grid
        if community is not None:
            t.community_id, t.community = community.id, community
    await assign(session, services, t, person, now=now, actor_id=actor.id, action=action,
                 note=f"{actor.name} 派给 {person.name}")
    if old is not None:
        await notify(session, old, f"工单 {t.code} 已改派给 {person.name}，您无需再处理。",
                     at=now, ticket=t)
    # the resident hears who now has their report, not only at 接单 (trial C8)
    await tell_reporters(session, t, f"您反映的问题（{t.code}）已交{msg.person_label(person)}"
                         "负责处理，有进展会告诉您。", at=now)
    return person


async def _area_of(session: AsyncSession, t: Ticket) -> list[int]:
    """The ids of the ticket's grid, community and street (what a department may serve)."""
    ids: list[int] = []
    region_id = t.region_id or t.community_id
    while region_id is not None and len(ids) < 4:
        region = await session.get(Region, region_id)
        if region is None or region.level == "district":
            break
        ids.append(region.id)
        region_id = region.parent_id
    return ids


@_stamped
async def transfer(session: AsyncSession, services: Services, t: Ticket, department: str,
                   note: str, actor: Actor, *, now: datetime) -> Person:
    """转办 to a department's contacts; the grid officer stays responsible (owner)."""
    near = await _area_of(session, t)
    people = [p for p in await repo.people_with_department(session, department, near)
              if p.active]
    if not people:
        elsewhere = [(p, regions) for p, regions in
                     await repo.departments_elsewhere(session, department) if p.active]
        if not elsewhere:
            known = "、".join(await repo.department_names(session)) or "（区划文件里还没有部门）"
            raise ActionError(f"没有找到部门「{department}」。请发送「转办 {t.code} 部门 说明」，"
                              f"部门有：{known}。")
        serves = "；".join(f"{p.name}（负责{'、'.join(r.name for r in regions)}）"
                          for p, regions in elsewhere[:3])
        raise ActionError(f"「{department}」只有别处的部门：{serves}，不负责本工单的位置。"
                          f"确需转给他们，请写全名，如「转办 {t.code} "
                          f"{elsewhere[0][0].name} 说明」。")
    transition(session, t, "transfer", actor_id=actor.id, actor_role=actor.role,
               note=f"转{department}：{note}" if note else f"转{department}", at=now)
    t.owner_id = t.owner_id or t.assignee_id
    t.assignee_id, t.assignee = people[0].id, people[0]
    text = f"【转办工单】{t.code} 由{actor.name}转来：{note or '请协助处理'}\n" + msg.assignment(
        t, services)
    reached = [await notify(session, p, text, at=now, ticket=t) for p in people]
    if not any(reached):  # nobody at the department can be reached: the desk passes it on
        community = await session.get(Region, t.community_id) if t.community_id else None
        await tell_stand_ins(session, t, people[0], community, text, now=now)
    await tell_reporters(session, t, f"您反映的问题（{t.code}）已转交{department}处理，"
                         "网格员会继续跟进。", at=now)
    return people[0]


@_stamped
async def reclassify(session: AsyncSession, services: Services, t: Ticket, word: str,
                     actor: Actor, *, now: datetime) -> Person | None:
    """改类: the correction is kept for training; a category of another slot re-routes it.
    Returns whoever it was re-routed to, if anyone."""
    new = resolve_category(word.strip())
    if new is None:
        raise ActionError(f"没有「{word}」这个类别。")
    if new == t.category:
        raise ActionError(f"{t.code} 已经是「{category_name(new)}」。")
    old = t.category
    transition(session, t, "reclassify", actor_id=actor.id, actor_role=actor.role,
               note=f"{category_name(old)} → {category_name(new)}", at=now)
    t.category = new
    session.add(CategoryCorrection(ticket_id=t.id, text=t.text, old_category=old,
                                   new_category=new, actor_id=actor.id, created_at=now))
    rerouted = None
    grid = await session.get(Region, t.region_id) if t.region_id else None
    if grid is not None and t.status != "transferred":
        person, copied = await responsible(session, services, t, grid)
        if person is not None and person.id != t.assignee_id:
            previous = await session.get(Person, t.assignee_id) if t.assignee_id else None
            await assign(session, services, t, person, now=now, actor_id=actor.id,
                         action="reassign", copied=copied, note=f"改类后改派给 {person.name}")
            if previous is not None and previous.id != actor.id:
                await notify(session, previous, f"工单 {t.code} 改类后已改派给 {person.name}。",
                             at=now, ticket=t)
            rerouted = person
    return rerouted


@_stamped
async def merge(session: AsyncSession, keep: Ticket, gone: Ticket, actor: Actor, *,
                now: datetime) -> int:
    """合并: `gone` is the same matter as `keep`; its reporter and followers follow `keep`.
    Returns how many now follow `keep`."""
    if keep.id == gone.id:
        raise ActionError("不能把工单并入它自己。")
    if keep.status not in OPEN_STATUSES:  # the one merged into must still be worked on
        raise ActionError(f"工单 {keep.code} 当前状态为「{STATUS_NAMES.get(keep.status)}」，"
                          f"{gone.code} 不能并入它（「合并 工单1 工单2」把工单2并入工单1）。")
    transition(session, gone, "merge", actor_id=actor.id, actor_role=actor.role,
               note=f"并入 {keep.code}", at=now)
    gone.duplicate_of_id = keep.id
    movers = [p for p in [await session.get(Person, gone.reporter_id) if gone.reporter_id
                          else None, *await followers_of(session, gone)] if p is not None]
    present = {p.id for p in await followers_of(session, keep)} | {keep.reporter_id}
    for p in movers:
        if p.id not in present:
            session.add(TicketFollower(ticket_id=keep.id, person_id=p.id, created_at=now))
            present.add(p.id)
    n = len(present - {keep.reporter_id, None})
    record(session, keep, "merged_in", actor_id=actor.id,
           note=f"{gone.code} 并入，共 {n} 人附议", at=now)
    await tell_reporters(session, gone,
                         f"您反映的问题（{gone.code}）与工单 {keep.code} 是同一问题，已合并处理，"
                         f"后续进展会通知您。发送「查询 {keep.code}」查看进度。", at=now)
    if gone.assignee_id and gone.assignee_id not in (keep.assignee_id, actor.id):
        await notify(session, await session.get(Person, gone.assignee_id),
                     f"工单 {gone.code} 已并入 {keep.code}，您无需再处理。", at=now, ticket=gone)
    if keep.assignee_id and keep.assignee_id != actor.id:
        await notify(session, await session.get(Person, keep.assignee_id),
                     f"工单 {gone.code} 已并入您负责的 {keep.code}，现有 {n} 人附议。",
                     at=now, ticket=keep)
    return n


async def _reporter_mp(session: AsyncSession, t: Ticket) -> tuple[Person, str]:
    reporter = await session.get(Person, t.reporter_id) if t.reporter_id else None
    mp = (await identities_of(session, reporter)).get("mp") if reporter else None
    if reporter is None or mp is None:
        raise ActionError(f"工单 {t.code} 的反映人无法通过公众号联系，请通过其他方式联系。")
    return reporter, mp.external_id


@_stamped
async def ask(session: AsyncSession, t: Ticket, question: str, actor: Actor, *,
              now: datetime) -> None:
    """追问 the resident: the clock pauses until they answer (or the window passes)."""
    if not question.strip():
        raise ActionError("请写明要追问的问题。")
    reporter, openid = await _reporter_mp(session, t)
    transition(session, t, "ask", actor_id=actor.id, actor_role=actor.role, note=question,
               at=now)
    t.waiting_since = now
    await set_state(session, "mp", openid, "answering", {"code": t.code}, now + msg.ANSWER_WINDOW)
    await notify(session, reporter, f"关于您反映的问题（{t.code}），{actor.name}想了解："
                 f"{question}\n请直接回复文字补充说明。", at=now, ticket=t)


@_stamped
async def remind(session: AsyncSession, t: Ticket, note: str, actor: Actor, *,
                 now: datetime) -> Person:
    """催办: the assignee is pressed (an event, no change of status)."""
    if t.status not in OPEN_STATUSES or t.assignee_id is None:
        raise ActionError(f"工单 {t.code} 没有正在办理的负责人，无需催办。")
    person = await session.get(Person, t.assignee_id)
    assert person is not None
    record(session, t, "urged", actor_id=actor.id, note=note or None, at=now)
    text = (f"【催办】{actor.name}催办工单 {t.code}（{category_name(t.category)}，{msg.where(t)}）"
            f"{'：' + note if note else ''}\n请尽快处理，回复「进度 {t.code} 说明」更新进展。")
    await notify(session, person, text, at=now, ticket=t)
    return person


@_stamped
async def reply(session: AsyncSession, t: Ticket, text: str, actor: Actor, *,
                now: datetime) -> int:
    """回复 the resident (and followers): a message from the command centre, kept in history."""
    if not text.strip():
        raise ActionError("请写明回复内容。")
    record(session, t, "replied", actor_id=actor.id, note=text, at=now)
    reached = await tell_reporters(session, t, f"关于您反映的问题（{t.code}），{actor.name}回复："
                                   f"{text}\n如需补充，请发送「补充 {t.code} 内容」。", at=now)
    return reached


@_stamped
async def cancel(session: AsyncSession, t: Ticket, reason: str, actor: Actor, *,
                 now: datetime) -> None:
    """撤销 by staff, with a reason: counted apart from residents' own (storage.stats)."""
    if not reason.strip():
        raise ActionError("撤销工单必须写明原因。")
    transition(session, t, "cancel", actor_id=actor.id, actor_role=actor.role,
               note=f"工作人员撤销：{reason}", at=now)
    if t.assignee_id:
        await notify(session, await session.get(Person, t.assignee_id),
                     f"工单 {t.code} 已由{actor.name}撤销（{reason}），无需继续处理。",
                     at=now, ticket=t)
    await tell_reporters(session, t, f"您反映的问题（{t.code}）已撤销：{reason}。"
                         "如问题仍在，请重新反映。", at=now)
