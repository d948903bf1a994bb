"""The supervision jobs: plain async functions `(db, services) -> int` over the storage.

Each job decides what is due from a read, then does each piece of work in its own unit of
work that re-checks the ticket and claims the work (a JobRun key, or the ticket's own status
or level) together with the notices it queues. So a restart or a second worker never sends
twice, and one bad ticket fails alone. `services.clock` is the only source of time.

- `sweep`: every `[scheduler] sweep_seconds`: drafts, reminders, escalation, follow-up.
- `daily_digest`, `weekly_summary` (handlers.digests): at their configured times.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import messages as msg
from handlers.context import Services, notify
from handlers.digests import daily_digest, weekly_summary
from handlers.escalation import escalate_overdue
from handlers.followup import follow_up
from handlers.reminders import send_reminders
from handlers.tickets import Placement, create_ticket
from storage.db import Database
from storage.models import ConversationState, Identity

logger = logging.getLogger(__name__)

Job = Callable[[Database, Services], Awaitable[int]]

__all__ = ["daily_digest", "escalate_overdue", "expire_drafts", "follow_up", "send_reminders",
           "sweep", "weekly_summary"]


async def expire_drafts(db: Database, services: Services) -> int:
    """A report whose place never came is not lost: it becomes a ticket on the triage list."""
    now = services.clock.now()

    async def unit(session: AsyncSession) -> int:
        q = select(ConversationState).where(ConversationState.expires_at <= now)
        if db.dialect == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = (await session.scalars(q)).all()
        made = 0
        for row in rows:
            if row.state == "awaiting_location":
                made += await _draft_to_triage(session, services, row, now)
            await session.delete(row)
        return made

    made = await db.run(unit)
    if made:
        logger.info("turned %d unanswered drafts into triage tickets", made)
    return made


async def _draft_to_triage(session: AsyncSession, services: Services, row: ConversationState,
                           now: datetime) -> int:
    ident = await session.scalar(select(Identity).where(
        Identity.channel == row.channel, Identity.external_id == row.external_id))
    if ident is None:
        return 0
    text = row.data.get("text", "")
    analysis = services.analyzer.analyze(text)
    ticket = await create_ticket(session, services, now=now, text=text, analysis=analysis,
                                 reporter=ident.person, source="resident",
                                 place=Placement(None, None))
    await notify(session, ident.person,
                 f"您之前反映的问题没有注明位置，已交社区工作人员确认后处理。\n"
                 f"{msg.accepted_reply(ticket, services)}", at=now, ticket=ticket)
    return 1


SWEEP_JOBS: tuple[Job, ...] = (expire_drafts, send_reminders, escalate_overdue, follow_up)


async def sweep(db: Database, services: Services) -> int:
    """One pass of the periodic jobs; a job that fails is logged and the others still run.
    The number of pieces of work done (notices or tickets changed)."""
    done = 0
    for job in SWEEP_JOBS:
        try:
            done += await job(db, services)
        except Exception:  # the next job and the next sweep must still run
            logger.exception("%s failed", job.__name__)
    return done
