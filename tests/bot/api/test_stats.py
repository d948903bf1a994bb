"""GET /api/v1/stats over real HTTP on 127.0.0.1, behind the admin-token middleware."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.api.stats import setup_stats_api
from bot.api.tickets import setup_api
from bot.runtime import RUNTIME, Runtime
from storage.clock import FrozenClock
from storage.config import load_settings
from storage.db import Database
from tests.support.history import (
    BY_CATEGORY,
    BY_COMMUNITY,
    BY_GRID,
    NOW,
    SINCE,
    TOTAL,
    UNTIL,
    approx,
    cli_parser,
    public,
    seed_history,
)

TOKEN = "stats-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest_asyncio.fixture
async def client(db: Database) -> AsyncIterator[TestClient[Any, Any]]:
    await db.run(seed_history)
    app = web.Application()
    settings = load_settings(None, admin={"token": TOKEN}, database={"url": db.url})
    app[RUNTIME] = Runtime(settings, db, FrozenClock(NOW),
                           dispatcher=None)  # type: ignore[arg-type]  # stats never dispatch
    setup_api(app)  # the /api/ middleware, as bot.app wires it
    setup_stats_api(app)
    async with TestClient(TestServer(app, host="127.0.0.1")) as c:
        yield c


async def get(client: TestClient[Any, Any], status: int = 200, **params: Any) -> Any:
    query = [(k, x) for k, v in params.items() for x in (v if isinstance(v, list) else [v])]
    resp = await client.get("/api/v1/stats", params=query, headers=AUTH)
    assert resp.status == status, await resp.text()
    return await resp.json()


async def test_totals(client: TestClient[Any, Any]) -> None:
    body = await get(client, since=SINCE, until=UNTIL)
    assert (body["since"], body["until"]) == (SINCE, UNTIL)
    assert public(body) == approx(TOTAL)


@pytest.mark.parametrize(("by", "expected"), [
    ("grid", BY_GRID), ("community", BY_COMMUNITY), ("category", BY_CATEGORY)])
async def test_by(client: TestClient[Any, Any], by: str, expected: list[dict[str, Any]]) -> None:
    body = await get(client, since=SINCE, until=UNTIL, by=by)
    assert [public(i) for i in body["items"]] == [approx(e) for e in expected]
    assert public(body["total"]) == approx(TOTAL)


async def test_nothing_in_range_gives_nulls(client: TestClient[Any, Any]) -> None:
    body = await get(client, since="2025-01-01", until="2025-01-31")
    assert body["received"] == 0
    assert body["response_rate"] is body["satisfaction_rate"] is body["avg_accept_minutes"] is None


async def test_without_token_401(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/api/v1/stats")
    assert resp.status == 401
    assert "error" in await resp.json()
    resp = await client.get("/api/v1/stats", headers={"Authorization": "Bearer wrong"})
    assert resp.status == 401


@pytest.mark.parametrize(("params", "words"), [
    ({"since": "2026-11-31"}, "since is not a calendar date"),
    ({"until": "11/20/2026"}, "until must be a date YYYY-MM-DD"),
    ({"since": "2026-11-20", "until": "2026-11-01"}, "after until"),
    ({"by": "street"}, "by must be one of grid, community, category"),
    ({"sinse": "2026-11-01"}, "unknown parameter 'sinse'"),
    ({"by": ["grid", "category"]}, "given more than once"),
])
async def test_bad_params_400(client: TestClient[Any, Any], params: dict[str, Any],
                              words: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    body = await get(client, 400, **params)
    assert words in body["error"]
    assert any(words in r.getMessage() for r in caplog.records)  # the refusal is logged


async def test_empty_values_count_as_not_given(client: TestClient[Any, Any]) -> None:
    body = await get(client, since="", until="", by="")
    assert (body["since"], body["until"]) == ("2026-10-22", "2026-11-20")  # the last 30 days
    assert "items" not in body and body["received"] == 8  # T1–T7 and T10 of 10-31


async def test_cli_json_is_the_api_json(client: TestClient[Any, Any], db: Database,
                                        tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    api = await get(client, since=SINCE, until=UNTIL, by="community")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{db.url}"\n', encoding="utf-8")
    args = cli_parser().parse_args(["stats", "--config", str(config), "--since", SINCE,
                                    "--until", UNTIL, "--by", "community", "--json"])
    # the CLI runs its own event loop, as from the shell
    assert await asyncio.to_thread(args.fn, args, clock=FrozenClock(NOW)) == 0
    assert json.loads(capsys.readouterr().out) == api
