"""Queries of tickets. They take a session and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nlp.normalize import to_halfwidth
from storage.models import Ticket, TicketEvent, TicketFollower
from storage.statemachine import FINAL_STATUSES, OPEN_STATUSES


async def ticket_by_code(session: AsyncSession, code: str | None) -> Ticket | None:
    """A ticket by its code as a person typed it: full-width digits, any case, spaces around.
    Codes are issued upper-case; one that came in from another system may not be."""
    wanted = to_halfwidth(code or "").strip().upper()
    if not wanted:
        return None
    t = (await session.scalars(select(Ticket).where(Ticket.code == wanted))).unique().first()
    if t is None:
        t = (await session.scalars(
            select(Ticket).where(func.upper(Ticket.code) == wanted))).unique().first()
    return t


async def events_of(session: AsyncSession, ticket_id: int) -> list[TicketEvent]:
    """A ticket's history in the order it happened."""
    return list((await session.scalars(select(TicketEvent).where(
        TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id))).all())


async def assigned_to(session: AsyncSession, person_id: str) -> list[Ticket]:
    """What a person holds (open or waiting for the rating), the most pressing first."""
    return list((await session.scalars(select(Ticket).where(
        Ticket.assignee_id == person_id, Ticket.status.in_(OPEN_STATUSES + ("resolved",)))
        .order_by(Ticket.resolve_by))).all())


async def of_resident(session: AsyncSession, person_id: str, *, limit: int = 10) -> list[Ticket]:
    """The tickets a resident reported or follows (附议), newest first."""
    followed = select(TicketFollower.ticket_id).where(TicketFollower.person_id == person_id)
    return list((await session.scalars(select(Ticket).where(
        or_(Ticket.reporter_id == person_id, Ticket.id.in_(followed)))
        .order_by(Ticket.id.desc()).limit(limit))).all())


async def latest_resolved_of(session: AsyncSession, reporter_id: str) -> Ticket | None:
    return await session.scalar(select(Ticket).where(
        Ticket.reporter_id == reporter_id, Ticket.status == "resolved")
        .order_by(Ticket.resolved_at.desc()).limit(1))


async def recent_open_of(session: AsyncSession, reporter_id: str,
                         since: datetime) -> Ticket | None:
    """The resident's open ticket made since `since`, the newest."""
    return await session.scalar(select(Ticket).where(
        Ticket.reporter_id == reporter_id, Ticket.status.in_(OPEN_STATUSES),
        Ticket.created_at >= since).order_by(Ticket.id.desc()).limit(1))


async def last_acted_on(session: AsyncSession, actor_id: str, since: datetime) -> Ticket | None:
    """The unfinished ticket this person last took a step on since `since`."""
    return await session.scalar(
        select(Ticket).join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
        .where(TicketEvent.actor_id == actor_id, TicketEvent.created_at >= since,
               Ticket.status.not_in(FINAL_STATUSES))
        .order_by(TicketEvent.id.desc()).limit(1))
