"""Ticket codes on PostgreSQL drawn from blocks a worker reserves, not from a locked row.

A ticket's code is GD + the day + a district-wide daily sequence (DESIGN.md). Drawn in the
ticket's own INSERT from the day's `ticket_sequences` row, it locks that row from the INSERT
to the COMMIT: every other unit making a ticket waits for it, and with group commit
(storage.pg_group) that is a whole burst of another worker or lane. Here a worker reserves a
block of numbers with one autocommitted upsert (the row is locked for that statement only)
and hands them out from memory. Codes stay unique (every reservation and every other way of
drawing a code moves `last` on past what it takes) and readable; they tolerate gaps, as
DESIGN.md allows: the rest of a block is lost when its worker stops, a number drawn by a
unit that rolls back is not reused, and with several workers codes are not in the order of
their tickets' times.

The block grows while tickets come fast (doubling when the last block was used up within
GROW_SECONDS, up to MAX_BLOCK) and falls back to one number when they do not: a quiet
district's codes are consecutive, a busy one reserves once per MAX_BLOCK tickets.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import fast
from storage.models import TicketSequence

INFO_KEY = "codes"  # session.info: the worker's CodeBlocks (PostgreSQL only)
MAX_BLOCK = 32
GROW_SECONDS = 2.0

_ROW = postgresql.insert(TicketSequence).values(day=bindparam("day"), last=bindparam("n"))
_RESERVE = _ROW.on_conflict_do_update(
    index_elements=[TicketSequence.day],
    set_={"last": TicketSequence.last + _ROW.excluded.last}).returning(TicketSequence.last)


def code_of(day: str, number: int) -> str:
    """GD + yyyymmdd + '-' + the number, at least four digits (storage.repo's form)."""
    return f"GD{day}-{number:04d}"


class CodeBlocks:
    """The numbers this worker has reserved, per day (the last few days kept: a ticket made
    just before midnight may be written just after it)."""

    KEEP_DAYS = 3

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.reserved = 0  # reservations made (tests)
        # day -> [next, end, size, when reserved]: the block's numbers left are next..end
        self._blocks: dict[str, list[Any]] = {}
        self._lock = asyncio.Lock()

    async def take(self, day: str) -> str:
        """The next code of `day` ("yyyymmdd")."""
        while True:
            block = self._blocks.get(day)
            if block is not None and block[0] <= block[1]:
                number = block[0]
                block[0] += 1
                return code_of(day, number)
            async with self._lock:  # one reservation at a time; the others wait for it
                block = self._blocks.get(day)
                if block is None or block[0] > block[1]:
                    await self._reserve(day, block)

    async def _reserve(self, day: str, block: list[Any] | None) -> None:
        now = time.monotonic()
        fast_enough = block is not None and now - block[3] < GROW_SECONDS
        size = min(block[2] * 2, MAX_BLOCK) if fast_enough and block is not None else 1
        rows: Any = await fast.run_alone(self.engine, _RESERVE, {"day": day, "n": size})
        last = rows[0][0]
        self._blocks[day] = [last - size + 1, last, size, now]
        self.reserved += 1
        for old in sorted(self._blocks)[:-self.KEEP_DAYS]:
            del self._blocks[old]
