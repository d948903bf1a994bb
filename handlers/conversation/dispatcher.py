"""Picks the router for the sender's role and runs the first matching handler."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.conversation.context import Ctx
from handlers.conversation.routers import routers_for
from handlers.conversation.text import normalize
from handlers.conversation.types import Update
from handlers.ops.privacy import mask_phones, tag
from handlers.ops.services import Services
from storage import dialect, outbox, repo
from storage.models import Identity, Person
from storage.repos import conversations, people

logger = logging.getLogger(__name__)

# WeChat shows nothing for a passive text reply longer than this (the gateway cuts it there:
# bot.gateway.message.MAX_REPLY_BYTES); held notices fill what the answer leaves of it
REPLY_BYTES = 2048
_HELD_FRAME_BYTES = 120  # «您有 N 条新消息：», «（另有 M 条…）» and the blank line
NOT_STAFF = "您不在本区网格工作人员名单中，请联系社区管理员开通。"
# events a person causes on purpose: they open the customer-service window and their passive
# reply is shown (a LOCATION report, a VIEW or unsubscribe do neither)
ANSWERABLE_EVENTS = frozenset({"subscribe", "scan", "click"})
WINDOW_SLACK = timedelta(minutes=10)
# how often a message looks for a retrained model file (a stat of it: per process, not per
# message; `gridbot nlp train` is run by hand and takes minutes)
MODEL_CHECK_SECONDS = 5.0


def _window_moves(identity: Identity, now: datetime) -> bool:
    """Whether this message must be written as the start of the 48 h push window. A burst
    from one resident records it once per WINDOW_SLACK: the window may then close up to that
    much early, never late, and no push is lost (a closed window holds it for the next reply)."""
    last = identity.last_inbound_at
    return last is None or identity.pushes_since_inbound != 0 or now - last >= WINDOW_SLACK


def _answerable(update: Update) -> bool:
    return update.type != "event" or (update.event or "").lower() in ANSWERABLE_EVENTS


class Dispatcher:
    def __init__(self, services: Services, *, model_check_seconds: float = MODEL_CHECK_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.services = services
        self.model_check_seconds = model_check_seconds
        self._monotonic = monotonic
        self._model_checked_at = float("-inf")

    def _model_fresh(self) -> None:
        """A retrained model file is taken up without a restart, looked for at most every
        `model_check_seconds`."""
        now = self._monotonic()
        if now - self._model_checked_at >= self.model_check_seconds:
            self._model_checked_at = now
            self.services.analyzer.reload_if_changed()

    async def handle(self, session: AsyncSession, update: Update) -> str | None:
        """The passive reply for `update` (None: nothing to say). Runs inside the caller's
        unit of work: every write here commits with the reply or not at all."""
        # before anything of the sender is read: a message of theirs processed at the same time
        # (another worker, another task) commits first, and this one reads what it left
        await dialect.sender_xact_lock(session, update.channel, update.sender)
        now = self.services.clock.now()
        self._model_fresh()  # a retrained model, without a restart
        await repo.district_fresh(session)  # a place imported a moment ago, without a restart
        found = await people.sender(session, update.channel, update.sender)
        person, identity = await self._sender(session, update, found, now)
        if person is None or identity is None:
            return NOT_STAFF if update.type != "event" else None
        if update.channel == "mp" and _answerable(update) and _window_moves(identity, now):
            identity.last_inbound_at = now
            identity.pushes_since_inbound = 0
        state = await conversations.unexpired(session, found.state, now)
        ctx = Ctx(session=session, update=update, services=self.services, person=person,
                  identity=identity, now=now, text=normalize(update.text), state=state)
        reply = await self._route(ctx)
        if found.has_held and update.channel == "mp" and _answerable(update):
            # what was kept for them, in the room the answer leaves of one passive reply:
            # urgent first; what does not fit stays held for their next message, and nothing
            # is marked delivered that the reply does not show (trial 15: 95 kept, 6 shown)
            room = REPLY_BYTES - len((reply or "").encode("utf-8")) - _HELD_FRAME_BYTES
            held, left = await outbox.take_held(session, update.channel, update.sender, now,
                                                room=room)
            if held:
                news = "\n".join(outbox.held_line(row) for row in held)
                more = f"\n（另有 {left} 条，回复任意消息继续查看）" if left else ""
                head = f"您有 {len(held) + left} 条新消息：\n{news}{more}"
                reply = f"{head}\n\n{reply}" if reply else head
        if logger.isEnabledFor(logging.INFO):  # masking costs more than the line
            logger.info("%s %s from %s → %s", update.channel, update.type, tag(update.sender),
                        mask_phones((reply or "")[:60]))
        return reply

    async def _route(self, ctx: Ctx) -> str | None:
        for router in routers_for(ctx):
            handled, reply = await router.dispatch(ctx)
            if handled:
                return reply or None
        return None

    async def _sender(self, session: AsyncSession, update: Update, found: people.Sender,
                      now: datetime) -> tuple[Person | None, Identity | None]:
        ident = found.identity
        if update.channel == "work":
            person = ident.person if ident is not None else None
            if person is None or not person.active:
                logger.warning("WeCom message from unknown member %s", tag(update.sender))
                return None, None
            return person, ident
        if ident is not None:
            return ident.person, ident
        if update.event == "unsubscribe":
            return None, None
        return await people.new_resident(session, "mp", update.sender, now)
