"""The SQLite writer's connection: statements and the commit run inline, checkpoints beside.

aiosqlite sends every call (cursor, execute, fetch, close) to its own thread and back: four or
five thread hops per statement, each a wake-up of the event loop. The writer's bursts are short
statements against a local file that only this writer locks (WAL readers never block it), so
here they run synchronously where SQLAlchemy's greenlet awaits them, and only what may wait on
another process goes to a thread: taking the write lock when someone else holds it.

It stands in for aiosqlite's connection under SQLAlchemy's `sqlite+aiosqlite` dialect (through
`async_creator`), implementing the part of aiosqlite's interface that the dialect uses.

Nothing of the writer's waits on the disk. A commit in WAL mode with `synchronous=NORMAL`
appends the burst's pages to the WAL without syncing it; what syncs is a checkpoint, which
SQLite runs inside the commit that takes the WAL past 1,000 pages (`wal_autocheckpoint`),
copying them into the database file: 10-40 ms here, twice a second under load, with every
unit of the burst and of the next one waiting. The writer's connection turns that off, and
after a commit a `Checkpointer` runs a PASSIVE checkpoint (it waits for nobody; the writer and
the readers go on meanwhile) on a connection and thread of its own, at most once a second. So
the commit runs inline too: on a thread it cost a wake-up of that thread and, to come back, a
wait for the event loop to give up the GIL (6 ms at the median under load, against 0.3 ms
inline, in bench/gateway.py --trace), during which the writer could not start the next burst.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

logger = logging.getLogger(__name__)

# sqlite3 binds an exact int, float, str or bytearray as it is, and asks everything else for
# an adapter: a lookup in its registry and, when none is there, `__adapt__` on its protocol
# type and `__conform__` on the value, each a failed attribute lookup that formats an
# AttributeError. None (NULL) took that way for each of the ~30 NULL columns of a report's
# rows (an unset unit, room, deadline…): registered, it is found at the first lookup and
# handed back as it is (a C call, `{}.get(None)`). The same NULL is bound either way.
sqlite3.register_adapter(type(None), {}.get)

CHECKPOINT_SECONDS = 1.0  # at most one checkpoint per this, started by a commit


class _Now:
    """aiosqlite's request queue, as the dialect's isolation-level setter uses it: run now."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:  # noqa: BLE001 - handed to whoever awaits the future
            future.set_exception(exc)


class InlineCursor:
    def __init__(self, conn: InlineConnection) -> None:
        self._owner = conn
        self._cursor = conn._conn.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        if sql.lstrip()[:5].upper() == "BEGIN":
            await self._owner.begin(self._cursor, sql)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, rows: Iterable[Any]) -> InlineCursor:
        self._cursor.executemany(sql, rows)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size or self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    async def setinputsizes(self, *sizes: Any) -> None:
        return None


class Checkpointer:
    """The WAL copied into the database file on a thread of its own, one checkpoint at a
    time and at most every `seconds`, each started by a commit (`committed`)."""

    def __init__(self, path: str, seconds: float = CHECKPOINT_SECONDS) -> None:
        self.path, self.seconds = path, seconds
        self.done = 0  # checkpoints run (tests)
        self._conn: sqlite3.Connection | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._running: asyncio.Future[None] | None = None
        self._last = float("-inf")

    def committed(self) -> None:
        if self._running is not None and not self._running.done():
            return
        now = time.monotonic()
        if now - self._last < self.seconds:
            return
        self._last = now
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="sqlite-checkpoint")
        self._running = asyncio.get_running_loop().run_in_executor(self._pool, self._run)
        self._running.add_done_callback(_told)

    def _run(self) -> None:
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, isolation_level=None,
                                         check_same_thread=False)
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.done += 1

    async def settled(self) -> None:
        """Wait for the checkpoint running now, if any."""
        if self._running is not None:
            await asyncio.gather(self._running, return_exceptions=True)

    async def close(self) -> None:
        await self.settled()
        self.stop()

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _told(done: asyncio.Future[None]) -> None:
    if not done.cancelled() and done.exception() is not None:
        logger.warning("SQLite checkpoint failed (the next commit tries again): %s",
                       done.exception())


class InlineConnection:
    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._connection = self._conn  # what the dialect checks before commit/rollback
        self._tx = _Now(self._conn)
        self.busy_timeout_ms = busy_timeout_ms
        self._conn.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer's, after commits
        self.checkpointer = Checkpointer(path)

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The connection itself, for statements run synchronously (storage.fast)."""
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:  # entered with `async with`, as aiosqlite's
        return InlineCursor(self)

    async def begin(self, cursor: sqlite3.Cursor, sql: str) -> None:
        # inline when the lock is free (nearly always: this process's writer is its only
        # writer); on a thread, waiting up to busy_timeout, when another process holds it
        cursor.execute("PRAGMA busy_timeout=0")
        try:
            cursor.execute(sql)
        except sqlite3.OperationalError:
            cursor.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")
            await asyncio.to_thread(cursor.execute, sql)
        else:
            cursor.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")

    async def commit(self) -> None:
        if self._conn.in_transaction:
            self._conn.commit()  # the WAL written, not synced: no waiting on the disk
            self.checkpointer.committed()

    async def rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.rollback()

    async def close(self) -> None:
        await self.checkpointer.close()
        self._conn.close()  # the last connection to close checkpoints what is left

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    def stop(self) -> None:
        self.checkpointer.stop()
        self._conn.close()


def creator(path: str, busy_timeout_ms: int = 30000) -> Callable[[], Any]:
    """`async_creator` for create_async_engine: a new inline connection to `path`."""

    async def connect() -> InlineConnection:
        return InlineConnection(path, busy_timeout_ms)

    return connect
