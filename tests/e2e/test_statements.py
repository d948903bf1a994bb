"""The hot path's SQL budget: a report is a handful of statements, counted on the real app
with a SQLAlchemy listener, and on PostgreSQL a handful of round trips, counted on the wire.
This fails when a change adds a query or a round trip per report (issue 11)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from storage.models import Identity, Outbox, Ticket, TicketEvent
from tests.support.db import PG_URL, reset_schema
from tests.support.e2e import Quiet, code_of, quiet_world
from tests.support.wire import round_trips

# claim, sender (+state, +held), the resident's tickets (a rating due? a repeat? a piece?),
# duplicate check, code sequence, ticket, events, notices, done
KNOWN_RESIDENT_REPORT = 9
# the claim tells that the sender is new (no sender query, no tickets to read); the person and
# identity rows instead
FIRST_REPORT = 9
# PostgreSQL: the claim (autocommitted), the sender's lock, [the sender, their tickets,] the
# duplicate check, the ticket with its code, events, notices and a new resident and identity
# as one statement (storage.repos.tickets._all_in_one), done
PG_FIRST_REPORT, PG_KNOWN_RESIDENT_REPORT = 5, 7
# …and on the wire: BEGIN goes in the lock's message, COMMIT is one of its own
PG_FIRST_TRIPS, PG_KNOWN_TRIPS = 6, 8


@contextmanager
def counting(quiet: Quiet) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn, _cur, statement, _params, _ctx, _many) -> None:  # noqa: ANN001
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement.split("\n")[0][:90])

    engines = {quiet.db.engine.sync_engine, quiet.db.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


@pytest_asyncio.fixture(params=["sqlite",
                                pytest.param("postgresql", marks=pytest.mark.postgres)])
async def on_either(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Quiet]:
    if request.param == "sqlite":
        async with quiet_world(tmp_path) as q:
            yield q
        return
    if not PG_URL:
        pytest.skip("GRIDBOT_TEST_DATABASE_URL is not set")
    await reset_schema(PG_URL)  # migrated from empty, as `gridbot db upgrade` does
    try:
        async with quiet_world(tmp_path, PG_URL) as q:
            yield q
    finally:
        await reset_schema(PG_URL)


async def test_a_report_costs_a_handful_of_statements(on_either: Quiet) -> None:
    quiet = on_either
    quiet.db.district.checked_at = float("inf")  # no version check inside the counted window
    pg = not quiet.db.is_sqlite
    port = make_url(quiet.db.url).port or 5432
    # another resident's report first: each statement is prepared once per connection (its
    # first use costs a round trip more), and asyncpg learns the array and JSON types
    warm = await quiet.mp.say("o-warm", "幸福花园1号楼门口路灯不亮了")
    assert "工单号" in (warm.content or "")
    # PostgreSQL: a worker reserves ticket codes in blocks (storage.codes), one autocommitted
    # statement per block, growing while reports come fast: such a reservation may fall in
    # a counted report, and is counted apart (at most one per report)
    blocks = quiet.db.codes
    reserved = [blocks.reserved if blocks else 0]

    def reservations() -> int:
        now = blocks.reserved if blocks else 0
        n, reserved[0] = now - reserved[0], now
        assert n <= 1
        return n

    with counting(quiet) as first, round_trips(port) as first_trips:
        reply = await quiet.mp.say("o-budget", "幸福花园3号楼楼道有人拉飞线给电动车充电")
    assert "工单号" in (reply.content or "")
    first_blocks = reservations()
    with counting(quiet) as second, round_trips(port) as second_trips:
        again = await quiet.mp.say("o-budget", "金色港湾门口垃圾三天没人清运了")
    assert "工单号" in (again.content or "")
    second_blocks = reservations()
    assert len(first) - first_blocks <= (PG_FIRST_REPORT if pg else FIRST_REPORT), \
        "\n".join(first)
    assert len(second) - second_blocks <= (
        PG_KNOWN_RESIDENT_REPORT if pg else KNOWN_RESIDENT_REPORT), "\n".join(second)
    if pg:
        assert len(first_trips) - first_blocks <= PG_FIRST_TRIPS, (first_trips, first)
        assert len(second_trips) - second_blocks <= PG_KNOWN_TRIPS, (second_trips, second)

    # and the cheaper path wrote everything: routed ticket, both events, the officer's notice
    code = code_of(again.content)

    async def check(session):  # noqa: ANN001, ANN202
        t = await session.scalar(select(Ticket).where(Ticket.code == code))
        events = await session.scalar(select(func.count()).select_from(TicketEvent)
                                      .where(TicketEvent.ticket_id == t.id))
        notices = (await session.scalars(select(Outbox).where(Outbox.ticket_id == t.id))).all()
        return t.status, t.assignee_id, events, [n.payload["text"] for n in notices]

    status, assignee, events, notices = await quiet.db.read(check)
    assert (status, assignee) == ("assigned", "lina")
    assert events == 2 and len(notices) >= 1

    async def first_ticket(session):  # noqa: ANN001, ANN202 - the resident's, written at once
        t = await session.scalar(select(Ticket).where(Ticket.code == code_of(reply.content)))
        ident = await session.scalar(select(Identity).where(Identity.external_id == "o-budget"))
        return t.reporter_id == ident.person_id, await session.scalar(
            select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == t.id))

    assert await quiet.db.read(first_ticket) == (True, 2)
    # the officer's notice, composed before the code was taken, names the ticket by it
    assert all(code in text and "~" not in text for text in notices), notices


async def test_two_first_messages_at_once_make_one_resident(on_either: Quiet) -> None:
    """Both claims say «new sender», so both units would create the resident: the second one
    fails on the identity's unique key and runs again, reading the identity the first made."""
    quiet = on_either
    replies = await asyncio.gather(
        quiet.mp.say("o-twice", "幸福花园3号楼楼道有人拉飞线给电动车充电"),
        quiet.mp.say("o-twice", "金色港湾门口垃圾三天没人清运了"))
    assert all("工单号" in (r.content or "") for r in replies), [r.content for r in replies]

    async def check(session):  # noqa: ANN001, ANN202
        idents = (await session.scalars(select(Identity).where(
            Identity.external_id == "o-twice"))).all()
        reporters = set((await session.scalars(select(Ticket.reporter_id).where(
            Ticket.reporter_id.in_([i.person_id for i in idents])))).all())
        return len(idents), len(reporters), await session.scalar(
            select(func.count()).select_from(Ticket).where(
                Ticket.reporter_id.in_([i.person_id for i in idents])))

    assert await quiet.db.read(check) == (1, 1, 2)
