"""Attachments: photos and voice linked to a ticket with an event, and how they are described."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment, Ticket
from storage.statemachine import record


def describe(rows: list[Attachment]) -> str:
    """照片 2 张、语音 1 条."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.kind] = counts.get(r.kind, 0) + 1
    return "、".join(f"{KIND_NAMES[k][0]} {n} {KIND_NAMES[k][1]}" for k, n in counts.items()
                     if k in KIND_NAMES)


async def link_ids(session: AsyncSession, ticket: Ticket, ids: list[int], *,
                   actor_id: str | None, at: datetime) -> list[Attachment]:
    """Attach the still unattached attachments `ids` to `ticket`, with a history event (also
    for a draft the scheduler turns into a ticket: its state data's "attachments")."""
    if not ids:
        return []
    rows = list((await session.scalars(select(Attachment).where(
        Attachment.id.in_(ids), Attachment.ticket_id.is_(None)).order_by(Attachment.id))).all())
    for r in rows:
        r.ticket_id = ticket.id
    if rows:
        record(session, ticket, "attached", actor_id=actor_id, note=describe(rows), at=at)
    return rows


KIND_NAMES = {"image": ("照片", "张"), "voice": ("语音", "条"), "video": ("视频", "段")}
