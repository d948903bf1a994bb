"""Which worker runs the scheduled jobs.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its own for as
long as it lives; every other worker asks again at each job run, so when the leader dies (its
connection closes and PostgreSQL drops the lock) another one takes over within a sweep. The
connection is in autocommit mode: it never sits idle inside a transaction, and it comes from
its own unpooled engine, so closing it really ends the session (a pooled connection returned
to its pool would keep the lock). SQLite serves one process, which always leads. The jobs
stay idempotent anyway: leadership decides who does the work, not whether it is done twice.
"""

from __future__ import annotations

import asyncio
import logging
import os

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage import dialect

logger = logging.getLogger(__name__)

LOCK_KEY = 0x6772_6964_626F_7401  # "gridbot" + 1: one lock for the whole deployment


class Leader:
    def __init__(self, url: str, key: int = LOCK_KEY) -> None:
        self.url = url
        self.key = key
        self.is_sqlite = dialect.is_sqlite_url(url)
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None
        self._lock = asyncio.Lock()
        self.checked = False  # the first check (at start) is announced by the scheduler

    @property
    def is_leader(self) -> bool:
        return self.is_sqlite or self._conn is not None

    async def check(self) -> bool:
        """Whether this worker leads now: keeps the lock if it has it (and its connection is
        alive), else tries to take it. Never raises: a database hiccup means "not now"."""
        if self.is_sqlite:
            return True
        try:
            async with self._lock:
                return await self._check()
        finally:
            self.checked = True

    async def _check(self) -> bool:
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                return True
            except Exception:  # the session is gone, and the lock with it
                logger.warning("lost the scheduler lock's connection; trying again")
                await self._drop()
        return await self._try_acquire()

    async def _try_acquire(self) -> bool:
        if self._engine is None:
            self._engine = create_async_engine(self.url, poolclass=NullPool,
                                               isolation_level="AUTOCOMMIT")
        try:
            conn = await self._engine.connect()
        except Exception:
            logger.warning("cannot reach the database for the scheduler lock", exc_info=True)
            return False
        try:
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                      {"k": self.key})).scalar()
        except Exception:
            logger.warning("scheduler lock query failed", exc_info=True)
            await _quietly_close(conn)
            return False
        if got:
            self._conn = conn
            if self.checked:  # at start the scheduler's line says so
                logger.info("scheduler: this process (pid %d) takes over the lead: it runs "
                            "the scheduled jobs now", os.getpid())
            return True
        await conn.close()
        return False

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await _quietly_close(conn)

    async def close(self) -> None:
        """Give the lock up (another worker takes over at its next check)."""
        async with self._lock:
            if self._conn is not None:
                try:
                    await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"),
                                             {"k": self.key})
                except Exception:  # closing the session below releases it anyway
                    logger.debug("advisory unlock failed", exc_info=True)
                await self._drop()
                logger.info("scheduler leadership released (pid %d): another process takes "
                            "over at its next sweep", os.getpid())
            if self._engine is not None:
                await self._engine.dispose()
                self._engine = None


async def _quietly_close(conn: AsyncConnection) -> None:
    try:
        await conn.close()
    except Exception:  # already broken: nothing left to release
        logger.debug("closing a broken connection failed", exc_info=True)
