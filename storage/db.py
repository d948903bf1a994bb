"""Engine, sessions and the unit of work.

Every update runs as one unit of work: a function of a session whose writes (ticket, events,
outbox rows) commit together or not at all. On SQLite there is one writer anyway, so units are
queued to a single writer task that runs a burst of them in one transaction (group commit): one
commit and one flush for the burst instead of one per message. If a unit raises, the burst rolls
back and each of its units reruns alone, so a failing unit rolls back alone and the others still
commit. On PostgreSQL a worker's concurrent units share a transaction the same way
(storage.pg_group), with each burst of one unit its own transaction as before.

A unit must be a function of the database only (no network I/O, no `db.run` inside it): it may
run twice when its burst is retried.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import codes, fast, sqlite_inline
from storage.dialect import is_sqlite_url, sender_key
from storage.district_model import DistrictModel
from storage.pg_group import Fold, GroupCommit

logger = logging.getLogger(__name__)

T = TypeVar("T")
Unit = Callable[[AsyncSession], Awaitable[T]]

MAX_BATCH = 64
# loop turns the writer lets pass between its first queued unit and taking the batch: a
# request read from its socket reaches its claim's db.run in three (aiohttp's parse, the
# handler, the gateway's task), a committed claim's message unit in one
GATHER_TURNS = 3
UNIT_SCOPE = "unit"  # session.info key: a dict that lives for one unit, even inside a burst
# session.info key, in a PostgreSQL burst of several units only (storage.pg_group): a list of
# async functions of the session that run_burst calls after the last unit, before the COMMIT.
# A unit may leave its last statement to one of them (storage.repos.inbound.finish(later=)):
# one statement for the burst's units instead of one each; if it fails, the burst does
BEFORE_COMMIT = "burst.before_commit"
# connections per PostgreSQL engine (per worker): 4 workers stay well under the server's
# default max_connections of 100
POOL_SIZE = 16


def create_engine(url: str, *, immediate: bool = True, inline: bool = False) -> AsyncEngine:
    """`inline`: the SQLite writer's engine, statements run without a thread hop each
    (storage.sqlite_inline)."""
    if is_sqlite_url(url):
        # hide_parameters: an error's text (and its traceback in the log) shows the SQL but
        # never the values, which carry residents' words and phone numbers
        path = make_url(url).database
        if inline and path and path != ":memory:":
            engine = create_async_engine(url, async_creator=sqlite_inline.creator(path),
                                         hide_parameters=True)
        else:
            engine = create_async_engine(url, connect_args={"timeout": 30},
                                         hide_parameters=True)
        _sqlite_pragmas(engine, "BEGIN IMMEDIATE" if immediate else "BEGIN")
    else:
        # a fixed pool, no overflow: an overflow connection was opened for a burst and closed
        # as soon as it came back to a full pool, and under load that meant a new connection
        # (TLS set-up, authentication, a server process forked) every few reports. Units
        # beyond the pool wait for a connection instead (none holds two: no nested units)
        engine = create_async_engine(url, pool_size=POOL_SIZE, max_overflow=0,
                                     hide_parameters=True)
        _ping_when_idle(engine)
    _count_statements(engine)
    return engine


PING_AFTER_IDLE = 10.0  # seconds a pooled PostgreSQL connection may rest unchecked


def _ping_when_idle(engine: AsyncEngine) -> None:
    """SQLAlchemy's pool_pre_ping checks every checkout, which on asyncpg costs three round
    trips (BEGIN, an empty query, ROLLBACK), twice per report. A connection that went back to
    the pool moments ago is alive; one that rested longer than PING_AFTER_IDLE (a database
    restart, a proxy's idle cut) is pinged, and a dead one is replaced before the unit sees it
    (SQLAlchemy's recipe for custom pessimistic pings: DisconnectionError on checkout)."""
    @event.listens_for(engine.sync_engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return  # new, or back in the pool just now
        try:
            dbapi_conn.ping()
        except Exception as err:  # noqa: BLE001 - any failure: use another connection
            logger.warning("a pooled database connection was dead (%s): replaced",
                           type(err).__name__)
            raise DisconnectionError from err


def _count_statements(engine: AsyncEngine) -> None:
    # per DBAPI connection, so concurrent units on PostgreSQL each read their own count
    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(conn: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement[:5].upper() not in ("BEGIN", "COMMI", "ROLLB"):
            conn.info["statements"] = conn.info.get("statements", 0) + 1


async def flush_pending(session: AsyncSession) -> None:
    """`session.flush()` when the session holds anything to write. A flush of a clean session
    writes nothing (Session.flush returns at once), but through AsyncSession it still costs a
    greenlet switch there and back, twice per report on the hot path."""
    if not session.sync_session._is_clean():  # noqa: SLF001 - what Session.flush asks first
        await session.flush()


# what the caller's units of work are, for the statements-per-unit metric: "message" (an
# inbound message's work), "claim", "outbox", "media", "job", "api", "console"; set by bot/
UNIT_KIND: ContextVar[str] = ContextVar("gridbot_unit_kind", default="other")


class Observer(Protocol):
    """Who wants to know how units and bursts went (bot.metrics; storage cannot import it)."""

    def burst(self, units: int) -> None: ...

    def unit(self, statements: int, kind: str) -> None: ...


def _sqlite_pragmas(engine: AsyncEngine, begin: str) -> None:
    # take transactions over from pysqlite (SQLAlchemy's recipe) so they BEGIN IMMEDIATE: a
    # reader that later writes would otherwise fail with "database is locked" under load
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


async def run_burst(session: AsyncSession, batch: list[Any], info: dict[str, Any]
                    ) -> tuple[list[tuple[asyncio.Future[Any], Any]], list[int],
                               BaseException | None]:
    """Run a burst's units one after the other in `session`'s transaction, then flush and
    commit: (each future with its unit's result, statements per unit, the failure or None).
    A unit that raises stops the burst (the caller rolls back and reruns each alone); a
    cancellation from inside a unit is its failure, the running task's own is raised. Shared
    by SQLite's writer and PostgreSQL's lanes (`storage.pg_group`); `info` is the burst's
    connection's info, whose statement count is read without an await."""
    results: list[tuple[asyncio.Future[Any], Any]] = []
    counts: list[int] = []
    for unit, fut, _ in batch:
        try:
            start = info.get("statements", 0)
            session.info[UNIT_SCOPE] = {}  # what one unit notes for itself
            results.append((fut, await unit(session)))
            counts.append(info.get("statements", 0) - start)
        except asyncio.CancelledError as exc:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # the writer or lane itself is stopping
            return results, counts, exc  # something inside the unit was cancelled
        except Exception as exc:
            return results, counts, exc
    try:
        before = info.get("statements", 0)
        await flush_pending(session)  # the last unit's pending writes
        for hook in session.info.get(BEFORE_COMMIT, ()):  # what units left to the end
            await hook(session)
        counts[-1] += info.get("statements", 0) - before
        await session.commit()
    except Exception as exc:
        return results, counts, exc
    return results, counts, None


class Database:
    """The engine, a session maker and `run(unit)` (the unit of work)."""

    def __init__(self, url: str, *, district_check_seconds: float = 5.0,
                 sqlite_writer: str = "inline", pg_lanes: int = 2) -> None:
        """`sqlite_writer`: "inline" runs the writer's statements on the event loop's thread
        (storage.sqlite_inline), "thread" on aiosqlite's (config `[database] sqlite_writer`).
        `pg_lanes`: PostgreSQL's group commit (storage.pg_group) with this many bursts in
        flight; 0 runs every unit in a transaction of its own, concurrently."""
        self.url = url
        self.engine = create_engine(url, inline=sqlite_writer == "inline")
        self.observer: Observer | None = None
        # the district's read model, one per worker: reached by repositories via session.info
        self.district = DistrictModel(district_check_seconds)
        info = self._info = {"district": self.district}
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, info=info)
        self.is_sqlite = is_sqlite_url(url)
        # WAL readers need no write lock: reads get their own engine with a deferred BEGIN
        self.read_engine = create_engine(url, immediate=False) if self.is_sqlite else self.engine
        self.read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False,
                                                info=info)
        self._queue: asyncio.Queue[tuple[Unit[Any], asyncio.Future[Any], str]] | None = None
        self._writer: asyncio.Task[None] | None = None
        self.group = GroupCommit(self, pg_lanes) if pg_lanes and not self.is_sqlite else None
        # PostgreSQL: ticket codes from blocks this worker reserves (storage.codes)
        self.codes = None if self.is_sqlite else codes.CodeBlocks(self.engine)
        if self.codes is not None:
            info[codes.INFO_KEY] = self.codes

    async def run(self, unit: Unit[T], *, sender: tuple[str, str] | None = None) -> T:
        """Run `unit(session)` and commit; raise what it raised, with nothing written.
        `sender` (channel, address): whose lock the unit takes first
        (storage.dialect.sender_xact_lock); on PostgreSQL a burst takes its units' locks
        with its BEGIN, as one statement."""
        if not self.is_sqlite:
            if self.group is not None:
                key = sender_key(*sender) if sender is not None else None
                return await self.group.run(unit, UNIT_KIND.get(), key)  # type: ignore[no-any-return]
            return await self._unit_alone(unit, UNIT_KIND.get())
        if self._writer is None or self._writer.done():
            self._queue = asyncio.Queue()
            self._writer = asyncio.create_task(self._write_loop(), name="sqlite-writer")
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        assert self._queue is not None
        await self._queue.put((unit, fut, UNIT_KIND.get()))
        return await fut

    async def _unit_alone(self, unit: Unit[T], kind: str) -> T:
        """A transaction of its own for `unit`, begun by its first statement. Committed, the
        session is closed in place: the commit gave its connection back already, so closing
        is forgetting its objects, with none of the async close's task and greenlet hop;
        if anything fails before that, the async close rolls back."""
        session = self.sessions()
        try:
            session.info[UNIT_SCOPE] = {}
            observer = self.observer
            # the unit's connection, now (its first statement needs it anyway): its
            # statement count is read from it without asking the session again
            counts = (await fast.connection(session)).sync_connection.info \
                if observer is not None else {}  # type: ignore[union-attr]
            start = counts.get("statements", 0)
            result = await unit(session)
            await session.commit()
        except BaseException:
            await session.close()
            raise
        if observer is not None:  # what the commit wrote (its flush) counted too
            observer.unit(counts.get("statements", 0) - start, kind)
        sync = session.sync_session
        if sync.in_transaction():  # never after a commit; if it were, the I/O of a rollback
            await session.close()
        else:
            sync.close()
        return result

    async def run_one(self, stmt: Any, params: dict[str, Any], *,
                      fold: Fold | None = None) -> Any:
        """One prebuilt write statement as a unit of its own (`storage.fast`: no ORM): its
        rows (RETURNING) or its rowcount, committed. On PostgreSQL it is autocommitted on a
        pooled connection of its own, without a session, BEGIN or COMMIT
        (`fast.run_alone`); on SQLite it is a unit of the writer's burst like any other.
        `fold(session, [params, ...])`: on PostgreSQL, the statements of a burst that share
        it run as one, its rows in order (the claims of a burst's messages)."""
        if self.is_sqlite:
            return await self.run(lambda session: fast.execute(session, stmt, params))
        if self.group is not None:  # alone it is autocommitted still (_one_alone)
            return await self.group.run_one(stmt, params, UNIT_KIND.get(), fold)
        return await self._one_alone(stmt, params, UNIT_KIND.get())

    async def _one_alone(self, stmt: Any, params: dict[str, Any], kind: str) -> Any:
        result = await fast.run_alone(self.engine, stmt, params)
        if self.observer is not None:
            self.observer.unit(1, kind)
        return result

    async def read(self, query: Unit[T]) -> T:
        """A read-only query on its own session (WAL readers do not wait for the writer)."""
        async with self.read_sessions() as session:
            return await query(session)

    async def _write_loop(self) -> None:
        """Bursts, each of what is queued once the units on their way have joined: the loop
        is let run GATHER_TURNS turns first. Taking the queue as it stood the moment a unit
        arrived left out the claims of requests still being read and the messages of claims
        just committed, which then waited for the whole next burst: half to two thirds of
        the reports took three bursts, the rest two; with the turns every one takes two
        (bench/gateway.py --trace; p99 87-95 → 80-83 ms in the same runs)."""
        assert self._queue is not None
        while True:
            batch = [await self._queue.get()]
            for _ in range(GATHER_TURNS):
                await asyncio.sleep(0)
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._run_batch(batch)
            except Exception as exc:  # the writer must outlive any one batch
                logger.exception("group commit of %d units failed", len(batch))
                for _, fut, _ in batch:
                    if not fut.done():
                        fut.set_exception(exc)

    async def _run_batch(self, batch: list[tuple[Unit[Any], asyncio.Future[Any], str]]
                         ) -> None:
        """Run the units in one transaction. Optimistic: no savepoint per unit (each costs two
        round trips); if one unit raises, the batch rolls back and each unit reruns alone."""
        batch = [item for item in batch if not item[1].done()]  # callers that gave up
        if not batch:
            return
        results: list[tuple[asyncio.Future[Any], Any]] = []
        failed: BaseException | None = None
        counts: list[int] = []
        async with self.sessions() as session:
            await session.begin()
            # the burst's one connection: its statement count is read without an await
            info = (await session.connection()).sync_connection.info  # type: ignore[union-attr]
            try:
                results, counts, failed = await run_burst(session, batch, info)
            finally:
                if session.in_transaction():
                    await session.rollback()
        if failed is not None:
            if len(batch) == 1:
                batch[0][1].set_exception(failed)
                return
            for item in batch:
                await self._run_batch([item])
            return
        if self.observer is not None:
            self.observer.burst(len(batch))
            for n, (_, _, kind) in zip(counts, batch, strict=True):
                self.observer.unit(n, kind)
        for fut, value in results:
            if not fut.done():
                fut.set_result(value)

    async def close(self) -> None:
        if self.group is not None:
            await self.group.close()
        if self._writer is not None:
            self._writer.cancel()
            while self._queue is not None and not self._queue.empty():
                self._queue.get_nowait()[1].cancel()
            try:
                await self._writer
            except (asyncio.CancelledError, Exception):
                pass
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
