"""Reminders before a deadline: once per deadline, to whoever has to act on the ticket."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.jobs.deadlines import (
    Due,
    claim,
    locked_ticket,
    open_ticket_columns,
    pending_deadlines,
    reminder_due,
    reminder_key,
)
from handlers.ops import messages as msg
from handlers.ops.notices import notify
from handlers.ops.services import Services
from nlp.taxonomy import category_name
from storage.db import Database
from storage.models import JobRun, Person, Ticket
from storage.repo import triage_people
from storage.statemachine import record

logger = logging.getLogger(__name__)


async def send_reminders(db: Database, services: Services) -> int:
    """Remind the assignee of every deadline that reached its reminder point; the number of
    reminders sent (each deadline at most once, across restarts and workers)."""
    now = services.clock.now()
    fraction = services.settings.scheduler.reminder_fraction

    async def due_now(session: AsyncSession) -> list[tuple[int, Due]]:
        rows = (await session.execute(open_ticket_columns())).all()
        wanted = [(r.id, d) for r in rows for d in pending_deadlines(r, services)
                  if reminder_due(d, fraction, now)]
        if not wanted:
            return []
        keys = [reminder_key(i, d) for i, d in wanted]
        done = set(await session.scalars(select(JobRun.key).where(JobRun.key.in_(keys))))
        return [(i, d) for i, d in wanted if reminder_key(i, d) not in done]

    sent = 0
    for ticket_id, due in await db.read(due_now):
        async def unit(session: AsyncSession, ticket_id: int = ticket_id, due: Due = due) -> int:
            return await _remind(session, services, ticket_id, due, now)

        sent += await db.run(unit)
    if sent:
        logger.info("sent %d deadline reminders", sent)
    return sent


async def _remind(session: AsyncSession, services: Services, ticket_id: int, due: Due,
                  now: datetime) -> int:
    t = await locked_ticket(session, ticket_id)
    if t is None or due not in pending_deadlines(t, services):
        return 0  # accepted, resolved or paused since the read
    if not reminder_due(due, services.settings.scheduler.reminder_fraction, now):
        return 0
    recipients: list[Person] = [t.assignee] if t.assignee is not None else \
        await triage_people(session, t.community)
    if not recipients:
        logger.warning("ticket %s nears its %s deadline and nobody can be reminded",
                       t.code, due.kind)
        return 0  # not claimed: whoever gets the ticket later still hears
    if not await claim(session, reminder_key(t.id, due), now):
        return 0
    text = reminder_text(t, due, services, assigned=t.assignee is not None)
    for person in recipients:
        await notify(session, person, text, at=now, ticket=t)
    record(session, t, "reminded", actor_id=None,
           note=f"{due.word}时限 {msg.deadline_text(due.at, services)}，已提醒 "
                + "、".join(p.name or p.id for p in recipients), at=now)
    return 1


def reminder_text(t: Ticket, due: Due, services: Services, *, assigned: bool) -> str:
    """「请于 12月4日（周五）下班前办结」 for a working-day deadline, a clock time only for an
    hour one (`messages.deadline_text`)."""
    head = f"【即将超时】工单 {t.code}（{category_name(t.category)}，{msg.where(t)}）"
    by = msg.deadline_text(due.at, services)
    if not assigned:
        return (f"{head}尚未派单，{due.word}时限 {by}。\n"
                f"请回复「派单 {t.code} 姓名」派给负责人。")
    if due.kind == "respond":
        return (f"{head}请于 {by}接单。\n"
                f"回复「接单 {t.code}」接单，「退回 {t.code} 原因」退回。")
    return (f"{head}请于 {by}办结。\n"
            f"回复「办结 {t.code} 结果」办结，或「进度 {t.code} 说明」报告进展。")
