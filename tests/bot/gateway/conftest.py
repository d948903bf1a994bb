"""The gateway on a test server (`make_gw`, `gw`), with a recording dispatcher and sender."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.access_log import ACCESS_LOG
from bot.gateway.routes import setup_gateway
from bot.runtime import RUNTIME, Runtime
from storage.clock import FrozenClock
from storage.db import Database
from tests.support.gateway import START, FakeDispatcher, FakeSender, Gw, MakeGw, gateway_settings


@pytest_asyncio.fixture
async def make_gw(db: Database) -> AsyncIterator[MakeGw]:
    clients: list[TestClient] = []

    async def make(mode: str = "safe", *, database: Database | None = None,
                   **server: Any) -> Gw:
        settings = gateway_settings(mode, **server)
        app = web.Application()
        clock, dispatcher, sender = FrozenClock(START), FakeDispatcher(), FakeSender()
        media = FakeSender()  # the media store's loop: only its wakes are looked at
        app[RUNTIME] = Runtime(settings, database or db, clock,
                               dispatcher,  # type: ignore[arg-type]
                               sender=sender, media=media)  # type: ignore[arg-type]
        setup_gateway(app, settings)
        client = TestClient(TestServer(app))
        await client.server.start_server(**ACCESS_LOG)  # the access log `serve` writes
        await client.start_server()
        clients.append(client)
        gw = Gw(client, app, database or db, clock, dispatcher, sender)
        gw.media = media
        return gw

    yield make
    for client in clients:
        await client.close()


@pytest_asyncio.fixture
async def gw(make_gw: MakeGw) -> Gw:
    return await make_gw("safe")
