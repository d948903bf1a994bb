"""Picks the router for the sender's role and runs the first matching handler."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.conversation import correspondents, duplicates, handoffs, media, officers, residents
from handlers.conversation.context import Ctx
from handlers.conversation.text import normalize
from handlers.conversation.types import Update
from handlers.ops.privacy import mask_phones
from handlers.ops.roles import STAFF_ROLES
from handlers.ops.services import Services
from storage import outbox, repo
from storage.models import ConversationState, Identity, Person

logger = logging.getLogger(__name__)

NOT_STAFF = "您不在本区网格工作人员名单中，请联系社区管理员开通。"
# events a person causes on purpose: they open the customer-service window and their passive
# reply is shown (a LOCATION report, a VIEW or unsubscribe do neither)
ANSWERABLE_EVENTS = frozenset({"subscribe", "scan", "click"})


def _answerable(update: Update) -> bool:
    return update.type != "event" or (update.event or "").lower() in ANSWERABLE_EVENTS


class Dispatcher:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def handle(self, session: AsyncSession, update: Update) -> str | None:
        """The passive reply for `update` (None: nothing to say). Runs inside the caller's
        unit of work: every write here commits with the reply or not at all."""
        now = self.services.clock.now()
        self.services.analyzer.reload_if_changed()  # a retrained model, without a restart
        person, identity = await self._sender(session, update, now)
        if person is None or identity is None:
            return NOT_STAFF if update.type != "event" else None
        if update.channel == "mp" and _answerable(update):
            identity.last_inbound_at = now
            identity.pushes_since_inbound = 0
        state = await self._state(session, update, now)
        ctx = Ctx(session=session, update=update, services=self.services, person=person,
                  identity=identity, now=now, text=normalize(update.text), state=state)
        held = await outbox.take_held(session, update.channel, update.sender, now) \
            if update.channel == "mp" and _answerable(update) else []
        reply = await self._route(ctx)
        if held:
            news = "\n".join(f"· {row.payload.get('text', '')}" for row in held)
            head = f"您有 {len(held)} 条工单进展：\n{news}"
            reply = f"{head}\n\n{reply}" if reply else head
        logger.info("%s %s → %s", update.channel, update.type, mask_phones((reply or "")[:60]))
        return reply

    async def _route(self, ctx: Ctx) -> str | None:
        routers = [media.router]  # issue 5: photos, voice, locations (voice → text) first
        if ctx.person.has_role(*STAFF_ROLES):
            # correspondents (issue 5): 通过/拒绝/核实/驳回/兑换 before the officers' fallback
            routers += [officers.router, handoffs.router, correspondents.staff_router,
                        duplicates.router, officers.fallback_router]
        if ctx.update.channel == "mp":
            # correspondents (issue 5): 注册通讯员/积分/积分排行 before the resident's words
            routers += [correspondents.router, residents.router]
        for router in routers:
            handled, reply = await router.dispatch(ctx)
            if handled:
                return reply or None
        return None

    async def _sender(self, session: AsyncSession, update: Update,
                      now: datetime) -> tuple[Person | None, Identity | None]:
        if update.channel == "work":
            person = await repo.person_by_identity(session, "work", update.sender)
            if person is None or not person.active:
                logger.warning("WeCom message from unknown member %s", update.sender)
                return None, None
            ident = await session.scalar(select(Identity).where(
                Identity.channel == "work", Identity.external_id == update.sender.lower()))
            return person, ident
        ident = await session.scalar(select(Identity).where(
            Identity.channel == "mp", Identity.external_id == update.sender))
        if ident is not None:
            return ident.person, ident
        if update.event == "unsubscribe":
            return None, None
        person = Person(id=f"r-{secrets.token_hex(6)}", roles=["resident"], created_at=now)
        session.add(person)
        await session.flush()
        ident = Identity(person_id=person.id, channel="mp", external_id=update.sender,
                         created_at=now)
        session.add(ident)
        await session.flush()
        return person, ident

    async def _state(self, session: AsyncSession, update: Update,
                     now: datetime) -> ConversationState | None:
        row = await session.scalar(select(ConversationState).where(
            ConversationState.channel == update.channel,
            ConversationState.external_id == update.sender))
        if row is not None and row.expires_at <= now:
            await session.execute(delete(ConversationState).where(
                ConversationState.id == row.id))
            return None
        return row
