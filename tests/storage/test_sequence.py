"""Ticket codes: a district-wide daily sequence, atomic under concurrent units of work."""

from __future__ import annotations

import asyncio
from datetime import date

from storage import repo
from storage.db import Database
from storage.models import TicketSequence

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


async def test_a_rolled_back_unit_does_not_use_up_a_code(any_db: Database) -> None:
    async def fails(s):
        await repo.next_ticket_code(s, DAY)
        raise RuntimeError("handler failed after taking a code")

    assert await _code(any_db, DAY) == "GD20261122-0001"
    try:
        await any_db.run(fails)
    except RuntimeError:
        pass
    assert await _code(any_db, DAY) == "GD20261122-0002"


async def test_concurrent_units_get_distinct_codes(any_db: Database) -> None:
    codes = await asyncio.wait_for(
        asyncio.gather(*(_code(any_db, DAY) for _ in range(20))), timeout=20)
    assert sorted(codes) == [f"GD20261122-{n:04d}" for n in range(1, 21)]


async def test_the_sequence_grows_past_four_digits(any_db: Database) -> None:
    async def preset(s):
        s.add(TicketSequence(day="20261122", last=9999))

    await any_db.run(preset)
    assert await _code(any_db, DAY) == "GD20261122-10000"
