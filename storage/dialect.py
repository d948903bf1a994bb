"""Every difference between PostgreSQL and SQLite that a statement needs, in one place.

SQLite (WAL, one process) has a single writer, so row locks are moot there and are left out;
PostgreSQL runs several workers, so claims lock rows (`FOR UPDATE SKIP LOCKED`) and take turns
through advisory locks. Upserts use each dialect's own `INSERT … ON CONFLICT`, which both
spell the same way once the right `insert` is picked. Callers ask here; nobody else reads
`dialect.name`.
"""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

from sqlalchemy import Float, cast, extract, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select

from storage import fast

S = TypeVar("S", bound=Select[Any])

POSTGRESQL = "postgresql"
SQLITE = "sqlite"


def name(session: AsyncSession) -> str:
    """The dialect the session's connection speaks: "postgresql" or "sqlite"."""
    return session.get_bind().dialect.name


def is_sqlite_url(url: str) -> bool:
    """Whether a database URL (sqlite+aiosqlite://…, postgresql+asyncpg://…) names SQLite."""
    return make_url(url).get_backend_name() == SQLITE


def insert(session: AsyncSession, table: Any) -> Any:
    """`INSERT` with `on_conflict_do_update` / `on_conflict_do_nothing` and `excluded`, in the
    session's dialect (both dialects take the same arguments)."""
    return (postgresql.insert if name(session) == POSTGRESQL else sqlite.insert)(table)


def for_update(session: AsyncSession, stmt: S, *, skip_locked: bool = False) -> S:
    """`stmt` row-locked on PostgreSQL (`FOR UPDATE`, optionally `SKIP LOCKED` so concurrent
    claims take different rows); unchanged on SQLite, whose single writer serialises units."""
    if name(session) != POSTGRESQL:
        return stmt
    return stmt.with_for_update(skip_locked=skip_locked)


async def advisory_xact_lock(session: AsyncSession, key: int) -> None:
    """Take turns with other workers until the transaction ends (PostgreSQL); on SQLite the
    single writer already does."""
    if name(session) == POSTGRESQL:
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


SENDER_LOCKS = 0x67726964  # "grid": the namespace of the two-key advisory locks per sender


async def sender_xact_lock(session: AsyncSession, channel: str, sender: str) -> None:
    """Take turns with every other unit of this sender (channel + openid or WeCom account)
    until the transaction ends: PostgreSQL grants waiters in the order they asked, so one
    sender's messages are processed one after the other, each reading what the one before
    committed. The two-key form never meets the one-key locks (scheduler, claims). On SQLite
    the single writer runs units one at a time in the order they were queued: nothing to do."""
    if name(session) != POSTGRESQL:
        return
    key = sender_key(channel, sender)
    if key in session.info.get(fast.HELD_LOCKS, ()):
        return  # this burst took it with its BEGIN (storage.pg_group)
    # the unit's first statement: its BEGIN goes in the same message (storage.fast)
    await fast.advisory_xact_lock(session, SENDER_LOCKS, key)


def sender_key(channel: str, sender: str) -> int:
    """The second key of a sender's advisory lock (the first is SENDER_LOCKS)."""
    digest = hashlib.blake2b(f"{channel}:{sender}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def seconds_between(session: AsyncSession, later: Any, earlier: Any) -> ColumnElement[Any]:
    """`later - earlier` in seconds, as a float column expression."""
    if name(session) == SQLITE:  # datetimes are ISO text there; julianday parses them
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return cast(extract("epoch", later - earlier), Float)
