"""`gridbot demo --serve`: the demo server kept up for a person to click through the console.

A throwaway SQLite file with the sample district and a month of demo tickets, the real app
(gateway, outbox sender, scheduler, console) and the WeChat/WeCom stand-in; every push the
stand-in receives is printed, so a 改派 in the console shows up here as the officer's message.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import tempfile
from pathlib import Path

from aiohttp import web

from bot.demo.data import DEMO_PASSWORD, DEMO_USERS, seed_demo
from bot.demo.run import SAMPLE_DISTRICT, demo_settings


def console_banner(base: str) -> str:
    lines = [f"指挥中心控制台：{base}/console/", "登录（用户名 / 密码）："]
    lines += [f"  {u:<10} / {DEMO_PASSWORD}   {name}（{role}{' ' + area if area else ''}）"
              for u, role, area, name in DEMO_USERS]
    return "\n".join(lines)


async def serve_demo(port: int = 8080, *, ready: asyncio.Event | None = None,
                     stop: asyncio.Event | None = None) -> int:
    from bot.app import create_app
    from bot.demo.standin import WeChatStandIn
    from storage.clock import Clock
    from storage.db import Database
    from storage.district import import_file
    from storage.migrate import upgrade

    stop = stop or asyncio.Event()
    with tempfile.TemporaryDirectory(prefix="gridbot-demo-") as tmp:
        db_url = f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}"
        standin = WeChatStandIn()
        api_base = await standin.start()
        settings = demo_settings(db_url, api_base)
        settings.server.port = port
        settings.console.wecom_login = True
        settings.console.wecom_authorize_url = f"{api_base}/connect/oauth2/authorize"
        settings.media_dir = str(Path(tmp) / "media")
        await upgrade(db_url)
        db = Database(db_url)
        await import_file(db, SAMPLE_DISTRICT)
        now = Clock().now()
        await db.run(lambda s: seed_demo(s, now))
        runner = web.AppRunner(create_app(settings, db=db), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        real_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{real_port}"
        print(console_banner(base), flush=True)
        print("企业微信登录（演示替身）以 李华 身份登录；"
              "推送会打印在下面。Ctrl-C 结束。", flush=True)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        if ready is not None:
            ready.set()
        shown = 0
        try:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.5)
                for m in standin.sent[shown:]:
                    where = "企业微信" if m["channel"] == "work" else "公众号"
                    print(f"【推送 → {m['touser']}（{where}）】{m['text']}", flush=True)
                shown = len(standin.sent)
        finally:
            await runner.cleanup()
            await db.close()
            await standin.stop()
    return 0
