"""Group commit on PostgreSQL: a worker's concurrent units share one transaction.

Each unit in a transaction of its own paid its fixed costs alone: BEGIN and COMMIT as round
trips of their own, a WAL flush per COMMIT (and one per autocommitted claim), and a wait of
the event loop for each. SQLite's writer amortises them over a burst; this does the same on
PostgreSQL. Units queue; a lane (a task with one connection at a time) takes what is queued
once the units on their way have joined (GATHER_TURNS loop turns) and runs them one after the
other in one transaction, and only the shared COMMIT resolves their futures: nothing is
acknowledged before it is durable, exactly as in SQLite's bursts, so a crash mid-burst loses
only units nobody was told about.

Optimistic, as SQLite's writer: no savepoint per unit (two round trips each). If a unit
raises (a unique key, a fenced row, a deadlock with another worker's burst), the burst rolls
back and each of its units runs again alone, so a failing unit fails alone and the others
still commit. A burst of one is a unit in its own transaction as before (begun by its first
statement), and a claim alone (`Database.run_one`) is still autocommitted: a quiet worker
sends what it sent before, round trip for round trip.

Units of one burst run one after the other on one connection, in the order they were
queued; a sender's advisory lock taken twice in one transaction is granted at once, and the
second unit reads what the first wrote. Several lanes (`lanes`) keep that many bursts in
flight, for a unit that waits on another worker's lock not to hold up all of its worker.

A burst of several units also pays once what each of its units paid (each a round trip,
waking a backend and then the event loop): the senders' advisory locks of the units queued
with one (`run(unit, kind, sender)`) are taken in one statement with the burst's BEGIN, so
a unit's own `sender_xact_lock` sends nothing; the statements queued with a `fold` (the
claims) run as one statement where the first of them stands; and what units leave to the end
(`storage.db.BEFORE_COMMIT`: the fenced `done` marks) is one statement before the COMMIT. Any
of these failing is the burst's failure: its units run again alone, each as it would have.
A resident's report in a burst is then one round trip of its own (its ticket with its
events and notices) where it was four (claim, lock, ticket, `done`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import fast
from storage.dialect import SENDER_LOCKS

logger = logging.getLogger(__name__)

MAX_BATCH = 64
GATHER_TURNS = 3  # as storage.db's writer: a claim's request and a claim's work to join

Unit = Callable[[AsyncSession], Awaitable[Any]]


# several statements of one kind in a burst as one: their rows in order, or None (run each)
Fold = Callable[[AsyncSession, list[dict[str, Any]]], Awaitable[list[Any] | None]]


class _One:
    """A prebuilt statement queued as a unit (`Database.run_one`): alone it autocommits.
    With `fold`, the burst's statements of that fold run as one (`_Folded`)."""

    __slots__ = ("fold", "params", "stmt")

    def __init__(self, stmt: Any, params: dict[str, Any], fold: Fold | None = None) -> None:
        self.stmt, self.params, self.fold = stmt, params, fold

    async def __call__(self, session: AsyncSession) -> Any:
        return await fast.execute(session, self.stmt, self.params)


class _Sender:
    """A unit with its sender's lock key, for the burst to take with the others' at once."""

    __slots__ = ("key", "unit")

    def __init__(self, unit: Unit, key: int) -> None:
        self.unit, self.key = unit, key

    def __call__(self, session: AsyncSession) -> Awaitable[Any]:
        return self.unit(session)


class _Folded:
    """The statements of one fold in a burst (the claims of a burst's messages): the first
    of them, run where it stands in the burst, runs them all as one statement (its fold);
    each then answers its own row as the statement alone would have. If the fold declines
    (None), each runs its own statement."""

    def __init__(self, ones: list[_One]) -> None:
        self.ones = ones
        self.rows: list[Any] | None = None
        self.declined = False

    def unit(self, n: int) -> Unit:
        async def run(session: AsyncSession) -> Any:
            if self.rows is None:
                fold = self.ones[0].fold
                assert fold is not None
                found = await fold(session, [one.params for one in self.ones])
                self.rows = [None] * len(self.ones) if found is None else found
                self.declined = found is None
            if self.declined:
                return await self.ones[n](session)
            return [self.rows[n]]
        return run


def _fold(batch: list[Item]) -> list[Item]:
    """The burst with each fold's statements (two or more) as `_Folded` units."""
    groups: dict[Any, list[int]] = {}
    for i, (unit, _, _) in enumerate(batch):
        if isinstance(unit, _One) and unit.fold is not None:
            groups.setdefault(unit.fold, []).append(i)
    out = list(batch)
    for members in groups.values():
        if len(members) < 2:
            continue
        folded = _Folded([batch[i][0] for i in members])  # type: ignore[misc]
        for n, i in enumerate(members):
            _, fut, kind = batch[i]
            out[i] = (folded.unit(n), fut, kind)
    return out


