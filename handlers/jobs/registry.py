"""The supervision jobs: plain async functions `(db, services) -> int` over the storage.

Each job decides what is due from a read, then does each piece of work in its own unit of
work that re-checks the ticket and claims the work (a JobRun key, or the ticket's own status
or level) together with the notices it queues. So a restart or a second worker never sends
twice, and one bad ticket fails alone. `services.clock` is the only source of time.

- `sweep`: every `[scheduler] sweep_seconds`: drafts, reminders, escalation, follow-up.
- `daily_digest`, `weekly_summary` (handlers.jobs.digests): at their configured times.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.conversation.places import file_draft
from handlers.conversation.states import DRAFTS, Conv
from handlers.jobs.digests import daily_digest, weekly_summary
from handlers.jobs.escalation import escalate_overdue
from handlers.jobs.followup import follow_up
from handlers.jobs.reminders import send_reminders
from handlers.ops import messages as msg
from handlers.ops.attachments import link_ids
from handlers.ops.followers import add_follower, follower_count
from handlers.ops.notices import notify
from handlers.ops.privacy import mask_phones
from handlers.ops.services import Services
from storage import dialect
from storage.db import Database
from storage.models import ConversationState, Identity
from storage.repos.tickets import ticket_by_code
from storage.statemachine import OPEN_STATUSES, record

logger = logging.getLogger(__name__)

Job = Callable[[Database, Services], Awaitable[int]]

__all__ = ["daily_digest", "escalate_overdue", "expire_drafts", "follow_up", "send_reminders",
           "sweep", "weekly_summary"]


async def expire_drafts(db: Database, services: Services) -> int:
    """An unfinished report is never lost: when its conversation expires, a draft that waited
    for its place or its words becomes a triage ticket (with its photos), and one that was
    offered as 附议 and got no answer follows the open ticket, its words told to that ticket's
    holder (the offer is made only for the same problem; the words may still say more)."""
    now = services.clock.now()

    async def unit(session: AsyncSession) -> int:
        q = dialect.for_update(session, select(ConversationState).where(
            ConversationState.expires_at <= now), skip_locked=True)
        rows = (await session.scalars(q)).all()
        made = 0
        for row in rows:
            if row.state in DRAFTS:
                made += await _settle_draft(session, services, row, now)
            await session.delete(row)
        return made

    made = await db.run(unit)
    if made:
        logger.info("settled %d unanswered drafts", made)
    return made


async def _settle_draft(session: AsyncSession, services: Services, row: ConversationState,
                        now: datetime) -> int:
    ident = await session.scalar(select(Identity).where(
        Identity.channel == row.channel, Identity.external_id == row.external_id))
    if ident is None:
        return 0
    data = dict(row.data or {})
    photos = [int(i) for i in data.get("attachments") or []]
    if row.state == Conv.AWAITING_DUPLICATE:
        original = await ticket_by_code(session, data.get("code"))
        if original is not None and original.status in OPEN_STATUSES:
            await add_follower(session, original, ident.person, now)
            await link_ids(session, original, photos, actor_id=ident.person_id, at=now)
            words = mask_phones(str(data.get("text") or ""))
            record(session, original, "followed", actor_id=ident.person_id,
                   note=f"未回复，默认附议：{words}" if words else "未回复，默认附议", at=now)
            if words and original.assignee is not None:
                n = await follower_count(session, original)
                await notify(session, original.assignee,
                             f"【附议】工单 {original.code}（{msg.where(original)}）又有居民附议，"
                             f"共 {n} 人。附议人反映：{words}", at=now, ticket=original)
            await notify(session, ident.person,
                         f"您没有回复，已为您附议工单 {original.code}，处理进展会同样通知您。"
                         f"如需单独反映，请重新发送。", at=now, ticket=original)
            return 1
    # what the draft knew is kept (its compound's grid, else its community's desk; the best
    # category); whatever was missing, the triage desk completes it
    ticket = await file_draft(session, services, {**data, "attachments": []},
                              reporter=ident.person, now=now)
    await link_ids(session, ticket, photos, actor_id=ident.person_id, at=now)
    # which report this is: the resident may have written several since (trial 12)
    what = f"「{msg.short(str(data.get('text') or ''), 20)}」" if data.get("text") else "的问题"
    head = (f"您之前反映{what}信息不全，已交社区工作人员确认后处理。" if ticket.assignee is None
            else f"您之前反映{what}没有等到您的回复，已按现有信息登记派单。")
    await notify(session, ident.person, f"{head}\n{msg.accepted_reply(ticket, services)}",
                 at=now, ticket=ticket)
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
