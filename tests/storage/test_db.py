"""The unit of work: concurrent units all commit; a failing unit rolls back alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import POOL_SIZE, Database
from storage.migrate import upgrade
from storage.models import TicketSequence
from tests.support.db import PG_URL, fresh


def _insert(day: str, fail: bool = False):
    async def unit(s):
        s.add(TicketSequence(day=day, last=1))
        await s.flush()
        if fail:
            raise ValueError(f"unit {day} failed")
        return day

    return unit


async def _days(db: Database) -> set[str]:
    return set((await db.read(lambda s: s.scalars(select(TicketSequence.day)))).all())


async def test_fifty_concurrent_units_commit_and_a_failing_one_rolls_back_alone(
        any_db: Database) -> None:
    commits = 0

    def count(_conn: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(any_db.engine.sync_engine, "commit", count)
    units = [_insert(f"{i:08d}", fail=(i == 25)) for i in range(50)]
    results = await asyncio.wait_for(
        asyncio.gather(*(any_db.run(u) for u in units), return_exceptions=True), timeout=20)

    assert isinstance(results[25], ValueError)
    assert [r for i, r in enumerate(results) if i != 25] == [
        f"{i:08d}" for i in range(50) if i != 25]
    assert await _days(any_db) == {f"{i:08d}" for i in range(50)} - {"00000025"}
    if any_db.is_sqlite:
        assert commits < 50  # grouped: the failure really shared a transaction with others


async def test_a_unit_violating_a_constraint_fails_alone(any_db: Database) -> None:
    await any_db.run(_insert("dup"))
    results = await asyncio.gather(any_db.run(_insert("a")), any_db.run(_insert("dup")),
                                   any_db.run(_insert("b")), return_exceptions=True)
    assert results[0] == "a" and results[2] == "b"
    assert isinstance(results[1], IntegrityError)
    assert await _days(any_db) == {"dup", "a", "b"}


async def test_the_writer_keeps_going_after_a_failure(db: Database) -> None:
    with pytest.raises(ValueError):
        await db.run(_insert("x", fail=True))
    assert await db.run(_insert("y")) == "y"
    assert await _days(db) == {"y"}


async def test_unflushed_changes_of_a_failing_unit_do_not_leak_into_the_batch(
        db: Database) -> None:
    await db.run(_insert("a"))

    async def bad(s):
        (await s.get(TicketSequence, "a")).last = 99
        s.add(TicketSequence(day="leak", last=1))
        raise ValueError("handler failed")

    results = await asyncio.gather(db.run(bad), db.run(_insert("b")), return_exceptions=True)
    assert isinstance(results[0], ValueError) and results[1] == "b"
    rows = await db.read(lambda s: s.execute(select(TicketSequence.day, TicketSequence.last)))
    assert sorted(rows.all()) == [("a", 1), ("b", 1)]


async def test_database_errors_never_quote_the_values(any_db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    from storage.models import Person

    async def twice(s) -> None:  # noqa: ANN001
        s.add(Person(id="p-dup", name="居民", phone="13912345678"))
        await s.flush()
        s.add(Person(id="p-dup", name="居民", phone="13912345678"))
        await s.flush()

    with pytest.raises(IntegrityError) as exc:
        await any_db.run(twice)
    assert "13912345678" not in str(exc.value)


@pytest.mark.parametrize("writer", ["thread", "inline"])
async def test_either_sqlite_writer_commits_a_burst_and_rolls_back_a_failing_unit(
        tmp_path, writer: str) -> None:  # noqa: ANN001
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    await upgrade(url)
    db = Database(url, sqlite_writer=writer)
    try:
        results = await asyncio.gather(
            *(db.run(_insert(f"{i:08d}", fail=(i == 3))) for i in range(8)),
            return_exceptions=True)
        assert [isinstance(r, ValueError) for r in results] == [i == 3 for i in range(8)]
        assert await _days(db) == {f"{i:08d}" for i in range(8) if i != 3}
        async with db.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
        assert type(raw).__name__ == ("InlineConnection" if writer == "inline" else "Connection")
    finally:
        await db.close()


@pytest.mark.postgres
async def test_postgresql_keeps_its_connections_under_a_burst() -> None:
    """More units at once than the pool holds wait for a connection and reuse it: no
    connection is opened (and closed again) for a burst beyond the pool."""
    if not PG_URL:
        pytest.skip("GRIDBOT_TEST_DATABASE_URL is not set")
    db = await fresh(PG_URL)
    opened: list[object] = []
    event.listen(db.engine.sync_engine, "connect", lambda conn, _rec: opened.append(conn))
    try:
        async def slow(s: AsyncSession) -> int:
            return await s.scalar(text("SELECT 1 FROM pg_sleep(0.05)"))

        for _ in range(2):
            assert await asyncio.gather(*(db.run(slow) for _ in range(3 * POOL_SIZE))) == [
                1] * (3 * POOL_SIZE)
        assert len(opened) <= POOL_SIZE
    finally:
        await db.close()


async def test_a_request_is_claimed_and_worked_in_two_consecutive_bursts(
        tmp_path: Path) -> None:
    """A closed loop of clients as the gateway is (each request reaches its claim a few loop
    turns after it is read, then its work unit, then the next request): the writer takes
    what is on its way into its burst, so no claim or work waits for a burst it just missed."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bursts.db'}"
    await upgrade(url)
    db = Database(url)
    bursts = 0

    class Count:
        def burst(self, units: int) -> None:
            nonlocal bursts
            bursts += 1

        def unit(self, statements: int, kind: str) -> None:
            pass

    db.observer = Count()
    spans: list[int] = []

    async def client(n: int) -> None:
        for k in range(6):
            # on its way to its claim: up to three turns (aiohttp reads and parses it, the
            # handler, the gateway's task), each request a little apart from the others
            for _ in range(1 + (n + k) % 3):
                await asyncio.sleep(0)
            start = bursts
            await db.run(_insert(f"c{n}-{k}"))  # the claim
            await db.run(_insert(f"w{n}-{k}"))  # the work
            spans.append(bursts - start)

    try:
        await asyncio.gather(*(client(n) for n in range(20)))
    finally:
        await db.close()
    assert len(spans) == 120
    assert set(spans) == {2}  # claim, then work: two bursts, never a third
