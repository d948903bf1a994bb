"""Ticket codes: a district-wide daily sequence, atomic under concurrent units of work."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from sqlalchemy import select

from storage import repo
from storage.db import Database
from storage.models import Ticket, TicketEvent, TicketSequence
from storage.repos import tickets as tickets_repo
from storage.statemachine import record

DAY = date(2026, 11, 22)


async def _code(db: Database, day: date) -> str:
    return await db.run(lambda s: repo.next_ticket_code(s, day))


async def test_codes_count_up_per_day_and_restart_on_a_new_day(any_db: Database) -> None:
    assert await _code(any_db, DAY) == "GD20261122-0001"
    assert await _code(any_db, DAY) == "GD20261122-0002"

    async def two(s):  # within one unit too
        return [await repo.next_ticket_code(s, DAY) for _ in range(2)]

    assert await any_db.run(two) == ["GD20261122-0003", "GD20261122-0004"]
    assert await _code(any_db, date(2026, 11, 23)) == "GD20261123-0001"
    assert await _code(any_db, DAY) == "GD20261122-0005"


async def test_a_rolled_back_units_code_is_never_given_twice(any_db: Database) -> None:
    """SQLite: the counter rolls back with the unit, the code is given to the next ticket.
    PostgreSQL: the worker's reserved block (storage.codes) does not take a code back, so a
    rolled-back unit leaves a gap (DESIGN.md: codes are unique, not gapless)."""
    async def fails(s):
        taken.append(await repo.next_ticket_code(s, DAY))
        raise RuntimeError("handler failed after taking a code")

    taken: list[str] = []
    assert await _code(any_db, DAY) == "GD20261122-0001"
    try:
        await any_db.run(fails)
    except RuntimeError:
        pass
    assert taken == ["GD20261122-0002"]
    assert await _code(any_db, DAY) == ("GD20261122-0002" if any_db.is_sqlite
                                        else "GD20261122-0003")


async def test_concurrent_units_get_distinct_codes(any_db: Database) -> None:
    codes = await asyncio.wait_for(
        asyncio.gather(*(_code(any_db, DAY) for _ in range(20))), timeout=20)
    assert sorted(codes) == [f"GD20261122-{n:04d}" for n in range(1, 21)]


async def test_the_sequence_grows_past_four_digits(any_db: Database) -> None:
    async def preset(s):
        s.add(TicketSequence(day="20261122", last=9999))

    await any_db.run(preset)
    assert await _code(any_db, DAY) == "GD20261122-10000"


async def _ticket(db: Database, day: date, text: str = "路灯坏了") -> str:
    """A new ticket written as a report writes it: a stand-in code, settled in its INSERT."""
    async def unit(s):
        at = datetime(day.year, day.month, day.day, 9, 0)
        ticket = Ticket(code=repo.provisional_code(day), category="municipal",
                        urgency="normal", text=text, created_at=at, updated_at=at)
        s.add(ticket)
        record(s, ticket, "created", actor_id=None, note=f"{ticket.code} 已登记", at=at)
        await tickets_repo.flush_new(s, ticket)
        return ticket.code

    return await db.run(unit)


async def test_codes_drawn_in_the_insert_and_by_the_counter_are_one_sequence(
        any_db: Database) -> None:
    assert await _ticket(any_db, DAY) == "GD20261122-0001"
    assert await _code(any_db, DAY) == "GD20261122-0002"  # the counter knows of 0001
    assert await _ticket(any_db, DAY) == "GD20261122-0003"
    assert await _ticket(any_db, date(2026, 11, 23)) == "GD20261123-0001"

    notes = await any_db.read(lambda s: s.scalars(
        select(TicketEvent.note).order_by(TicketEvent.id)))
    assert list(notes) == ["GD20261122-0001 已登记", "GD20261122-0003 已登记",
                           "GD20261123-0001 已登记"]  # the stand-in never reaches a text


async def test_concurrent_reports_draw_distinct_codes_past_four_digits(
        any_db: Database) -> None:
    async def preset(s):
        s.add(TicketSequence(day="20261122", last=9995))

    await any_db.run(preset)
    codes = await asyncio.wait_for(
        asyncio.gather(*(_ticket(any_db, DAY, f"第{i}盏路灯坏了") for i in range(10))),
        timeout=20)
    assert sorted(codes, key=lambda c: int(c[11:])) == [
        f"GD20261122-{n:04d}" for n in range(9996, 10006)]
    assert await _code(any_db, DAY) == "GD20261122-10006"
