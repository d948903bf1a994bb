"""Console clients over 127.0.0.1 (`make_client`) on a copy of the seeded database (`seeded`),
with argon2 at its cheapest."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from storage.clock import FrozenClock
from storage.db import Database
from tests.support.console import MakeClient, build_app, seed, sign_in
from tests.support.db import fresh

_TEMPLATE: dict[str, Path] = {}


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its cheapest: the tests are about who gets in, not about the hash's cost."""
    from argon2 import PasswordHasher

    from bot.console import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                        parallelism=1))


@pytest_asyncio.fixture
async def seeded(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[
        Database]:
    """The seeded database, made once per run and copied for each test (a fresh file each)."""
    if "db" not in _TEMPLATE:
        path = tmp_path_factory.mktemp("console-template") / "seeded.db"
        template = await fresh(f"sqlite+aiosqlite:///{path}")
        await template.run(seed)
        await template.close()
        _TEMPLATE["db"] = path
    target = tmp_path / "console.db"
    shutil.copyfile(_TEMPLATE["db"], target)
    database = Database(f"sqlite+aiosqlite:///{target}")
    yield database
    await database.close()


@pytest_asyncio.fixture
async def make_client(seeded: Database) -> MakeClient:
    @asynccontextmanager
    async def make(username: str | None = None, *, clock: FrozenClock | None = None,
                   **console: Any) -> AsyncIterator[TestClient[Any, Any]]:
        app = build_app(seeded, clock, **console)
        async with TestClient(TestServer(app, host="127.0.0.1")) as c:
            if username is not None:
                resp = await sign_in(c, username)
                assert resp.status == 302, await resp.text()
            yield c

    return make
