"""The flood guard's counters shared through Redis: a sender spreading messages over several
workers gets the same limit as on one (needs GRIDBOT_TEST_REDIS_URL)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
import pytest_asyncio

from bot.gateway.flood_shared import SharedFloodGuard

REDIS_URL = os.environ.get("GRIDBOT_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="GRIDBOT_TEST_REDIS_URL is not set")
T0 = datetime(2026, 12, 1, 9, 0, 0)


@pytest_asyncio.fixture
async def workers() -> AsyncIterator[tuple[SharedFloodGuard, SharedFloodGuard]]:
    prefix = f"test:flood:{secrets.token_hex(4)}"  # this test's keys only
    a = SharedFloodGuard.from_url(REDIS_URL or "", prefix=prefix)
    b = SharedFloodGuard.from_url(REDIS_URL or "", prefix=prefix)
    yield a, b
    keys = [k async for k in a.redis.scan_iter(f"{prefix}:*")]
    if keys:
        await a.redis.delete(*keys)
    await a.close()
    await b.close()


async def test_the_limit_holds_across_workers(workers) -> None:  # noqa: ANN001
    a, b = workers
    key = ("mp", "o-flooder")
    got = [await (a if n % 2 else b).slot(key, T0 + timedelta(seconds=n), 3) for n in range(6)]
    now = [T0 + timedelta(seconds=n) for n in range(6)]
    assert [s.waits(t) for s, t in zip(got, now, strict=True)] == [False] * 3 + [True] * 3
    assert [s.notice for s in got] == [False] * 3 + [True, False, False]  # one notice
    # deferred, not dropped: each waits for the window to have room, in order
    assert [s.at for s in got[3:]] == [T0 + timedelta(seconds=60 + n) for n in range(3)]
    assert await a.would_wait(key, T0 + timedelta(seconds=7), 3)
    # another sender is not affected
    assert not (await a.slot(("mp", "o-quiet"), T0, 3)).waits(T0)


async def test_a_released_retry_gives_its_place_back(workers) -> None:  # noqa: ANN001
    a, b = workers
    key = ("mp", "o-retry")
    slots = [await a.slot(key, T0 + timedelta(seconds=n), 3) for n in range(3)]
    await a.release(key, slots[2])  # it was a retry
    t3, t4 = T0 + timedelta(seconds=3), T0 + timedelta(seconds=4)
    assert not (await b.slot(key, t3, 3)).waits(t3)
    assert (await b.slot(key, t4, 3)).waits(t4)
