"""Ticket codes on PostgreSQL from blocks each worker reserves (storage.codes): unique across
workers, consecutive for a quiet worker, and a ticket not yet committed does not hold up
another worker's ticket on the day's counter row."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import codes, outbox
from storage.db import Database
from storage.models import Ticket, TicketSequence
from storage.repos import people
from storage.repos import tickets as tickets_repo
from storage.statemachine import record
from tests.support.db import PG_URL, fresh

pytestmark = pytest.mark.postgres

AT = datetime(2026, 12, 3, 9, 0, 0)


@pytest.fixture
async def two():  # noqa: ANN201 - two workers' databases on one PostgreSQL
    if not PG_URL:
        pytest.skip("GRIDBOT_TEST_DATABASE_URL is not set")
    first = await fresh(PG_URL)
    second = Database(PG_URL)
    yield first, second
    await second.close()
    await first.close()


async def test_two_workers_draw_unique_codes_in_growing_blocks(two) -> None:  # noqa: ANN001
    a, b = two
    drawn = await asyncio.gather(*[w.codes.take("20261203") for _ in range(60)
                                   for w in (a, b)])
    assert len(set(drawn)) == 120
    assert all(c.startswith("GD20261203-") and len(c) == 15 for c in drawn)
    # blocks of 1, 2, 4, … 32: a handful of reservations for 60 codes per worker
    assert a.codes.reserved <= 7 and b.codes.reserved <= 7
    numbers = sorted(int(c[11:]) for c in drawn)
    last = await a.read(lambda s: s.scalar(select(TicketSequence.last)
                                           .where(TicketSequence.day == "20261203")))
    assert numbers[-1] <= last  # whatever draws next draws past every code handed out
    # a new day starts at 1 again
    assert await a.codes.take("20261204") == "GD20261204-0001"


async def test_a_quiet_worker_draws_consecutive_codes(two, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(codes, "GROW_SECONDS", 0.0)  # every block "used up slowly"
    a, b = two
    got = [await a.codes.take("20261203"), await b.codes.take("20261203"),
           await a.codes.take("20261203"), await b.codes.take("20261203")]
    assert got == [f"GD20261203-000{n}" for n in range(1, 5)]


def _report(session: AsyncSession, sender: str) -> Ticket:
    return Ticket(code="GD20261203-~" + sender[-8:].rjust(8, "0"), category="municipal",
                  urgency="normal", text="路灯坏了", created_at=AT, updated_at=AT)


async def _make(session: AsyncSession, sender: str) -> Ticket:
    person, _ = await people.new_resident(session, "mp", sender, AT)
    ticket = _report(session, sender)
    ticket.reporter_id, ticket.reporter = person.id, person
    session.add(ticket)
    record(session, ticket, "created", actor_id=person.id, note=f"{ticket.code} 已受理", at=AT)
    outbox.enqueue(session, channel="mp", recipient=sender, at=AT, ticket=ticket,
                   text=f"已受理，工单号 {ticket.code}")
    await tickets_repo.flush_new(session, ticket)
    return ticket


async def test_an_open_ticket_does_not_hold_up_another_workers(two) -> None:  # noqa: ANN001
    """Worker A has written a ticket and not committed (its burst goes on); worker B's
    ticket is written and committed meanwhile. With the code drawn from the day's counter
    row in the ticket's INSERT, B waited for A's COMMIT."""
    a, b = two
    written, go_on = asyncio.Event(), asyncio.Event()

    async def slow(session: AsyncSession) -> str:
        ticket = await _make(session, "o-slow0001")
        written.set()
        await go_on.wait()
        return ticket.code

    async def quick(session: AsyncSession) -> str:
        return (await _make(session, "o-quick001")).code

    held = asyncio.ensure_future(a.run(slow))
    await written.wait()
    quick_code = await asyncio.wait_for(b.run(quick), timeout=5)
    go_on.set()
    slow_code = await held
    assert {slow_code, quick_code} == {"GD20261203-0001", "GD20261203-0002"}

    async def stored(session: AsyncSession):  # noqa: ANN202
        rows = (await session.execute(select(Ticket.code, Ticket.id))).all()
        notes = (await session.scalars(select(outbox.Outbox.payload))).all()
        return sorted(c for c, _ in rows), sorted(n["text"][-15:] for n in notes)

    # each notice names its ticket by the code drawn
    assert await a.read(stored) == (sorted([slow_code, quick_code]),) * 2
