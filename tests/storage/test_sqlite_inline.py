"""The SQLite writer runs a burst's statements and its commit inline (checkpoints on a thread
of their own); units still commit together or not at all, and a lock held elsewhere is waited
for on a thread."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import sqlite_inline
from storage.db import Database
from storage.migrate import upgrade
from storage.models import TicketSequence


@pytest.fixture
async def sqlite_db(tmp_path: Path):  # noqa: ANN201
    url = f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}"
    await upgrade(url)
    db = Database(url, sqlite_writer="inline")
    yield db, tmp_path / "inline.db"
    await db.close()


def add(day: str):  # noqa: ANN201
    async def unit(session: AsyncSession) -> str:
        session.add(TicketSequence(day=day, last=1))
        await session.flush()
        return day

    return unit


async def count(db: Database) -> int:
    return await db.read(lambda s: s.scalar(select(func.count()).select_from(TicketSequence)))


async def test_a_burst_costs_no_thread_hop(sqlite_db, monkeypatch) -> None:  # noqa: ANN001
    db, _ = sqlite_db
    await db.run(add("warm"))  # the connection is open
    hops = 0
    real = asyncio.to_thread

    async def counting(fn, *args):  # noqa: ANN001, ANN202
        nonlocal hops
        hops += 1
        return await real(fn, *args)

    monkeypatch.setattr(sqlite_inline.asyncio, "to_thread", counting)
    days = await asyncio.gather(*(db.run(add(f"d{i:03d}")) for i in range(40)))
    assert len(days) == 40 and await count(db) == 41
    assert hops == 0  # statements and commits inline (the lock was free: nobody else wrote)


async def test_a_failing_unit_rolls_back_alone(sqlite_db) -> None:  # noqa: ANN001
    db, _ = sqlite_db
    results = await asyncio.gather(db.run(add("a")), db.run(add("a")), db.run(add("b")),
                                   return_exceptions=True)
    assert results[0] == "a" and results[2] == "b"
    assert isinstance(results[1], Exception)
    assert await count(db) == 2


async def test_the_writer_waits_for_a_lock_held_elsewhere(sqlite_db) -> None:  # noqa: ANN001
    db, path = sqlite_db
    await db.run(add("warm"))  # the writer's connection is open (as in a running server)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process writing
    task = asyncio.create_task(db.run(add("later")))
    await asyncio.sleep(0.3)
    assert not task.done()  # waiting on a thread: the loop itself still runs
    other.execute("COMMIT")
    other.close()
    assert await asyncio.wait_for(task, 10) == "later"


async def test_the_wal_is_checkpointed_beside_the_writer_not_in_its_commit(
        sqlite_db, tmp_path: Path) -> None:  # noqa: ANN001
    """The writer's connection never checkpoints in a commit (wal_autocheckpoint 0: the copy
    and sync took 10-40 ms there); its Checkpointer does, on its own thread, after commits, so
    what is committed reaches the database file itself, not only the WAL."""
    db, path = sqlite_db
    await db.run(add("warm"))
    async with db.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
    assert raw.sqlite.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
    checkpointer = raw.checkpointer
    checkpointer.seconds = 0.0
    for i in range(30):
        await db.run(add(f"c{i:03d}"))
    await checkpointer.settled()
    checkpointer.committed()  # a commit while one ran started none: one more, after the last
    await checkpointer.settled()
    assert checkpointer.done >= 2
    alone = tmp_path / "file-only.db"  # the database file without its WAL
    alone.write_bytes(path.read_bytes())
    other = sqlite3.connect(alone)
    try:
        assert other.execute("SELECT count(*) FROM ticket_sequences").fetchone() == (31,)
    finally:
        other.close()


def test_none_is_bound_as_null_by_the_registered_adapter() -> None:
    """A None parameter is found in sqlite3's adapter registry (no failed `__adapt__` and
    `__conform__` lookups) and is stored as NULL, beside values of every other type."""
    assert sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)](None) is None
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a, b, c NOT NULL DEFAULT 'x')")
    conn.execute("INSERT INTO t (a, b) VALUES (?, ?)", (None, "路灯"))
    assert conn.execute("SELECT a IS NULL, typeof(a), b FROM t").fetchall() == \
        [(1, "null", "路灯")]
    with pytest.raises(sqlite3.IntegrityError):  # NULL, not an empty value, reaches SQLite
        conn.execute("INSERT INTO t (a, c) VALUES (?, ?)", (1, None))
