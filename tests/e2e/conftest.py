"""The real app on 127.0.0.1 with the WeChat API stand-in, one world per test (`world`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from tests.support.e2e import Quiet, World, quiet_world, start_world, stop_world


@pytest_asyncio.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    w, runner = await start_world(tmp_path)
    yield w
    await stop_world(w, runner)


@pytest_asyncio.fixture
async def quiet(tmp_path: Path) -> AsyncIterator[Quiet]:
    async with quiet_world(tmp_path) as q:
        yield q
