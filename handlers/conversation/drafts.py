"""A report's pieces: the open draft kept in the conversation state, and the photos and voice
that join a draft or a ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from handlers.conversation.context import Ctx
from handlers.conversation.states import DRAFTS
from handlers.ops.attachments import describe, link_ids
from storage.models import Attachment, Ticket
from storage.repos import attachments as attachment_rows
from storage.repos import tickets


def voice_media(ctx: Ctx) -> str | None:
    """The media id of the recognised voice message this text came from, if it did."""
    return ctx.update.media_id if ctx.update.type == "text" else None


async def new_attachment(ctx: Ctx, kind: str, media_id: str) -> Attachment:
    """Unattached until a ticket takes it (`link`); due for download at once."""
    row = Attachment(person_id=ctx.person.id, channel=ctx.update.channel, kind=kind,
                     media_id=media_id, state="pending", next_attempt_at=ctx.now,
                     created_at=ctx.now)
    ctx.session.add(row)
    await ctx.session.flush()
    attachment_rows.note_media_work(ctx.session)
    return row


async def voice_attachment_ids(ctx: Ctx) -> list[int]:
    """The recognised voice message behind this text as an attachment (made once)."""
    media_id = voice_media(ctx)
    if not media_id:
        return []
    row = await attachment_rows.by_media(ctx.session, ctx.person.id, media_id)
    return [(row or await new_attachment(ctx, "voice", media_id)).id]


async def link(ctx: Ctx, ticket: Ticket, ids: list[int]) -> list[Attachment]:
    return await link_ids(ctx.session, ticket, ids, actor_id=ctx.person.id, at=ctx.now)


async def link_draft(ctx: Ctx, ticket: Ticket, draft: dict[str, Any]) -> list[Attachment]:
    return await link(ctx, ticket, await draft_attachment_ids(ctx, draft))


async def draft_attachment_ids(ctx: Ctx, draft: dict[str, Any]) -> list[int]:
    """The photos held with a draft and this message's own recording, for its ticket."""
    return list(draft.get("attachments") or []) + await voice_attachment_ids(ctx)


def draft_of(ctx: Ctx) -> dict[str, Any]:
    st = ctx.state
    return dict(st.data or {}) if st is not None and st.state in DRAFTS else {}


async def recent_ticket(ctx: Ctx) -> Ticket | None:
    """The resident's open ticket made in the last minutes: a photo now belongs to it."""
    since = ctx.now - timedelta(minutes=ctx.settings.media.attach_minutes)
    return await tickets.recent_open_of(ctx.session, ctx.person.id, since)


async def last_acted(ctx: Ctx) -> Ticket | None:
    """The ticket this person last acted on, if recently and it is not final."""
    since = ctx.now - timedelta(minutes=ctx.settings.media.officer_photo_minutes)
    return await tickets.last_acted_on(ctx.session, ctx.person.id, since)


async def attach_evidence(ctx: Ctx, ticket: Ticket) -> str:
    """进度/办结: the officer's photos held from the last minutes, and this message's own
    recording when it was spoken, join the ticket. A phrase for the reply ('' if none)."""
    since = ctx.now - timedelta(minutes=ctx.settings.media.officer_photo_minutes)
    held = await attachment_rows.held_by(ctx.session, ctx.person.id, since)
    rows = await link(ctx, ticket, list(held) + await voice_attachment_ids(ctx))
    return f"（已附{describe(rows)}）" if rows else ""
