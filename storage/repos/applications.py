"""Queries of correspondents' applications. They take a session and never commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CorrespondentApplication


async def pending_of(session: AsyncSession, person_id: str) -> CorrespondentApplication | None:
    return await session.scalar(select(CorrespondentApplication).where(
        CorrespondentApplication.person_id == person_id,
        CorrespondentApplication.state == "pending").order_by(CorrespondentApplication.id))
