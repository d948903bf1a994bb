"""Scheduled jobs (APScheduler 3, Asia/Shanghai): plain async functions over the storage.

Each job is idempotent: it claims the rows it works on inside one unit of work, so a restart or
a second worker never does the same work twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.keys import DB, DISPATCHER, SENDER, SETTINGS
from handlers import messages as msg
from handlers.context import Services, notify
from handlers.tickets import Placement, create_ticket
from storage.clock import SHANGHAI
from storage.db import Database
from storage.models import ConversationState, Identity

logger = logging.getLogger(__name__)


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


def start_scheduler(app: web.Application) -> AsyncIOScheduler | None:
    settings = app[SETTINGS]
    if not settings.scheduler.enabled:
        return None
    scheduler = AsyncIOScheduler(timezone=SHANGHAI)
    services = app[DISPATCHER].services

    async def sweep() -> None:
        try:
            if await expire_drafts(app[DB], services) and SENDER in app:
                app[SENDER].wake()
        except Exception:  # a failed sweep must not stop the next one
            logger.exception("sweep failed")

    scheduler.add_job(sweep, "interval", seconds=settings.scheduler.sweep_seconds, id="sweep",
                      max_instances=1, coalesce=True)
    scheduler.start()
    logger.info("scheduler started (sweep every %ss)", settings.scheduler.sweep_seconds)
    return scheduler
