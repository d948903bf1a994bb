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
from bot.gateway.ratelimit import Verdict

REDIS_URL = os.environ.get("GRIDBOT_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="GRIDBOT_TEST_REDIS_URL is not set")
T0 = datetime(2026, 12, 1, 9, 0, 0)


@pytest_asyncio.fixture
async def workers() -> AsyncIterator[tuple[SharedFloodGuard, SharedFloodGuard]]:
    prefix = f"test:flood:{secrets.token_hex(4)}"  # this test's keys only
    a = SharedFloodGuard.from_url(REDIS_URL or "", 3, prefix=prefix)
    b = SharedFloodGuard.from_url(REDIS_URL or "", 3, prefix=prefix)
    yield a, b
    keys = [k async for k in a.redis.scan_iter(f"{prefix}:*")]
    if keys:
        await a.redis.delete(*keys)
    await a.close()
    await b.close()


async def test_the_limit_holds_across_workers(workers) -> None:  # noqa: ANN001
    a, b = workers
    key = ("mp", "o-flooder")
    got = [await (a if n % 2 else b).hit(key, T0 + timedelta(seconds=n)) for n in range(6)]
    assert got == [Verdict.ACCEPT] * 3 + [Verdict.NOTICE, Verdict.IGNORE, Verdict.IGNORE]
    # another sender is not affected
    assert await a.hit(("mp", "o-quiet"), T0) is Verdict.ACCEPT
    # once the first accepted message is a minute old, there is room again, on any worker
    assert await b.hit(key, T0 + timedelta(seconds=60.5)) is Verdict.ACCEPT


async def test_a_released_retry_gives_its_place_back(workers) -> None:  # noqa: ANN001
    a, b = workers
    key = ("mp", "o-retry")
    for n in range(3):
        assert await a.hit(key, T0 + timedelta(seconds=n)) is Verdict.ACCEPT
    await a.release(key, Verdict.ACCEPT, T0 + timedelta(seconds=2))  # it was a retry
    assert await b.hit(key, T0 + timedelta(seconds=3)) is Verdict.ACCEPT
    assert await b.hit(key, T0 + timedelta(seconds=4)) is Verdict.NOTICE
