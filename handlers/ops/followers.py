"""Followers (附议) and duplicates: the open ticket a new report repeats,
and who follows a ticket."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ops.geo import metres_between
from handlers.ops.tickets import Placement
from storage.models import Person, Ticket, TicketFollower
from storage.repo import normalize_building
from storage.statemachine import OPEN_STATUSES

if TYPE_CHECKING:
    from storage.config import Settings


async def find(session: AsyncSession, settings: Settings, now: datetime, *, person: Person,
               category: str, place: Placement, community_text: str | None,
               building: str | None, lng: float | None, lat: float | None,
               same: Callable[[Ticket], bool] | None = None) -> Ticket | None:
    """The latest open ticket of someone else that the new report repeats, if any. A
    resident's own tickets (reported or followed) are not offered: writing again about one's
    own matter may be a new occurrence, and seconding oneself means nothing. `same`: whether
    a ticket of the category and place is about the same problem (the caller's reading of the
    words); a ticket it refuses is passed over for an older one."""
    cfg = settings.duplicates
    since = now - timedelta(days=cfg.window_days)
    followed = select(TicketFollower.ticket_id).where(TicketFollower.person_id == person.id)
    # without an autoflush: what a unit has pending when a report is checked is the sender's
    # own rows (a resident and identity made in this unit, the push window's time) and the
    # conversation state, none of which this reads (tickets and followers are flushed where
    # they change). A new resident and identity then go with the ticket's own INSERT
    # (storage.repos.tickets.flush_new: on PostgreSQL one statement for all of them) instead
    # of an ORM flush of their own here.
    with session.no_autoflush:
        rows = (await session.scalars(select(Ticket).where(
            Ticket.category == category, Ticket.status.in_(OPEN_STATUSES),
            Ticket.created_at >= since, Ticket.id.not_in(followed),
            or_(Ticket.reporter_id.is_(None), Ticket.reporter_id != person.id))
            .order_by(Ticket.id.desc()).limit(200))).unique().all()
    wanted = normalize_building(building)
    community_id = place.community.id if place.community else None
    for t in rows:
        if lng is not None and lat is not None and t.lng is not None and t.lat is not None:
            if metres_between(lng, lat, t.lng, t.lat) <= cfg.radius_metres and \
                    (same is None or same(t)):
                return t
            continue
        if wanted is None or normalize_building(t.building) != wanted:
            continue
        if community_id and t.community_id and community_id != t.community_id:
            continue
        if community_text and t.community_text == community_text and (same is None or same(t)):
            return t
    return None


async def follower_count(session: AsyncSession, ticket: Ticket) -> int:
    return int(await session.scalar(select(func.count()).select_from(TicketFollower).where(
        TicketFollower.ticket_id == ticket.id)) or 0)


async def is_follower(session: AsyncSession, ticket: Ticket, person: Person) -> bool:
    return await session.scalar(select(TicketFollower.id).where(
        TicketFollower.ticket_id == ticket.id, TicketFollower.person_id == person.id)) is not None


async def add_follower(session: AsyncSession, ticket: Ticket, person: Person,
                       at: datetime) -> bool:
    """False when they already report or follow it."""
    if person.id == ticket.reporter_id or await is_follower(session, ticket, person):
        return False
    session.add(TicketFollower(ticket_id=ticket.id, person_id=person.id, created_at=at))
    await session.flush()
    return True
