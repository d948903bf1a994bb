"""Conversation state per identity (channel, external id), with an expiry. Never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState


async def set_state(session: AsyncSession, channel: str, external_id: str, name: str,
                    data: dict[str, Any], expires_at: datetime) -> None:
    row = await session.scalar(select(ConversationState).where(
        ConversationState.channel == channel, ConversationState.external_id == external_id))
    if row is None:
        session.add(ConversationState(channel=channel, external_id=external_id, state=name,
                                      data=data, expires_at=expires_at))
    else:
        row.state, row.data, row.expires_at = name, data, expires_at


async def clear_state(session: AsyncSession, channel: str, external_id: str) -> None:
    await session.execute(delete(ConversationState).where(
        ConversationState.channel == channel, ConversationState.external_id == external_id))


async def current_state(session: AsyncSession, channel: str, external_id: str,
                        now: datetime) -> ConversationState | None:
    """The identity's state, or None; an expired one is deleted on the way."""
    row = await session.scalar(select(ConversationState).where(
        ConversationState.channel == channel, ConversationState.external_id == external_id))
    return await unexpired(session, row, now)


async def unexpired(session: AsyncSession, row: ConversationState | None,
                    now: datetime) -> ConversationState | None:
    """`row` while it holds; an expired one is deleted on the way."""
    if row is not None and row.expires_at <= now:
        await session.execute(delete(ConversationState).where(ConversationState.id == row.id))
        return None
    return row
