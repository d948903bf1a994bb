"""A real server with the demo data, the WeChat stand-in, and headless Chromium (Debian's
/usr/bin/chromium driven by Playwright). Skips, saying why, only where Chromium cannot be had."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bot.app import create_app
from bot.demo.data import seed_demo
from bot.demo.run import SAMPLE_DISTRICT, demo_settings
from bot.demo.standin import WeChatStandIn
from storage.clock import Clock
from storage.db import Database
from storage.district import import_file
from storage.migrate import upgrade
from tests.support.browser import Site

CHROMIUM = os.environ.get("GRIDBOT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest_asyncio.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'browser.db'}"
    standin = WeChatStandIn()
    settings = demo_settings(url, await standin.start())
    await upgrade(url)
    db = Database(url)
    await import_file(db, SAMPLE_DISTRICT)
    now = Clock().now()
    codes = await db.run(lambda s: seed_demo(s, now))
    runner = web.AppRunner(create_app(settings, db=db), access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield Site(f"http://127.0.0.1:{port}", db, standin, codes)
    finally:
        await runner.cleanup()
        await db.close()
        await standin.stop()


def chromium_missing() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return (f"no Chromium at {CHROMIUM}: apt-get install chromium (or set "
                "GRIDBOT_CHROMIUM) to run the browser tests")
    return None


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Any]:
    missing = chromium_missing()
    if missing:
        pytest.skip(missing)
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        try:
            b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # any launch failure means: no browser here
            pytest.skip(f"Chromium at {CHROMIUM} does not start: {exc}")
        try:
            yield b
        finally:
            await b.close()
