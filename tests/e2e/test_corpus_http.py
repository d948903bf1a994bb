"""The corpus's worst ten dialogues over real HTTP: signed and encrypted WeChat and WeCom
callbacks into the real app, the passive replies read back from the XML, the checks on the
database the app writes (tests/handlers/conversation/corpus)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import xmltodict
from aiohttp import ClientSession, web

from bot.app import create_app
from bot.demo.run import demo_settings
from bot.demo.simulator import MpSide, WorkSide, event_xml, location_xml, media_xml, text_xml
from bot.demo.standin import WeChatStandIn
from bot.runtime import RUNTIME
from handlers.conversation.types import Update
from handlers.jobs.registry import expire_drafts
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.district import import_district
from storage.migrate import upgrade
from tests.support.corpus import DISTRICT_TEXT, KNOWN, START, Run, load

WORST = [d for d in load("dialogues.jsonl") if d.get("worst10")]


class Http:
    """Turns an Update into the callback WeChat or WeCom would post, timed by the frozen clock."""

    def __init__(self, http: ClientSession, base: str, settings: Settings,
                 clock: FrozenClock) -> None:
        self.mp, self.work = MpSide(http, base, settings), WorkSide(http, base, settings)
        self.http, self.base, self.settings, self.clock = http, base, settings, clock

    def _ts(self) -> int:
        return int(self.clock.now().replace(tzinfo=UTC).timestamp())

    async def deliver(self, u: Update) -> str | None:
        to = self.settings.wechat.mp.app_id or "gh_demo"
        if u.channel == "work":
            return await self._work(u.sender, u.text)
        if u.type == "text":
            xml = text_xml(to, u.sender, u.text, create_time=self._ts())
        elif u.type in ("voice", "image"):
            xml = media_xml(to, u.sender, u.type, u.media_id or "m",
                            recognition=u.text if u.type == "voice" else None)
        elif u.type == "location":
            xml = location_xml(to, u.sender, u.lat or 0, u.lng or 0, u.label or "")
        else:
            xml = event_xml(to, u.sender, u.event or "", u.event_key or "",
                            create_time=self._ts())
        reply = await self.mp.post(xml, timestamp=self._ts())
        assert reply.status == 200, reply.body
        return reply.content

    async def _work(self, userid: str, content: str) -> str | None:
        cfg = self.settings.wechat.work
        xml = text_xml(cfg.corp_id, userid, content, agent_id=cfg.agent_id,
                       create_time=self._ts())
        ts, nonce = str(self._ts()), secrets.token_hex(8)
        envelope = xmltodict.parse(self.work.crypto.encrypt_message(xml, nonce, ts))["xml"]
        params = {"msg_signature": envelope["MsgSignature"], "timestamp": ts, "nonce": nonce}
        body = (f"<xml><ToUserName><![CDATA[{cfg.corp_id}]]></ToUserName>"
                f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
        async with self.http.post(f"{self.base}/wechat/work", params=params,
                                  data=body.encode()) as resp:
            text = await resp.text()
            assert resp.status == 200, text
            if not text:
                return None
            doc = xmltodict.parse(text)["xml"]
            plain = self.work.crypto.decrypt_message(text, doc["MsgSignature"],
                                                     doc["TimeStamp"], doc["Nonce"])
            return xmltodict.parse(plain)["xml"].get("Content")


@pytest_asyncio.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Database, Settings, FrozenClock, Any]]:
    standin = WeChatStandIn()
    api_base = await standin.start()
    url = f"sqlite+aiosqlite:///{tmp_path / 'corpus-e2e.db'}"
    await upgrade(url)
    db = Database(url)
    await db.run(lambda s: import_district(s, DISTRICT_TEXT, source="corpus"))
    base = demo_settings(url, api_base).model_dump()
    base["scheduler"] = {"enabled": False}
    settings = Settings(**base)
    clock = FrozenClock(START)
    app = create_app(settings, db=db, clock=clock, background=False)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    http = ClientSession()
    yield db, settings, clock, (http, f"http://127.0.0.1:{port}", app)
    await http.close()
    await runner.cleanup()
    await db.close()
    await standin.stop()


@pytest.mark.parametrize("dialogue", [
    pytest.param(d, id=d["id"], marks=[pytest.mark.xfail(reason=KNOWN[d["id"]], strict=True)]
                 if d["id"] in KNOWN else []) for d in WORST])
async def test_worst_dialogue_over_http(served: Any, dialogue: dict[str, Any]) -> None:
    db, settings, clock, (http, base, app) = served
    wire = Http(http, base, settings, clock)
    services = app[RUNTIME].services
    run = Run(db, services, clock, wire.deliver, sweep=lambda: expire_drafts(db, services))
    failures = await run.play(dialogue)
    assert not failures, f"{dialogue['id']} ({dialogue['note']}):\n" + "\n".join(failures)


def test_the_worst_ten_are_marked() -> None:
    assert len(WORST) == 10
