"""The scheduler's wiring and the leader lock: one worker runs the jobs, another takes over."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.runtime import Runtime
from bot.scheduler.leader import Leader
from bot.scheduler.runner import run_job, start_scheduler
from handlers.conversation.dispatcher import Dispatcher
from handlers.jobs.registry import sweep
from storage.clock import FrozenClock
from storage.db import Database
from tests.support.bot import START
from tests.support.db import PG_URL
from tests.support.jobs import services


class FakeLeader:
    def __init__(self, leads: bool) -> None:
        self.leads = leads

    async def check(self) -> bool:
        return self.leads


async def test_jobs_run_in_shanghai_time_once_at_a_time(db: Database) -> None:
    svc = services(FrozenClock(START), scheduler={"digest_time": "07:45", "weekly_day": "fri",
                                                  "weekly_time": "17:30", "sweep_seconds": 30})
    scheduler = start_scheduler(Runtime(svc.settings, db, svc.clock, Dispatcher(svc)))
    assert scheduler is not None
    try:
        assert scheduler.timezone == ZoneInfo("Asia/Shanghai")
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"sweep", "daily_digest", "weekly_summary"}
        assert all(j.max_instances == 1 and j.coalesce for j in jobs.values())
        assert jobs["sweep"].trigger.interval == timedelta(seconds=30)
        digest = jobs["daily_digest"].next_run_time.astimezone(ZoneInfo("Asia/Shanghai"))
        assert (digest.hour, digest.minute) == (7, 45)
        weekly = jobs["weekly_summary"].next_run_time.astimezone(ZoneInfo("Asia/Shanghai"))
        assert (weekly.weekday(), weekly.hour, weekly.minute) == (4, 17, 30)
    finally:
        scheduler.shutdown(wait=False)


async def test_disabled_scheduler_is_not_started(db: Database) -> None:
    svc = services(FrozenClock(START), scheduler={"enabled": False})
    runtime = Runtime(svc.settings, db, svc.clock, Dispatcher(svc))
    assert start_scheduler(runtime) is None


async def test_a_failing_job_is_logged_and_runs_again(db: Database,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    async def flaky(_db: Database, _services: object) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return 2

    woken: list[bool] = []
    svc = services(FrozenClock(START))
    with caplog.at_level(logging.ERROR, logger="bot.scheduler.runner"):
        assert await run_job(flaky, db, svc, FakeLeader(True), lambda: woken.append(True)) == 0
    assert "flaky failed" in caplog.text and "database went away" in caplog.text
    assert await run_job(flaky, db, svc, FakeLeader(True), lambda: woken.append(True)) == 2
    assert woken == [True]  # the outbox sender is woken when notices were queued
    assert await run_job(flaky, db, svc, FakeLeader(False)) == 0  # not the leader: no run
    assert len(calls) == 2


async def test_sweep_survives_one_failing_job(db: Database, caplog: pytest.LogCaptureFixture,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import handlers.jobs.registry as supervision

    async def broken(_db: Database, _services: object) -> int:
        raise RuntimeError("boom")

    async def fine(_db: Database, _services: object) -> int:
        return 1

    monkeypatch.setattr(supervision, "SWEEP_JOBS", (broken, fine))
    with caplog.at_level(logging.ERROR, logger="handlers.jobs.registry"):
        assert await sweep(db, services(FrozenClock(START))) == 1
    assert "broken failed" in caplog.text


async def test_sqlite_worker_always_leads(tmp_path: Path) -> None:
    leader = Leader(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert await leader.check() and leader.is_leader
    await leader.close()


@pytest_asyncio.fixture
async def pg_key() -> AsyncIterator[int]:
    if not PG_URL:
        pytest.skip("GRIDBOT_TEST_DATABASE_URL is not set")
    # a key of this test's own: a gridbot running against the same server keeps its lock
    yield secrets.randbelow(2**62)


@pytest.mark.postgres
async def test_one_postgres_worker_leads_and_another_takes_over(pg_key: int) -> None:
    first, second = Leader(PG_URL, key=pg_key), Leader(PG_URL, key=pg_key)
    try:
        assert await first.check()
        assert not await second.check()
        assert await first.check()  # keeps it, without stacking the lock
        assert not await second.check()
        await first.close()
        assert await second.check()
        assert not await first.check()
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgres
async def test_a_dead_leaders_lock_passes_on(pg_key: int) -> None:
    first, second = Leader(PG_URL, key=pg_key), Leader(PG_URL, key=pg_key)
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        assert await first.check()
        assert not await second.check()
        # the leader's session dies (crash, network); the timeout waits until it is gone
        async with admin.connect() as conn:
            killed = (await conn.execute(text(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_locks WHERE locktype = "
                "'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = :k"),
                {"k": pg_key})).scalar()
        assert killed == 1
        assert await second.check()
        assert not await first.check()  # notices its connection is gone, cannot retake
        assert not first.is_leader and second.is_leader
    finally:
        await first.close()
        await second.close()
        await admin.dispose()
