"""Queries of tickets. They take a session and never commit."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nlp.normalize import to_halfwidth
from storage.models import Ticket


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
