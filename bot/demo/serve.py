"""`gridbot demo --serve`: the demo server kept up for a person to click through the console.

A throwaway SQLite file with the sample district and a month of demo tickets, the real app
(gateway, outbox sender, scheduler, console) and the WeChat/WeCom stand-in; every push the
stand-in receives is printed, so a 改派 in the console shows up here as the officer's message.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from aiohttp import web

from bot.demo.data import DEMO_PASSWORD, DEMO_USERS, seed_demo
from bot.demo.run import SAMPLE_DISTRICT, demo_settings
from storage.config import Settings


def console_banner(base: str) -> str:
    lines = [f"指挥中心控制台：{base}/console/", "登录（用户名 / 密码）："]
    lines += [f"  {u:<10} / {DEMO_PASSWORD}   {name}（{role}{' ' + area if area else ''}）"
              for u, role, area, name in DEMO_USERS]
    return "\n".join(lines)


def callback_banner(base: str, api_base: str, settings: Settings, say_config: Path) -> str:
    """What to type into a WeChat or WeCom console to point it here, and how to send one."""
    mp, work = settings.wechat.mp, settings.wechat.work
    return "\n".join([
        "公众号（服务器配置）：",
        f"  URL {base}/wechat/mp   Token {mp.token}   AppID {mp.app_id}",
        f"  EncodingAESKey {mp.encoding_aes_key}   消息加解密方式：安全模式",
        "企业微信应用（接收消息）：",
        f"  URL {base}/wechat/work   Token {work.token}   CorpID {work.corp_id}   "
        f"AgentID {work.agent_id}",
        f"  EncodingAESKey {work.encoding_aes_key}",
        f"微信/企业微信 API 替身（推送、access_token、素材）：{api_base}",
        "发一条签名、加密的消息（如同微信服务器发来）：",
        f"  gridbot say --config {say_config} 幸福花园3号楼楼道的灯坏了",
        f"  gridbot say --config {say_config} --work --from zhangwei 我的工单",
    ])


def write_say_config(folder: Path, base: str, settings: Settings) -> Path:
    """A config with only what `gridbot say` needs to reach this server."""
    mp, work = settings.wechat.mp, settings.wechat.work
    host, _, port = base.removeprefix("http://").rpartition(":")
    path = folder / "say.toml"
    path.write_text("\n".join([
        "# written by gridbot demo --serve for gridbot say; deleted when the demo stops",
        "[server]", f'host = "{host}"', f"port = {port}",
        "[wechat.mp]", f'app_id = "{mp.app_id}"', f'token = "{mp.token}"',
        f'encoding_aes_key = "{mp.encoding_aes_key}"', f'mode = "{mp.mode}"',
        "[wechat.work]", f'corp_id = "{work.corp_id}"', f"agent_id = {work.agent_id}",
        f'token = "{work.token}"', f'encoding_aes_key = "{work.encoding_aes_key}"', ""]),
        encoding="utf-8")
    return path


async def serve_demo(port: int = 8080, *, standin_port: int = 0,
                     ready: asyncio.Event | None = None,
                     stop: asyncio.Event | None = None) -> int:
    from bot.app import create_app
    from bot.demo.standin import WeChatStandIn, print_pushes
    from storage.clock import Clock
    from storage.db import Database
    from storage.district import import_file
    from storage.migrate import upgrade

    stop = stop or asyncio.Event()
    with tempfile.TemporaryDirectory(prefix="gridbot-demo-") as tmp:
        db_url = f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}"
        standin = WeChatStandIn()
        api_base = await standin.start(standin_port)
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
        print(callback_banner(base, api_base, settings, write_say_config(Path(tmp), base,
                                                                          settings)), flush=True)
        print("企业微信登录（演示替身）以 李华 身份登录；"
              "推送会打印在下面。Ctrl-C 结束。", flush=True)
        try:
            await print_pushes(standin, stop, ready, every=0.5)
        finally:
            await runner.cleanup()
            await db.close()
            await standin.stop()
    return 0
