"""The scheduled jobs' tests: reports with known deadlines, services as a restarted worker
builds them, and what the jobs leave behind (pushes, ticket events)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from handlers.conversation.dispatcher import Dispatcher
from handlers.ops.services import Services
from storage import repo
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.district import import_district
from storage.models import Ticket, TicketEvent
from storage.sla import WorkCalendar
from tests.support.bot import START, Bot, analyzer
from tests.support.district import DISTRICT

HIGH = "幸福花园3号楼2单元楼道有人拉飞线给电动车充电"  # fire safety, high: 4h / 2d → 张伟
URGENT = "幸福花园3号楼楼道里煤气泄漏了好大味道"  # gas, urgent: 30m / 24h → 张伟
NORMAL = "幸福花园3号楼门口垃圾好几天没人清理"  # sanitation, normal: 1d / 10d → 张伟


def services(clock: FrozenClock, **settings: Any) -> Services:
    """A fresh set of services, as a restarted worker would build them."""
    return Services(settings=Settings(**settings), analyzer=analyzer(), clock=clock,
                    calendar=WorkCalendar())


async def supervised_bot(db: Database, **settings: Any) -> Bot:
    """The test district on `db` and a bot whose services carry the working calendar."""
    await db.run(lambda s: import_district(s, DISTRICT, source="test"))
    analyzer().set_gazetteer(await db.read(repo.gazetteer))
    clock = FrozenClock(START)
    return Bot(db, Dispatcher(services(clock, **settings)), clock)


async def texts_with(bot: Bot, recipient: str, marker: str) -> list[str]:
    return [t for t in await bot.texts(recipient) if marker in t]


async def events(bot: Bot, code: str, kind: str) -> list[TicketEvent]:
    async def q(s: Any) -> list[TicketEvent]:
        t = (await s.scalars(select(Ticket).where(Ticket.code == code))).one()
        return list((await s.scalars(select(TicketEvent).where(
            TicketEvent.ticket_id == t.id, TicketEvent.kind == kind)
            .order_by(TicketEvent.id))).all())

    return await bot.db.read(q)
