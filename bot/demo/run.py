"""`gridbot demo`: the whole loop, for real, on a throwaway SQLite file.

It imports the sample district, starts the real server and a stand-in for the WeChat and WeCom
APIs on 127.0.0.1, and plays a resident's report, the officer's accept/progress/resolve and the
rating over HTTP with real AES encryption, printing the conversation as people would read it.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web

from bot.demo.simulator import MpSide, Reply, WorkSide, random_aes_key
from storage.config import Settings

SAMPLE_DISTRICT = Path(__file__).resolve().parents[2] / "examples" / "district.toml"
RESIDENT = "oDemoResident0001"
OFFICER = "zhangwei"  # the officer of 幸福花园 1–5号楼 in the sample district
REPORT = "幸福花园3号楼2单元楼道里有人拉飞线给电动车充电，晚上一直插着，太危险了"


def demo_settings(db_url: str, api_base: str) -> Settings:
    return Settings(
        database={"url": db_url},
        server={"host": "127.0.0.1", "port": 0},
        wechat={
            "mp": {"app_id": "wxdemo0000000001", "app_secret": "demo-mp-secret",
                   "token": "demotoken", "encoding_aes_key": random_aes_key(), "mode": "safe",
                   "api_base_url": api_base},
            "work": {"corp_id": "wwdemo0000000001", "agent_id": 1000002,
                     "secret": "demo-work-secret", "token": "demoworktoken",
                     "encoding_aes_key": random_aes_key(), "api_base_url": api_base},
        },
        admin={"token": "demo-admin-token"},
        console={"secret": "demo-console-secret"},
        outbox={"poll_seconds": 0.2},
        emergency={"gas": "96777"},
    )


class Transcript:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def say(self, who: str, text: str | None) -> None:
        body = textwrap.indent(text or "（无回复）", "    ")
        line = f"{who}:\n{body}"
        self.lines.append(line)
        print(line, flush=True)

    def step(self, title: str) -> None:
        print(f"\n── {title} " + "─" * max(4, 40 - len(title)), flush=True)


async def run_demo(verbose: bool = False) -> int:
    from bot.access_log import ACCESS_LOG
    from bot.app import create_app
    from bot.demo.standin import WeChatStandIn
    from storage.db import Database
    from storage.district import import_file
    from storage.migrate import upgrade

    out = Transcript()
    with tempfile.TemporaryDirectory(prefix="gridbot-demo-") as tmp:
        db_url = f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}"
        standin = WeChatStandIn()
        api_base = await standin.start()
        settings = demo_settings(db_url, api_base)
        await upgrade(db_url)
        db = Database(db_url)
        report = await import_file(db, SAMPLE_DISTRICT)
        print(f"样例辖区已导入：{report.summary()}")
        from bot.console.accounts import add_user
        from bot.demo.data import DEMO_PASSWORD

        await db.run(lambda s: add_user(s, "centre", role="centre", password=DEMO_PASSWORD,
                                        name="指挥中心值班员"))
        runner = web.AppRunner(create_app(settings, db=db), **ACCESS_LOG)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        print(f"指挥中心控制台：{base}/console/（用户名 centre，密码 {DEMO_PASSWORD}；"
              "演示结束即关闭，要点击浏览请运行 gridbot demo --serve）", flush=True)
        try:
            async with ClientSession() as http:
                ok = await _play(out, MpSide(http, base, settings), WorkSide(http, base, settings),
                                 standin, http, base, settings)
        finally:
            await runner.cleanup()
            await db.close()
            await standin.stop()
    print("\n演示完成：工单已办结并由居民评价关闭。" if ok else "\n演示失败。", flush=True)
    return 0 if ok else 1


async def _pushed(standin: Any, out: Transcript, touser: str, contains: str, who: str) -> str:
    """Wait until the stand-in received a push for `touser` containing `contains`."""
    def match() -> dict | None:
        for m in standin.sent:
            if m["touser"].lower() == touser.lower() and contains in m["text"]:
                return m
        return None

    await standin.wait_for(lambda: match() is not None, timeout=10)
    msg = match()
    assert msg is not None
    out.say(f"【推送】→ {who}（{'企业微信' if msg['channel'] == 'work' else '公众号客服消息'}）",
            msg["text"])
    return msg["text"]


async def _play(out: Transcript, mp: MpSide, work: WorkSide, standin: Any, http: ClientSession,
                base: str, settings: Settings) -> bool:
    import re

    out.step("居民关注公众号")
    out.say("gridbot", (await mp.event(RESIDENT, "subscribe")).content)
    out.step("居民反映问题")
    out.say("居民", REPORT)
    reply: Reply = await mp.say(RESIDENT, REPORT)
    out.say("gridbot", reply.content)
    m = re.search(r"GD\d{8}-\d{4,}", reply.content or "")
    if not m:
        return False
    code = m.group(0)
    await _pushed(standin, out, OFFICER, code, "网格员 张伟")

    out.step("网格员在企业微信处理")
    for words, resident_sees in ((f"接单 {code}", "接单"),
                                 (f"进度 {code} 已联系物业，今晚拆除飞线", "新进展"),
                                 (f"办结 {code} 飞线已拆除，已提醒住户到充电棚充电", "办结")):
        out.say("网格员 张伟", words)
        out.say("gridbot", (await work.say(OFFICER, words)).content)
        await _pushed(standin, out, RESIDENT, resident_sees, "居民")

    out.step("居民评价")
    out.say("居民", "1")
    out.say("gridbot", (await mp.say(RESIDENT, "1")).content)
    out.say("居民", f"查询 {code}")
    out.say("gridbot", (await mp.say(RESIDENT, f"查询 {code}")).content)

    out.step("指挥中心查看（管理接口）")
    headers = {"Authorization": f"Bearer {settings.admin.token}"}
    async with http.get(f"{base}/api/v1/tickets/{code}", headers=headers) as resp:
        data = await resp.json()
    print(f"    GET /api/v1/tickets/{code} → {resp.status}: status={data.get('status')}, "
          f"category={data.get('category')}, grid={data.get('grid')}, "
          f"rating={data.get('rating')}, events={len(data.get('events', []))}")
    return data.get("status") == "closed" and data.get("rating") == 1


def main() -> None:
    sys.exit(asyncio.run(run_demo()))
