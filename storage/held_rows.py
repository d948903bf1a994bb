"""The rows of a ticket not written yet: its events and notices, held outside the session.

A new ticket gets its `created` and `assigned` events and its notices before it has an id,
and nothing in the unit reads them back. Added to the session they cost what the ORM spends
on any pending object (identity tracking, the save-update cascade to the ticket, and the
expunge before `storage.repos.tickets.flush_new` writes them as one multi-row INSERT each).
So they wait here, in the session's `info`, and `flush_new` takes them once the ticket has
its id. They are never lost: a flush of the session before that (an autoflush, an explicit
flush, the commit) takes them into itself, linked to their ticket, as the ORM would have
written them; a rollback drops them with everything else of the transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.models import Outbox, Ticket, TicketEvent

KEY = "held_rows"  # session.info: id(ticket) -> (ticket, [its events and notices])

Row = TicketEvent | Outbox


def hold(session: AsyncSession | Session, ticket: Ticket, row: Row) -> None:
    """Keep `row` (an event or notice of the new, unwritten `ticket`) for its INSERT. A ticket
    the session does not hold yet is linked the ORM's way (adding the row adds the ticket)."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    if ticket not in sync:
        row.ticket = ticket
        sync.add(row)
        return
    held = sync.info.get(KEY)
    if held is None:
        held = sync.info[KEY] = {}
    entry = held.get(id(ticket))
    if entry is None:
        held[id(ticket)] = (ticket, [row])
    else:
        entry[1].append(row)


def take(session: AsyncSession, ticket: Ticket) -> list[Row]:
    """The rows held for `ticket`, in the order they were made; the caller writes them."""
    held = session.sync_session.info.get(KEY)
    entry = held.pop(id(ticket), None) if held else None
    return entry[1] if entry is not None else []


def pending(session: AsyncSession | Session) -> list[Row]:
    """Every row still held (tests, and whoever wants to see what a commit would add)."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    return [row for _, rows in (sync.info.get(KEY) or {}).values() for row in rows]


@event.listens_for(Session, "before_flush")
def _into_the_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    held = session.info.pop(KEY, None)
    for ticket, rows in (held or {}).values():
        for row in rows:
            row.ticket = ticket  # written after it, with its id
            session.add(row)


@event.listens_for(Session, "after_rollback")
def _dropped(session: Session) -> None:
    session.info.pop(KEY, None)
