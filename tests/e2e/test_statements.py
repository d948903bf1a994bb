"""The hot path's SQL budget: a report is a handful of statements, counted on the real app
with a SQLAlchemy listener. This fails when a change adds a query per report (issue 11)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest_asyncio
from aiohttp import ClientSession, web
from sqlalchemy import event, func, select

from bot.app import create_app
from bot.demo.run import demo_settings
from bot.demo.simulator import MpSide
from storage.db import Database
from storage.district import import_district
from storage.migrate import upgrade
from storage.models import Outbox, Ticket, TicketEvent
from tests.district_fixture import DISTRICT
from tests.e2e.conftest import code_of

# claim, sender (+state, +held), duplicate check, code sequence, ticket, events, notices, done
KNOWN_RESIDENT_REPORT = 8
FIRST_REPORT = 10  # + the new resident's person and identity rows


class Quiet:
    """The real gateway and dispatcher without the outbox and media loops, whose polls would
    be counted too."""

    def __init__(self, db: Database, mp: MpSide) -> None:
        self.db, self.mp = db, mp


@pytest_asyncio.fixture
async def world(tmp_path: Path) -> AsyncIterator[Quiet]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'stmts.db'}"
    await upgrade(url)
    db = Database(url)
    await db.run(lambda s: import_district(s, DISTRICT, source="test"))
    settings = demo_settings(url, "http://127.0.0.1:9")
    runner = web.AppRunner(create_app(settings, db=db, background=False))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with ClientSession() as http:
        yield Quiet(db, MpSide(http, f"http://127.0.0.1:{port}", settings))
    await runner.cleanup()
    await db.close()


@contextmanager
def counting(world: Quiet) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn, _cur, statement, _params, _ctx, _many) -> None:  # noqa: ANN001
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement.split("\n")[0][:90])

    engines = {world.db.engine.sync_engine, world.db.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


async def test_a_report_costs_at_most_eight_statements(world: Quiet) -> None:
    world.db.district.checked_at = float("inf")  # no version check inside the counted window
    with counting(world) as first:
        reply = await world.mp.say("o-budget", "幸福花园3号楼楼道有人拉飞线给电动车充电")
    assert "工单号" in (reply.content or "")
    with counting(world) as second:
        again = await world.mp.say("o-budget", "金色港湾门口垃圾三天没人清运了")
    assert "工单号" in (again.content or "")
    assert len(first) <= FIRST_REPORT, "\n".join(first)
    assert len(second) <= KNOWN_RESIDENT_REPORT, "\n".join(second)

    # and the cheaper path wrote everything: routed ticket, both events, the officer's notice
    code = code_of(again.content)

    async def check(session):  # noqa: ANN001, ANN202
        t = await session.scalar(select(Ticket).where(Ticket.code == code))
        events = await session.scalar(select(func.count()).select_from(TicketEvent)
                                      .where(TicketEvent.ticket_id == t.id))
        notices = await session.scalar(select(func.count()).select_from(Outbox)
                                       .where(Outbox.ticket_id == t.id))
        return t.status, t.assignee_id, events, notices

    status, assignee, events, notices = await world.db.read(check)
    assert (status, assignee) == ("assigned", "lina")
    assert events == 2 and notices >= 1
