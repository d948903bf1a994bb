"""Queries of tickets. They take a session and never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, bindparam, event, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from nlp.normalize import to_halfwidth
from storage import repo
from storage.models import Outbox, Ticket, TicketEvent, TicketFollower
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


def _just_created(session: AsyncSession, person_id: str) -> bool:
    return person_id in session.info.get("unit", {}).get("new_people", ())


RESIDENT_WINDOW = 20  # the most of a resident's tickets the conversation asks for at once
_FOLLOWED = select(TicketFollower.ticket_id).where(
    TicketFollower.person_id == bindparam("person"))
_MINE = (select(Ticket.id).where(or_(Ticket.reporter_id == bindparam("person"),
                                     Ticket.id.in_(_FOLLOWED)))
         .order_by(Ticket.id.desc()).limit(RESIDENT_WINDOW))
_RESOLVED = (select(Ticket.id).where(Ticket.reporter_id == bindparam("person"),
                                     Ticket.status == "resolved")
             .order_by(Ticket.resolved_at.desc()).limit(1))
# one statement for both questions the conversation asks of every resident's message (is a
# rating due? does this repeat or add to a report?), built once
_RESIDENT = (select(Ticket, Ticket.id.in_(_RESOLVED).label("latest"))
             .where(or_(Ticket.id.in_(_MINE), Ticket.id.in_(_RESOLVED)))
             .order_by(Ticket.id.desc()))


async def _resident(session: AsyncSession, person_id: str) -> tuple[list[Ticket], Ticket | None]:
    """(their newest RESIDENT_WINDOW tickets reported or followed, their latest resolved
    report), read once per unit and again only after something was written."""
    memo = session.info.setdefault("unit", {}).setdefault("of_resident", {})
    clean = not session.new and not session.dirty and not session.deleted
    cached = memo.get(person_id)
    if clean and cached is not None:
        return cached
    rows = (await session.execute(_RESIDENT, {"person": person_id})).all()
    latest = next((t for t, is_latest in rows if is_latest), None)
    # the latest resolved one is theirs too: when it is not among the newest, it sorts last
    found = memo[person_id] = ([t for t, _ in rows][:RESIDENT_WINDOW], latest)
    return found


async def of_resident(session: AsyncSession, person_id: str, *, limit: int = 10) -> list[Ticket]:
    """The tickets a resident reported or follows (附议), newest first."""
    if _just_created(session, person_id):
        return []  # a resident created in this very unit has none yet: no query
    if limit > RESIDENT_WINDOW:
        followed = select(TicketFollower.ticket_id).where(TicketFollower.person_id == person_id)
        return list((await session.scalars(select(Ticket).where(
            or_(Ticket.reporter_id == person_id, Ticket.id.in_(followed)))
            .order_by(Ticket.id.desc()).limit(limit))).all())
    return (await _resident(session, person_id))[0][:limit]


@event.listens_for(Session, "after_flush")
def _forget(session: Session, _ctx: object) -> None:
    session.info.get("unit", {}).pop("of_resident", None)  # written since: ask again


async def latest_resolved_of(session: AsyncSession, reporter_id: str) -> Ticket | None:
    if _just_created(session, reporter_id):
        return None
    return (await _resident(session, reporter_id))[1]


async def recent_open_of(session: AsyncSession, reporter_id: str,
                         since: datetime) -> Ticket | None:
    """The resident's open ticket made since `since`, the newest."""
    if _just_created(session, reporter_id):
        return None
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


def _value(obj: object, column: Column) -> object:
    """The attribute, or the column's Python default the ORM would have applied."""
    value = getattr(obj, column.key)
    if value is None and column.default is not None:
        default = column.default
        value = default.arg(None) if default.is_callable else default.arg  # type: ignore
    return value


async def settle(session: AsyncSession, ticket: Ticket,
                 rows: list[TicketEvent | Outbox] = ()) -> None:  # type: ignore[assignment]
    """Give `ticket` its real code in place of its stand-in (storage.repo.provisional_code),
    also in the texts of its pending events and notices (`rows`) written with the stand-in."""
    if not repo.is_provisional(ticket.code):
        return
    stand_in = ticket.code
    real = await repo.settle_code(session, stand_in)
    ticket.code = real
    for obj in rows:
        if isinstance(obj, Outbox):
            text = (obj.payload or {}).get("text")
            if isinstance(text, str) and stand_in in text:
                obj.payload = {**obj.payload, "text": text.replace(stand_in, real)}
        elif obj.note and stand_in in obj.note:
            obj.note = obj.note.replace(stand_in, real)


def _linked_to(obj: object, ticket: Ticket) -> bool:
    return sa_inspect(obj).attrs.ticket.loaded_value is ticket


async def flush_new(session: AsyncSession, ticket: Ticket) -> None:
    """Write a new ticket with its pending events and notices in three statements.

    The ORM inserts rows one at a time on SQLite (it cannot match RETURNING rows to objects
    there), and nothing reads these events or notices back in the unit: so they leave the
    session and go as one multi-row INSERT each, once the ticket has its id."""
    rows = [o for o in session.new
            if isinstance(o, TicketEvent | Outbox) and _linked_to(o, ticket)]
    for obj in rows:
        session.expunge(obj)
    await settle(session, ticket, rows)
    await session.flush()
    for model in (TicketEvent, Outbox):
        mine = [o for o in rows if isinstance(o, model)]
        if not mine:
            continue
        cols, stmt = _insert_of(model)
        values = []
        for obj in mine:
            obj.ticket_id = ticket.id
            values.append({c.key: _value(obj, c) for c in cols})
        conn = await session.connection()  # Core, not ORM bulk: it would split on NULLs
        await conn.execute(stmt, values)


_INSERTS: dict[type, tuple[list[Column], Any]] = {}


def _insert_of(model: type) -> tuple[list[Column], Any]:
    """The columns and the INSERT of `model`'s table, built once."""
    found = _INSERTS.get(model)
    if found is None:
        table = model.__table__  # type: ignore[attr-defined]
        found = _INSERTS[model] = ([c for c in table.columns if c.key != "id"], table.insert())
    return found
