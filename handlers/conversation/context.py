"""What a handler gets: the update, its sender, the session and the app's services."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.conversation.types import Update
from handlers.ops.actions import Actor
from handlers.ops.notices import notify
from handlers.ops.services import Services
from storage.models import ConversationState, Identity, Person, Ticket
from storage.repos.conversations import clear_state, set_state
from storage.statemachine import TransitionError, transition

if TYPE_CHECKING:
    from storage.config import Settings

logger = logging.getLogger(__name__)


@dataclass
class Ctx:
    session: AsyncSession
    update: Update
    services: Services
    person: Person
    identity: Identity
    now: datetime
    text: str
    state: ConversationState | None
    notices: list[str] = field(default_factory=list)  # held notices to deliver with the reply

    @property
    def settings(self) -> Settings:
        return self.services.settings

    # conversation state -------------------------------------------------------------------
    async def set_state(self, name: str, data: dict[str, Any], minutes: int) -> None:
        await set_state(self.session, self.identity.channel, self.identity.external_id, name,
                        data, self.now + timedelta(minutes=minutes))

    async def clear_state(self) -> None:
        await clear_state(self.session, self.identity.channel, self.identity.external_id)
        self.state = None

    # ticket steps -------------------------------------------------------------------------
    def step(self, ticket: Ticket, action: str, role: str, *,
             note: str | None = None) -> str | None:
        """Take `action` on `ticket` as this person through the state machine; the refusal to
        send back when the rules forbid it (nothing changes then), else None."""
        try:
            transition(self.session, ticket, action, actor_id=self.person.id, actor_role=role,
                       note=note, at=self.now)
        except TransitionError as e:
            return str(e)
        return None

    def actor(self, role: str = "staff") -> Actor:
        """The sender as the shared ticket steps (handlers.ops.actions) name them."""
        return Actor(id=self.person.id, name=self.person.name or self.person.id, role=role)

    # notices ------------------------------------------------------------------------------
    async def notify(self, person: Person | None, text: str, ticket: Ticket | None = None) -> bool:
        return await notify(self.session, person, text, at=self.now, ticket=ticket)