Item = tuple[Unit | _One, "asyncio.Future[Any]", str]


class GroupCommit:
    """The queue and its lanes for one `Database` on PostgreSQL.

    `alone(unit)` runs one unit in its own transaction (storage.db's `_run_pg`), `one(stmt,
    params)` one statement autocommitted, `observer` the Database's (read at each burst)."""

    def __init__(self, db: Any, lanes: int = 1) -> None:
        self.db = db
        self.lanes = lanes
        self.bursts = 0  # bursts of more than one unit committed (tests)
        self._queue: asyncio.Queue[Item] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(self, unit: Unit, kind: str, sender: int | None = None) -> Any:
        """`sender`: the unit's sender's lock key (storage.dialect.sender_key), which a burst
        takes for all its units with its BEGIN."""
        loop = asyncio.get_running_loop()
        if sender is not None:
            unit = _Sender(unit, sender)
        if self._queue is None or self._loop is not loop or any(t.done() for t in self._tasks):
            self._start(loop)  # first use, a lane died, or another event loop (a CLI's run)
        fut: asyncio.Future[Any] = loop.create_future()
        assert self._queue is not None
        self._queue.put_nowait((unit, fut, kind))
        return await fut

    async def run_one(self, stmt: Any, params: dict[str, Any], kind: str,
                      fold: Fold | None = None) -> Any:
        return await self.run(_One(stmt, params, fold), kind)

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        for task in self._tasks:
            if not task.done() and self._loop is loop:
                task.cancel()
        self._loop = loop
        self._queue = asyncio.Queue()
        self._tasks = [asyncio.create_task(self._lane(), name=f"pg-group-commit-{n}")
                       for n in range(self.lanes)]

    async def _lane(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            batch = [await queue.get()]
            for _ in range(GATHER_TURNS):
                await asyncio.sleep(0)
            while len(batch) < MAX_BATCH and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                await self._run_batch(batch)
            except asyncio.CancelledError:
                for _, fut, _ in batch:
                    if not fut.done():
                        fut.cancel()
                raise
            except Exception as exc:  # the lane must outlive any one batch
                logger.exception("group commit of %d units failed", len(batch))
                for _, fut, _ in batch:
                    if not fut.done():
                        fut.set_exception(exc)

    async def _alone(self, item: Item) -> None:
        unit, fut, kind = item
        try:
            if isinstance(unit, _One):
                result = await self.db._one_alone(unit.stmt, unit.params, kind)  # noqa: SLF001
            else:
                result = await self.db._unit_alone(unit, kind)  # noqa: SLF001
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            if not fut.done():
                fut.cancel()
            return
        except BaseException as exc:  # noqa: BLE001 - the caller's to see
            if not fut.done():
                fut.set_exception(exc)
            return
        if not fut.done():
            fut.set_result(result)

    async def _run_batch(self, batch: list[Item]) -> None:
        batch = [item for item in batch if not item[1].done()]  # callers that gave up
        if len(batch) <= 1:
            if batch:
                await self._alone(batch[0])
            return
        from storage.db import BEFORE_COMMIT, run_burst  # noqa: PLC0415 - a cycle

        results: list[tuple[asyncio.Future[Any], Any]] = []
        counts: list[int] = []
        failed: BaseException | None = None
        session: AsyncSession = self.db.sessions()
        session.info[BEFORE_COMMIT] = []  # units may leave their last statement to the end
        try:
            info = (await fast.connection(session)).sync_connection.info  # type: ignore[union-attr]
            senders = [unit.key for unit, _, _ in batch if isinstance(unit, _Sender)]
            try:
                if senders:  # the units' sender locks, with BEGIN: none of them takes its own
                    await fast.advisory_xact_locks(session, SENDER_LOCKS, senders)
            except Exception as exc:  # a deadlock, a connection lost: each unit alone, below
                failed = exc
            else:
                results, counts, failed = await run_burst(session, _fold(batch), info)
        finally:
            sync = session.sync_session
            if failed is not None or sync.in_transaction():
                await session.close()  # rolls back what is left
            else:
                sync.close()  # committed: forgetting its objects is all that is left
        if failed is not None:
            logger.info("a burst of %d units failed (%s): each runs alone", len(batch),
                        type(failed).__name__)
            for item in batch:
                await self._alone(item)
            return
        self.bursts += 1
        observer = self.db.observer
        if observer is not None:
            observer.burst(len(batch))
            for n, (_, _, kind) in zip(counts, batch, strict=True):
                observer.unit(n, kind)
        for fut, value in results:
            if not fut.done():
                fut.set_result(value)

    async def close(self) -> None:
        if self._loop is not asyncio.get_running_loop():
            self._tasks, self._queue = [], None  # another loop's lanes: gone with it
            return
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        while self._queue is not None and not self._queue.empty():
            self._queue.get_nowait()[1].cancel()
        for task in tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
