"""Whole flows over real sockets: starting and stopping the real app on 127.0.0.1 with the
WeChat API stand-in, and requests encrypted the way WeChat's and WeCom's servers encrypt them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web

from bot.app import create_app
from bot.demo.run import demo_settings
from bot.demo.simulator import MpSide, WorkSide
from bot.demo.standin import WeChatStandIn
from storage.clock import Clock
from storage.config import Settings
from storage.db import Database
from storage.district import import_district
from storage.migrate import upgrade
from tests.support.district import DISTRICT


@dataclass
class World:
    base: str
    settings: Settings
    db: Database
    standin: WeChatStandIn
    mp: MpSide
    work: WorkSide
    http: ClientSession
    app: web.Application

    async def pushed(self, touser: str, contains: str) -> str:
        """The text of the first push to `touser` containing `contains` (waits, no polling)."""
        def find() -> str | None:
            return next((t for t in self.standin.texts(touser) if contains in t), None)

        await self.standin.wait_for(lambda: find() is not None, timeout=10)
        found = find()
        assert found is not None
        return found

    async def api(self, path: str) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.settings.admin.token}"}
        async with self.http.get(f"{self.base}{path}", headers=headers) as resp:
            return resp.status, await resp.json()


def code_of(text: str | None) -> str:
    m = re.search(r"GD\d{8}-\d{4,}", text or "")
    assert m, text
    return m.group(0)


async def start_world(tmp_path: Path, clock: Clock | None = None, *,
                      database: Database | None = None,
                      **overrides: Any) -> tuple[World, web.AppRunner]:
    """The world on a fresh SQLite file, or on `database` (already created, e.g. `any_db`)."""
    standin = WeChatStandIn()
    api_base = await standin.start()
    if database is None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"
        await upgrade(url)
        db = Database(url)
    else:
        url, db = database.url, database
    await db.run(lambda s: import_district(s, DISTRICT, source="test"))
    base_settings = demo_settings(url, api_base).model_dump()
    base_settings["scheduler"] = {"enabled": False}  # tests call the jobs themselves
    for key, value in overrides.items():
        base_settings[key] = {**base_settings.get(key, {}), **value}
    settings = Settings(**base_settings)
    app = create_app(settings, db=db, clock=clock)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    http = ClientSession()
    world = World(base, settings, db, standin, MpSide(http, base, settings),
                  WorkSide(http, base, settings), http, app)
    return world, runner


async def stop_world(world: World, runner: web.AppRunner) -> None:
    await world.http.close()
    await runner.cleanup()
    await world.db.close()
    await world.standin.stop()


class Quiet:
    """The real gateway and dispatcher without the outbox and media loops, whose polls would
    be counted too."""

    def __init__(self, db: Database, mp: MpSide) -> None:
        self.db, self.mp = db, mp


@asynccontextmanager
async def quiet_world(tmp_path: Path, url: str | None = None) -> AsyncIterator[Quiet]:
    """On a fresh SQLite file, or migrated at `url` (PostgreSQL: the caller leaves its schema
    as it found it, tests.support.db.reset_schema)."""
    url = url or f"sqlite+aiosqlite:///{tmp_path / 'stmts.db'}"
    await upgrade(url)
    db = Database(url)
    await db.run(lambda s: import_district(s, DISTRICT, source="test"))
    settings = demo_settings(url, "http://127.0.0.1:9")
    runner = web.AppRunner(create_app(settings, db=db, background=False))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with ClientSession() as http:
        yield Quiet(db, MpSide(http, f"http://127.0.0.1:{port}", settings))
    await runner.cleanup()
    await db.close()
