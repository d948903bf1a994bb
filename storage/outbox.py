"""Writing notices to the outbox (in the caller's transaction) and reading held ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import held_rows
from storage.models import Outbox, Ticket, new_row

URGENT, ORDINARY = 1, 0  # Outbox.priority
# pushes (customer-service messages) an Official Account may send per message the person
# sends, within 48 hours of it (bot.channels.sender holds the rest for their next message)
WINDOW_PUSHES = 5
PUSHES_USED = "pushes used up: held for next reply"  # Outbox.last_error of such a row


def enqueue(
    session: AsyncSession, *, channel: str, recipient: str, text: str, at: datetime,
    person_id: str | None = None, ticket_id: int | None = None, kind: str = "text",
    ticket: Ticket | None = None, urgent: bool = False,  # sent before ordinary ones
) -> Outbox:
    """Queue a text notice; it is sent only if the caller's transaction commits. A notice of
    a `ticket` not written yet is written with it (storage.held_rows)."""
    if ticket is not None and ticket.id is not None:
        ticket_id, ticket = ticket.id, None
    row = new_row(Outbox, channel=channel, recipient=recipient, person_id=person_id,
                  ticket_id=ticket_id, payload={"kind": kind, "text": text}, state="pending",
                  next_attempt_at=at, created_at=at, priority=URGENT if urgent else ORDINARY)
    if ticket is not None:
        held_rows.hold(session, ticket, row)
    else:
        session.add(row)
    return row


async def take_held(session: AsyncSession, channel: str, recipient: str,
                    at: datetime, room: int | None = None) -> tuple[list[Outbox], int]:
    """Notices that could not be pushed (window closed, pushes used up), delivered with the
    next reply: urgent first, then in order, as many as `room` UTF-8 bytes of reply hold (a
    line each); only those are marked sent. Also how many stay held for the message after."""
    rows = (await session.scalars(
        select(Outbox).where(Outbox.channel == channel, Outbox.recipient == recipient,
                             Outbox.state == "held")
        .order_by(Outbox.priority.desc(), Outbox.id)
    )).all()
    taken: list[Outbox] = []
    for row in rows:
        size = len(held_line(row).encode("utf-8")) + 1
        if room is not None and taken and size > room:
            break  # the first always goes: a reply cut short still shows the most urgent
        if room is not None:
            room -= size
        row.state = "sent"
        row.sent_at = at
        row.last_error = "delivered with a passive reply"
        taken.append(row)
    return taken, len(rows) - len(taken)


def held_line(row: Outbox) -> str:
    return f"· {row.payload.get('text', '')}"


UNREACHED = "unreached"  # a staff member with no channel yet: kept until they have one


def keep_unreached(session: AsyncSession, *, person_id: str, text: str, at: datetime,
                   ticket: Ticket | None = None, urgent: bool = False) -> Outbox:
    """A notice for a member of staff who has no channel yet (only a bind code): kept, with
    no recipient, until `release_unreached` gives it the channel they bind."""
    row = enqueue(session, channel="", recipient="", text=text, at=at, person_id=person_id,
                  ticket=ticket, urgent=urgent)
    row.state, row.last_error = UNREACHED, "no channel yet: kept until they bind"
    return row


async def release_unreached(session: AsyncSession, person_id: str, channel: str,
                            recipient: str, at: datetime,
                            fold: Callable[[list[str], bool], list[str]] | None = None,
                            fold_after: int = 0) -> int:
    """The notices kept for `person_id` go out on the channel they now have, urgent first,
    then oldest first; how many. With `fold`, once `fold_after` of one priority were kept
    they go as the digests `fold(texts, urgent)` makes instead (the Official Account pushes
    five messages per reply of the person's: 468 kept notices went out five at a time)."""
    rows = (await session.scalars(
        select(Outbox).where(Outbox.person_id == person_id, Outbox.state == UNREACHED)
        .order_by(Outbox.priority.desc(), Outbox.id))).all()
    groups: dict[int, list[Outbox]] = {}
    for row in rows:
        groups.setdefault(row.priority, []).append(row)
    for priority, kept in sorted(groups.items(), reverse=True):
        if fold is not None and fold_after and len(kept) >= fold_after:
            texts = [str((r.payload or {}).get("text", "")) for r in kept]
            for text in fold(texts, priority == URGENT):
                enqueue(session, channel=channel, recipient=recipient, text=text, at=at,
                        person_id=person_id, kind="digest", urgent=priority == URGENT)
            for row in kept:
                row.state, row.last_error = "folded", "folded into a digest when they bound"
            continue
        for row in kept:
            row.channel, row.recipient = channel, recipient
            row.state, row.next_attempt_at, row.last_error = "pending", at, None
    return len(rows)


async def unreached_count(session: AsyncSession, person_id: str) -> int:
    return len((await session.scalars(select(Outbox.id).where(
        Outbox.person_id == person_id, Outbox.state == UNREACHED))).all())
