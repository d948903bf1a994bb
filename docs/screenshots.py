"""Screenshots of the console from the demo data: overview, queue, a ticket and the map at
1366×768, and the queue at a phone's width. `python docs/screenshots.py` writes docs/*.png."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.demo.data import DEMO_PASSWORD, seed_demo  # noqa: E402
from bot.demo.run import SAMPLE_DISTRICT, demo_settings  # noqa: E402
from bot.demo.standin import WeChatStandIn  # noqa: E402
from storage.clock import Clock  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.district import import_file  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

OUT = ROOT / "docs"


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'shots.db'}"
        standin = WeChatStandIn()
        settings = demo_settings(url, await standin.start())
        await upgrade(url)
        db = Database(url)
        await import_file(db, SAMPLE_DISTRICT)
        codes = await db.run(lambda s: seed_demo(s, Clock().now()))
        runner = web.AppRunner(create_app(settings, db=db, background=False), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, size in (("desktop", (1366, 768)), ("phone", (390, 844))):
                ctx = await browser.new_context(viewport={"width": size[0], "height": size[1]},
                                                locale="zh-CN")
                page = await ctx.new_page()
                await page.goto(f"{base}/console/login")
                await page.fill("input[name=username]", "centre")
                await page.fill("input[name=password]", DEMO_PASSWORD)
                await page.click("button[type=submit]")
                await page.wait_for_url(f"{base}/console/")
                if name == "desktop":
                    await page.screenshot(path=OUT / "console-overview.png", full_page=True)
                    await page.goto(f"{base}/console/tickets?status=open")
                    await page.screenshot(path=OUT / "console-queue.png")
                    await page.goto(f"{base}/console/tickets/{codes[-3]}")
                    await page.screenshot(path=OUT / "console-ticket.png", full_page=True)
                    await page.goto(f"{base}/console/map")
                    await page.screenshot(path=OUT / "console-map.png")
                else:
                    await page.goto(f"{base}/console/tickets?status=open")
                    await page.screenshot(path=OUT / "console-queue-phone.png")
                await ctx.close()
            await browser.close()
        await runner.cleanup()
        await db.close()
        await standin.stop()
    print("written:", ", ".join(sorted(p.name for p in OUT.glob("console-*.png"))))


if __name__ == "__main__":
    asyncio.run(main())
