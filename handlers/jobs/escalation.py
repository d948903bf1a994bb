"""Overdue tickets climb the hierarchy: community leader → street leader → command centre.

The officer stays on the ticket (the assignee does not change) and is told each time; the
level reached is kept on the ticket, so a sweep only acts when the computed level is higher.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.jobs.deadlines import (
    LEVEL_NAMES,
    MAX_LEVEL,
    Due,
    TicketLike,
    claim,
    durations,
    escalation_target,
    locked_ticket,
    open_ticket_columns,
    pending_deadlines,
    people_on,
)
from handlers.ops import messages as msg
from handlers.ops.notices import notify, tell_reporters
from handlers.ops.privacy import mask_phones
from handlers.ops.services import Services
from nlp.taxonomy import category_name
from storage import repo
from storage.db import Database
from storage.models import Person, Region, Ticket
from storage.statemachine import record

logger = logging.getLogger(__name__)


def target_level(t: TicketLike, services: Services, now: datetime) -> tuple[int, Due | None]:
    """The level the ticket should be at now, and the deadline that puts it there.

    The levels a late acceptance reached stay counted once it is accepted, and a missed
    resolve-by adds its own on top; nothing climbs while no deadline runs (paused, resolved).
    """
    dues = {d.kind: d for d in pending_deadlines(t, services)}
    respond, resolve = dues.get("respond"), dues.get("resolve")
    if respond is not None:
        respond_levels = escalation_target(respond, now, services.calendar)
    elif t.accepted_at is not None and t.respond_by is not None:
        late = Due("respond", t.respond_by, durations(t, services)[0])
        respond_levels = escalation_target(late, t.accepted_at, services.calendar)
    else:
        respond_levels = 0
    resolve_levels = escalation_target(resolve, now, services.calendar) if resolve else 0
    if resolve is not None and resolve_levels:
        return min(MAX_LEVEL, respond_levels + resolve_levels), resolve
    if respond is not None:
        return respond_levels, respond
    return 0, None


async def escalate_overdue(db: Database, services: Services) -> int:
    """Escalate every overdue ticket to the level its lateness calls for; the number of
    tickets that climbed."""
    now = services.clock.now()

    async def overdue(session: AsyncSession) -> list[int]:
        rows = (await session.execute(open_ticket_columns())).all()
        return [r.id for r in rows if target_level(r, services, now)[0] > r.escalation_level]

    climbed = 0
    for ticket_id in await db.read(overdue):
        async def unit(session: AsyncSession, ticket_id: int = ticket_id) -> int:
            return await _escalate(session, services, ticket_id, now)

        climbed += await db.run(unit)
    if climbed:
        logger.info("escalated %d overdue tickets", climbed)
    return climbed


async def _escalate(session: AsyncSession, services: Services, ticket_id: int,
                    now: datetime) -> int:
    t = await locked_ticket(session, ticket_id)
    if t is None:
        return 0
    target, due = target_level(t, services, now)
    if due is None or target <= t.escalation_level:
        return 0  # another worker got here first, or the ticket moved on since the read
    told: list[int] = []
    for level in range(t.escalation_level + 1, target + 1):
        key = f"escalate:{t.id}:{level}:{due.at.isoformat(timespec='seconds')}"
        if not await claim(session, key, now):
            continue
        people = await level_people(session, t, level)
        for person in people:
            await notify(session, person, leader_text(t, due, level, services), at=now,
                         ticket=t, urgent=True)
        record(session, t, "escalated", actor_id=None,
               note=f"{due.word}超时，升级至{LEVEL_NAMES[level]}："
                    + ("、".join(p.name or p.id for p in people) or "无人可通知"), at=now)
        told.append(level)
    t.escalation_level = target
    if not told:
        return 0
    for person in await people_on(session, t):
        await notify(session, person, officer_text(t, due, max(told), services), at=now,
                     ticket=t, urgent=True)
    await tell_reporters(session, t, resident_text(t, due, max(told), services), at=now)
    return 1


async def level_people(session: AsyncSession, t: Ticket, level: int) -> list[Person]:
    """Who hears at `level`; a level nobody fills falls through to the command centre, so an
    escalation is never told to no one."""
    community = t.community
    if community is None and t.region is not None:
        community = await repo.community_of(session, t.region)
    street = await session.get(Region, community.parent_id) \
        if community is not None and community.parent_id else None
    people: list[Person] = []
    if level == 1 and community is not None:
        people = _some(await repo.slot_person(session, community, "leader"))
    elif level == 2 and street is not None and street.level == "street":
        people = _some(await repo.slot_person(session, street, "leader"))
    if not people:
        people = await command_centre(session, street or community)
    return people


def _some(person: Person | None) -> list[Person]:
    return [person] if person is not None else []


async def command_centre(session: AsyncSession, region: Region | None) -> list[Person]:
    """Every active member of the district's command centre."""
    while region is not None and region.level != "district":
        region = await session.get(Region, region.parent_id) if region.parent_id else None
    if region is None:
        region = await session.scalar(select(Region).where(
            Region.level == "district", Region.active.is_(True)).order_by(Region.id).limit(1))
    ids = list((region.slots or {}).get("command_centre") or []) if region is not None else []
    people = [await session.get(Person, pid) for pid in ids]
    return [p for p in people if p is not None and p.active]


def leader_text(t: Ticket, due: Due, level: int, services: Services) -> str:
    who = msg.person_label(t.assignee) if t.assignee else "未派单"
    by = msg.deadline_text(due.at, services)
    return (f"【超时督办·{LEVEL_NAMES[level]}】工单 {t.code}（{category_name(t.category)}，"
            f"{msg.where(t)}）{due.word}已超时（时限 {by}），负责人：{who}。\n"
            f"内容：{mask_phones(t.text)[:80]}\n请督促办理。")


def officer_text(t: Ticket, due: Due, level: int, services: Services) -> str:
    action = f"「接单 {t.code}」" if due.kind == "respond" else f"「办结 {t.code} 结果」"
    by = msg.deadline_text(due.at, services)
    return (f"【超时】工单 {t.code} {due.word}已超时（时限 {by}），"
            f"已上报{LEVEL_NAMES[level]}督办，请尽快处理。回复{action}。")


def resident_text(t: Ticket, due: Due, level: int, services: Services) -> str:
    """What the reporter and followers hear when their ticket climbs: they were waiting, and
    without this they heard nothing until somebody acted (no officer's name: who is late is
    the leaders' business)."""
    if due.kind == "respond":
        text = (f"您反映的问题（{t.code}）还没有工作人员接单，已报告{LEVEL_NAMES[level]}督办，"
                "会尽快安排人员处理。")
        if t.urgency == "urgent":
            text += "如情况危急，请直接拨打 110、119 或 120。"
        return text
    by = msg.deadline_text(due.at, services)
    return (f"您反映的问题（{t.code}）未能在{by}前办结，已报告{LEVEL_NAMES[level]}督办，"
            "我们会继续跟进。")
