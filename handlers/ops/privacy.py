"""Erasure on `unsubscribe`, and phone numbers masked in every log line.

When a resident stops following the Official Account their personal data goes: the person's
name, phone and home address, their Official Account identity (openid, last position),
conversation state, follower links and correspondent applications; the raw XML of every
message they sent and the payloads of every notice to them are replaced by a marker, and their
openid there by a random pseudonym. Their tickets stay, anonymised (no contact, no room number,
phone numbers masked), so the district's statistics survive. Voice recordings (a voice is
personal) and media that never joined a ticket are deleted by `bot.channels.media_store`;
photos on a ticket stay with it as evidence of the problem.

A staff member who unfollows only loses the Official Account binding: their work data belongs
to the district file.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ops.roles import STAFF_ROLES
from storage.models import (
    Attachment,
    CorrespondentApplication,
    Identity,
    InboundMessage,
    Outbox,
    Person,
    Ticket,
    TicketEvent,
    TicketFollower,
)
from storage.repos import attachments as attachment_rows
from storage.repos.conversations import clear_state

logger = logging.getLogger(__name__)

REDACTED = "[已删除：用户取消关注，个人信息已按隐私政策清除]"
ERASE = "erase"  # an attachment whose file bot.channels.media_store deletes (then "erased")
ERASED = "erased"


def pseudonym() -> str:
    """Stands in for an erased openid: keeps rows distinct, links to nobody."""
    return f"erased-{secrets.token_hex(8)}"


async def redact_channel_records(session: AsyncSession, channel: str,
                                 external_id: str) -> str:
    """Raw inbound payloads and outbox payloads of one openid/userid; returns its pseudonym."""
    alias = pseudonym()
    inbound = (await session.scalars(select(InboundMessage).where(
        InboundMessage.channel == channel, InboundMessage.from_user == external_id))).all()
    for row in inbound:
        row.raw, row.reply, row.from_user = REDACTED, None, alias
        # the dedupe key holds the openid too; the rest of the key keeps it unique
        row.dedupe_key = row.dedupe_key.replace(external_id, alias)
    await session.execute(
        update(Outbox).where(Outbox.channel == channel, Outbox.recipient == external_id,
                             Outbox.state.in_(("pending", "sending", "held")))
        .values(state="failed", last_error="recipient unsubscribed: erased", sent_at=None))
    await session.execute(
        update(Outbox).where(Outbox.channel == channel, Outbox.recipient == external_id)
        .values(payload={"kind": "redacted", "text": REDACTED}, recipient=alias))
    logger.info("redacted %d inbound messages of an unsubscribed %s user (now %s)",
                len(inbound), channel, alias)
    return alias


async def erase(session: AsyncSession, person: Person, identity: Identity) -> None:
    """Everything personal about the owner of `identity`, in the caller's transaction."""
    channel, external_id = identity.channel, identity.external_id
    await clear_state(session, channel, external_id)
    await redact_channel_records(session, channel, external_id)
    await session.delete(identity)
    await session.flush()
    if person.has_role(*STAFF_ROLES):
        logger.info("staff member %s unbound from %s on unsubscribe", person.id, channel)
        return
    left = await session.scalar(select(Identity.id).where(Identity.person_id == person.id))
    if left is not None:  # still reachable elsewhere: only this channel's records go
        return
    person.name, person.phone, person.home_address, person.active = "", None, None, False
    await session.execute(delete(TicketFollower).where(TicketFollower.person_id == person.id))
    await session.execute(update(CorrespondentApplication).where(
        CorrespondentApplication.person_id == person.id).values(name="", phone=None))
    tickets = (await session.scalars(select(Ticket).where(
        Ticket.reporter_id == person.id))).unique().all()
    for t in tickets:
        t.text, t.contact, t.room = mask_phones(t.text), None, None
    events = (await session.scalars(select(TicketEvent).where(
        TicketEvent.actor_id == person.id, TicketEvent.note.is_not(None)))).all()
    for e in events:
        e.note = mask_phones(e.note or "")
    media = (await session.scalars(select(Attachment).where(
        Attachment.person_id == person.id,
        or_(Attachment.kind == "voice", Attachment.ticket_id.is_(None)),
        Attachment.state.not_in((ERASE, ERASED))))).all()
    for a in media:
        a.state = ERASE if a.path else ERASED
        a.media_id = ""
    if media:
        attachment_rows.note_media_work(session)
    logger.info("erased personal data of %s on unsubscribe (%d tickets kept anonymised)",
                person.id, len(tickets))


class MaskPhones(logging.Filter):
    """A handler filter: 138****0001 in every log line, whatever logged it, tracebacks and the
    exception's own text included (a failed INSERT quotes the row it tried to write)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phones(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_phones(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_phones(record.stack_info)
        return True


class OneLine(logging.Formatter):
    """Each record on one line: the line feeds of a message (a reply, a notice) and of a
    traceback become « ⏎ », so every line of the log starts with its time, level and pid and
    a grep for a time or a pid finds the whole record (a trial found 62 % of the lines
    without a time stamp)."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "").replace("\n", " ⏎ ")


def tag(external_id: str | None) -> str:
    """An openid or WeCom userid fit for a log line: a short stable hash, never the id (the
    same person gets the same tag, so a log can still be followed)."""
    if not external_id:
        return "-"
    return "u" + hashlib.sha256(external_id.encode()).hexdigest()[:10]


# a mainland mobile number, also written +86 …, 3-4-4 with '-' or spaces, or in full-width
# digits; never a run of digits inside a longer number (an ID card or order number)
_D = "[0-9０-９]"


_PHONE_RE = re.compile(
    rf"(?<![0-9０-９])(?:\+?86[-\s]?)?([1１][3-9３-９]{_D})[-\s]?{_D}{{4}}[-\s]?({_D}{{4}})"
    rf"(?![0-9０-９])"
)


def mask_phones(text: str | None) -> str | None:
    """138****0001: phone numbers never appear whole in a message or a log line."""
    if not text:
        return text
    return _PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
