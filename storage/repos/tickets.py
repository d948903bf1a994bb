"""Queries of tickets. They take a session and never commit."""

from __future__ import annotations

from sqlalchemy import Column, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession

from nlp.normalize import to_halfwidth
from storage.models import Outbox, Ticket, TicketEvent


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


def _value(obj: object, column: Column) -> object:
    """The attribute, or the column's Python default the ORM would have applied."""
    value = getattr(obj, column.key)
    if value is None and column.default is not None:
        default = column.default
        value = default.arg(None) if default.is_callable else default.arg  # type: ignore
    return value


def _linked_to(obj: object, ticket: Ticket) -> bool:
    return sa_inspect(obj).attrs.ticket.loaded_value is ticket


async def flush_new(session: AsyncSession, ticket: Ticket) -> None:
    """Write a new ticket with its pending events and notices in three statements.

    The ORM inserts rows one at a time on SQLite (it cannot match RETURNING rows to objects
    there), and nothing reads these events or notices back in the unit: so they leave the
    session and go as one multi-row INSERT each, once the ticket has its id."""
    rows = [o for o in session.new if isinstance(o, TicketEvent | Outbox) and _linked_to(o, ticket)]
    for obj in rows:
        session.expunge(obj)
    await session.flush()
    for model in (TicketEvent, Outbox):
        mine = [o for o in rows if isinstance(o, model)]
        if not mine:
            continue
        cols = [c for c in model.__table__.columns if c.key != "id"]
        values = []
        for obj in mine:
            obj.ticket_id = ticket.id
            values.append({c.key: _value(obj, c) for c in cols})
        conn = await session.connection()  # Core, not ORM bulk: it would split on NULLs
        await conn.execute(model.__table__.insert(), values)
