"""The SQLite writer's connection: statements run inline, the commit on a thread.

aiosqlite sends every call (cursor, execute, fetch, close) to its own thread and back: four or
five thread hops per statement, each a wake-up of the event loop. The writer's bursts are short
statements against a local file that only this writer locks (WAL readers never block it), so
here they run synchronously where SQLAlchemy's greenlet awaits them, and only what may wait on
the disk or on another process goes to a thread: taking the write lock when someone else holds
it, and the commit. A burst then costs one thread hop (the commit), not one per statement.

It stands in for aiosqlite's connection under SQLAlchemy's `sqlite+aiosqlite` dialect (through
`async_creator`), implementing the part of aiosqlite's interface that the dialect uses.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any


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


class InlineConnection:
    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._connection = self._conn  # what the dialect checks before commit/rollback
        self._tx = _Now(self._conn)
        self.busy_timeout_ms = busy_timeout_ms

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
            await asyncio.to_thread(self._conn.commit)  # the burst's one hop: it may fsync

    async def rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    def stop(self) -> None:
        self._conn.close()


def creator(path: str, busy_timeout_ms: int = 30000) -> Callable[[], Any]:
    """`async_creator` for create_async_engine: a new inline connection to `path`."""

    async def connect() -> InlineConnection:
        return InlineConnection(path, busy_timeout_ms)

    return connect
