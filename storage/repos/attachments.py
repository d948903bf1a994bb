"""Queries of attachments (photos, voice). They take a session and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment

MEDIA_DUE = "media_due"  # session.info["unit"]: this unit left files to fetch or delete


def note_media_work(session: AsyncSession) -> None:
    """This unit made work for the media store (an attachment to download, a file to delete):
    whoever commits it wakes the store instead of leaving it to its next poll."""
    session.info.setdefault("unit", {})[MEDIA_DUE] = True


def media_work(session: AsyncSession) -> bool:
    return bool(session.info.get("unit", {}).get(MEDIA_DUE))


async def of_ticket(session: AsyncSession, ticket_id: int) -> list[Attachment]:
    return list((await session.scalars(select(Attachment).where(
        Attachment.ticket_id == ticket_id).order_by(Attachment.id))).all())


async def by_media(session: AsyncSession, person_id: str, media_id: str) -> Attachment | None:
    return await session.scalar(select(Attachment).where(
        Attachment.media_id == media_id, Attachment.person_id == person_id))


async def held_by(session: AsyncSession, person_id: str, since: datetime) -> list[int]:
    """Ids of a person's photos and voice since `since` that no ticket has taken yet."""
    return list((await session.scalars(select(Attachment.id).where(
        Attachment.person_id == person_id, Attachment.ticket_id.is_(None),
        Attachment.state.in_(("pending", "downloaded")),
        Attachment.created_at >= since))).all())
