"""The dispatcher driven the way the gateway drives it, over the test district, and what the
conversation tests say to it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from handlers.conversation.dispatcher import Dispatcher
from handlers.conversation.types import Update
from nlp import Analyzer
from storage.clock import FrozenClock
from storage.db import Database
from storage.models import Identity, Outbox, Ticket

START = datetime(2026, 11, 23, 2, 0)  # Monday 10:00 in Shanghai
RESIDENT = "oResident001"
REPORT = "幸福花园3号楼2单元楼道有人拉飞线给电动车充电"

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

    async def ticket_count(self) -> int:
        async def q(s: Any) -> int:
            return int(await s.scalar(select(func.count()).select_from(Ticket)) or 0)

        return await self.db.read(q)


BotFactory = Callable[..., Bot]  # the `make_bot` fixture: Settings keywords → a fresh Bot


def code_of(reply: str | None) -> str:
    """The ticket code a reply names (the test fails when it names none)."""
    m = re.search(r"GD\d{8}-\d{4}", reply or "")
    assert m, reply
    return m.group(0)


async def bot_on(db: Database, district: str) -> Bot:
    """A bot over `district` (a district file's text) imported into `db`, its analyser told the
    district's place names, its clock frozen at START: for tests of a district of their own."""
    from handlers.ops.services import Services
    from storage import repo
    from storage.config import Settings
    from storage.district import import_district

    await db.run(lambda s: import_district(s, district, source="test", now=START))
    an = analyzer()
    an.set_gazetteer(await db.read(repo.gazetteer))
    clock = FrozenClock(START)
    return Bot(db, Dispatcher(Services(settings=Settings(), analyzer=an, clock=clock)), clock)
