from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from handlers.conversation.dispatcher import Dispatcher
from handlers.conversation.types import Update
from handlers.ops.services import Services
from nlp import Analyzer
from storage import repo
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.district import import_district
from storage.models import Identity, Outbox, Ticket
from tests.district_fixture import DISTRICT

_ANALYZER: Analyzer | None = None


def analyzer() -> Analyzer:
    global _ANALYZER  # one warm analyzer for the whole run: loading it is the slow part
    if _ANALYZER is None:
        _ANALYZER = Analyzer.load()
    return _ANALYZER


class Bot:
    """Drives the dispatcher the way the gateway does: one unit of work per update."""

    def __init__(self, db: Database, dispatcher: Dispatcher, clock: FrozenClock) -> None:
        self.db, self.dispatcher, self.clock = db, dispatcher, clock
        self._n = 0

    async def send(self, sender: str, text: str, channel: str = "mp", **kw: Any) -> str | None:
        self._n += 1
        kw.setdefault("type", "text")
        upd = Update(channel=channel, sender=sender, text=text, msg_id=str(self._n),
                     create_time=int(self.clock.now().replace(tzinfo=UTC).timestamp()), **kw)
        return await self.db.run(lambda s: self.dispatcher.handle(s, upd))

    async def event(self, sender: str, event: str, key: str = "") -> str | None:
        return await self.send(sender, "", type="event", event=event, event_key=key)

    async def outbox(self, recipient: str | None = None) -> list[Outbox]:
        async def q(s: Any) -> list[Outbox]:
            stmt = select(Outbox).order_by(Outbox.id)
            if recipient:
                stmt = stmt.where(Outbox.recipient == recipient)
            return list((await s.scalars(stmt)).all())

        return await self.db.read(q)

    async def person_of(self, openid: str, channel: str = "mp") -> str | None:
        async def q(s: Any) -> str | None:
            return await s.scalar(select(Identity.person_id).where(
                Identity.channel == channel, Identity.external_id == openid))

        return await self.db.read(q)

    async def texts(self, recipient: str) -> list[str]:
        return [r.payload["text"] for r in await self.outbox(recipient)]

    async def ticket(self, code: str) -> Ticket:
        async def q(s: Any) -> Ticket:
            return (await s.scalars(select(Ticket).where(Ticket.code == code))).one()

        return await self.db.read(q)


@pytest_asyncio.fixture
async def bot(db: Database) -> AsyncIterator[Bot]:
    clock = FrozenClock(datetime(2026, 11, 23, 2, 0))  # Monday 10:00 in Shanghai
    await db.run(lambda s: import_district(s, DISTRICT, source="test", now=clock.now()))
    an = analyzer()
    an.set_gazetteer(await db.read(repo.gazetteer))
    services = Services(settings=Settings(emergency={"gas": "96777"}), analyzer=an, clock=clock)
    yield Bot(db, Dispatcher(services), clock)
