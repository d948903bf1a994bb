"""Resolved but unrated: ask the resident once more, then close the ticket unrated.

A ticket in `resolved` has not been rated since it was resolved (a rating of 1–3 closes it,
4 reopens it), so that status alone says who to follow up. Both delays run from `resolved_at`
on clock time; a ticket reopened and resolved again is followed up again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.conversation.states import Conv
from handlers.jobs.deadlines import claim, locked_ticket, nominal, people_on
from handlers.ops import messages as msg
from handlers.ops.notices import notify
from handlers.ops.services import Services
from storage.clock import local_text
from storage.db import Database
from storage.models import ConversationState, Ticket
from storage.repos.conversations import clear_state, set_state
from storage.repos.people import identities_of
from storage.sla import parse_duration
from storage.statemachine import record, transition

logger = logging.getLogger(__name__)

# states a rating request must not overwrite: the resident is in the middle of something
KEEP_STATES = (Conv.AWAITING_LOCATION, Conv.ANSWERING)
_UNITS = {"m": "分钟", "h": "小时", "d": "天"}


def spoken(duration: str) -> str:
    amount, unit = parse_duration(duration)
    return f"{amount:g}{_UNITS[unit]}"


async def follow_up(db: Database, services: Services) -> int:
    """Ask for the rating `ask_after` a resolution, close unrated `close_after` it; the number
    of tickets asked or closed."""
    now = services.clock.now()
    cfg = services.settings.followup
    ask_after, close_after = nominal(cfg.ask_after), nominal(cfg.close_after)

    async def due(session: AsyncSession) -> tuple[list[int], list[int]]:
        rows = (await session.execute(select(Ticket.id, Ticket.resolved_at, Ticket.followup_at)
                                      .where(Ticket.status == "resolved",
                                             Ticket.resolved_at.is_not(None)))).all()
        close = [r.id for r in rows if r.resolved_at + close_after <= now]
        ask = [r.id for r in rows if r.id not in close and r.resolved_at + ask_after <= now
               and (r.followup_at is None or r.followup_at < r.resolved_at)]
        return close, ask

    close, ask = await db.read(due)
    done = 0
    for ticket_id in close:
        async def closing(session: AsyncSession, ticket_id: int = ticket_id) -> int:
            return await _close(session, services, ticket_id, now, close_after)

        done += await db.run(closing)
    for ticket_id in ask:
        async def asking(session: AsyncSession, ticket_id: int = ticket_id) -> int:
            return await _ask(session, services, ticket_id, now, ask_after, close_after)

        done += await db.run(asking)
    if done:
        logger.info("followed up %d resolved tickets (%d closed unrated)", done, len(close))
    return done


async def _ask(session: AsyncSession, services: Services, ticket_id: int, now: datetime,
               ask_after: timedelta, close_after: timedelta) -> int:
    t = await locked_ticket(session, ticket_id)
    if t is None or t.status != "resolved" or t.resolved_at is None:
        return 0
    if t.resolved_at + ask_after > now or (t.followup_at and t.followup_at >= t.resolved_at):
        return 0
    if not await claim(session, f"followup:{t.id}:{t.resolved_at.isoformat()}", now):
        return 0
    t.followup_at = now
    record(session, t, "reminded", actor_id=None, note="办结后未评价，再次请居民评价", at=now)
    reporter = t.reporter
    if reporter is None:
        return 1
    await notify(session, reporter,
                 f"您反映的问题（{t.code}）已于 {local_text(t.resolved_at)} 办结，"
                 f"还没有收到您的评价。\n{msg.RATING_PROMPT}（也可发送「评价 {t.code} 数字」）",
                 at=now, ticket=t)
    mp = (await identities_of(session, reporter)).get("mp")
    if mp is not None:
        state = await session.scalar(select(ConversationState).where(
            ConversationState.channel == "mp", ConversationState.external_id == mp.external_id))
        if state is None or state.expires_at <= now or state.state not in KEEP_STATES:
            # a bare digit answers this prompt until the ticket closes unrated
            until = max(t.resolved_at + close_after, now + timedelta(hours=1))
            await set_state(session, "mp", mp.external_id, Conv.AWAITING_RATING, {"code": t.code},
                            until)
    return 1


async def _close(session: AsyncSession, services: Services, ticket_id: int, now: datetime,
                 close_after: timedelta) -> int:
    t = await locked_ticket(session, ticket_id)
    if t is None or t.status != "resolved" or t.resolved_at is None \
            or t.resolved_at + close_after > now:
        return 0
    waited = spoken(services.settings.followup.close_after)
    transition(session, t, "close", actor_id=None, actor_role="system",
               note=f"办结后{waited}未评价，自动关闭", at=now)
    for person in await people_on(session, t):
        await notify(session, person, f"工单 {t.code} 办结后{waited}居民未评价，已自动关闭。",
                     at=now, ticket=t)
    if t.reporter is not None:
        mp = (await identities_of(session, t.reporter)).get("mp")
        state = await session.scalar(select(ConversationState).where(
            ConversationState.channel == "mp",
            ConversationState.external_id == mp.external_id)) if mp is not None else None
        if state is not None and state.state == Conv.AWAITING_RATING \
                and state.data.get("code") == t.code:
            await clear_state(session, "mp", state.external_id)
    return 1
