"""The admin API over 127.0.0.1 (`client`, `make_client`) on the seeded district (`seeded`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from storage.db import Database
from tests.support.api import MakeClient, build_app, seed


@pytest_asyncio.fixture
async def seeded(db: Database) -> Database:
    await db.run(seed)
    return db


@pytest_asyncio.fixture
async def make_client(seeded: Database) -> MakeClient:
    @asynccontextmanager
    async def make(**kw: Any) -> AsyncIterator[TestClient[Any, Any]]:
        async with TestClient(TestServer(build_app(seeded, **kw), host="127.0.0.1")) as c:
            yield c

    return make


@pytest_asyncio.fixture
async def client(make_client: MakeClient) -> AsyncIterator[TestClient[Any, Any]]:
    async with make_client() as c:
        yield c
