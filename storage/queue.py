"""A table used as a leased work queue: the outbox (notices to send) and attachments (media to
download) are both one.

A row is due when its state is one of the queue's due states and `next_attempt_at` has come.
Claiming is its own unit of work: the due rows are selected in id order under
`FOR UPDATE SKIP LOCKED` on PostgreSQL (and, when the queue names one, an advisory lock so
claims take turns and each sees what the previous one claimed); on SQLite the single writer
does the same. The claimer then leases each row it keeps: `next_attempt_at` moves past the work,
so a worker that dies mid-work leaves a row that is due again once the lease runs out. The work
itself happens outside any unit. Its outcome is settled in a unit of its own, and only if the
row is as it was claimed (same state, same attempt count): a worker whose lease ran out and
whose row was claimed again never overwrites the newer claim. Retries back off exponentially,
optionally with jitter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import dialect

M = TypeVar("M")


@dataclass(frozen=True)
class Backoff:
    """`base_seconds` after the first failed attempt, doubled after each further one; with
    `jitter` (a fraction, e.g. 0.2) each delay is spread by up to ±20 % so retries of many
    rows that failed together do not come back together. 0 keeps delays exact."""

    base_seconds: float
    jitter: float = 0.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, attempts: int) -> timedelta:
        """The wait after `attempts` attempts have failed (1 for the first)."""
        seconds = self.base_seconds * 2 ** max(attempts - 1, 0)
        if self.jitter:
            seconds *= 1 + self.rng.uniform(-self.jitter, self.jitter)
        return timedelta(seconds=seconds)


class LeasedQueue(Generic[M]):
    """Claim, lease and settle rows of `model`, which has `id`, `state`, `attempts` and
    `next_attempt_at` columns."""

    def __init__(self, model: type[M], *, due_states: tuple[str, ...],
                 claim_lock: int | None = None, first: tuple[Any, ...] = ()) -> None:
        self.model: Any = model
        self.due_states = due_states
        self.claim_lock = claim_lock  # a PostgreSQL advisory lock key: claims take turns
        self.first = first  # ORDER BY terms before the id (the outbox: urgent rows first)

    async def due(self, session: AsyncSession, now: datetime, limit: int,
                  *where: Any) -> list[M]:
        """The due rows, oldest first (after the queue's `first` terms), locked against other
        claimers until the unit ends.
        `where` narrows them in the query itself (rows the caller would skip must not take
        the places of rows it would keep)."""
        m = self.model
        if self.claim_lock is not None:
            await dialect.advisory_xact_lock(session, self.claim_lock)
        stmt = (select(m).where(m.state.in_(self.due_states), m.next_attempt_at <= now, *where)
                .order_by(*self.first, m.id).limit(limit))
        return list((await session.scalars(dialect.for_update(session, stmt,
                                                              skip_locked=True))).all())

    @staticmethod
    def lease(row: M, now: datetime, lease: timedelta, *, state: str | None = None) -> None:
        """Keep a claimed row: nobody claims it again until `lease` has passed."""
        r: Any = row
        if state is not None:
            r.state = state
        r.next_attempt_at = now + lease

    async def settle(self, session: AsyncSession, row_id: int, *, state: str, attempts: int,
                     values: dict[str, Any]) -> bool:
        """Write `values` to the row if it is still in `state` with `attempts` (as claimed);
        False when it changed since (reclaimed after its lease ran out, erased, …)."""
        m = self.model
        done = await session.execute(
            update(m).where(m.id == row_id, m.state == state, m.attempts == attempts)
            .values(**values))
        return done.rowcount == 1
