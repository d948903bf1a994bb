"""The gateway under test (`Gw`), and WeChat's side of a callback built as WeChat's servers build
it: the plain signature in the query, the AES envelope from wechatpy, msg_signature over it."""

from __future__ import annotations

import asyncio
import base64
import itertools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

import xmltodict
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WorkCrypto

from bot.gateway.crypto import epoch, sha1_signature
from bot.gateway.routes import INBOUND
from handlers.conversation.types import Update
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.models import InboundMessage, Outbox

TOKEN = "gridbotTestToken"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
OTHER_KEY = base64.b64encode(bytes(range(100, 132))).decode().rstrip("=")
APP_ID = "wx5f3c2a1b0d9e8f71"
GH_ID = "gh_0123456789ab"
CORP_ID = "ww8a7b6c5d4e3f2a10"
AGENT_ID = 1000002
START = datetime(2026, 11, 23, 2, 0)  # Monday 10:00 in Shanghai
_ids = itertools.count(24000000000000000)


def text_xml(sender: str, content: str, *, msg_id: int | None = None, create_time: int = 0,
             to: str = GH_ID, extra: str = "") -> str:
    return (f"<xml><ToUserName><![CDATA[{to}]]></ToUserName>"
            f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{create_time or epoch(START)}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content>{escape(content)}</Content>"
            f"<MsgId>{msg_id or next(_ids)}</MsgId>{extra}</xml>")


def event_xml(sender: str, event: str, key: str = "", extra: str = "",
              create_time: int = 0) -> str:
    return (f"<xml><ToUserName><![CDATA[{GH_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{create_time or epoch(START)}</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>"
            f"<EventKey><![CDATA[{key}]]></EventKey>{extra}</xml>")


class FakeDispatcher:
    """Records updates; replies 「收到：<text>」; can be held at a gate or made to raise."""

    def __init__(self) -> None:
        self.calls: list[Update] = []
        self.entered = asyncio.Event()
        self.gate: asyncio.Event | None = None
        self.error: Exception | None = None
        self.reply: Callable[[Update], str | None] = lambda u: f"收到：{u.text}"

    async def handle(self, session: AsyncSession, update: Update) -> str | None:
        self.calls.append(update)
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        return self.reply(update)


class FakeSender:
    def __init__(self) -> None:
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


def gateway_settings(mode: str = "safe", **server: Any) -> Settings:
    return Settings(
        server={"reply_budget_seconds": 4.0, "timestamp_window_seconds": 300,
                "max_body_bytes": 64 * 1024, "messages_per_minute": 20, **server},
        wechat={"mp": {"app_id": APP_ID, "token": TOKEN, "encoding_aes_key": AES_KEY,
                       "mode": mode},
                "work": {"corp_id": CORP_ID, "agent_id": AGENT_ID, "token": TOKEN,
                         "encoding_aes_key": AES_KEY}},
    )


class Gw:
    """The gateway under test and WeChat's side of it."""

    def __init__(self, client: TestClient, app: web.Application, db: Database,
                 clock: FrozenClock, dispatcher: FakeDispatcher, sender: FakeSender) -> None:
        self.client, self.app, self.db, self.clock = client, app, db, clock
        self.dispatcher, self.sender = dispatcher, sender
        self.media = FakeSender()  # the media store's loop, when the runtime has one
        self.mp_crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
        self.work_crypto = WorkCrypto(TOKEN, AES_KEY, CORP_ID)
        self._nonces = itertools.count(1)

    def ts(self) -> str:
        return str(epoch(self.clock.now()))

    def signed(self, ts: str | None = None) -> dict[str, str]:
        ts = ts or self.ts()
        nonce = f"n{next(self._nonces)}"
        return {"signature": sha1_signature(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce,
                "openid": "o-ignored"}

    async def mp(self, xml: str, *, encrypt: bool = False, ts: str | None = None,
                 crypto: WeChatCrypto | None = None, **query: str) -> tuple[int, str]:
        """POST to /wechat/mp; `encrypt` builds the safe-mode envelope."""
        params = self.signed(ts)
        body = xml
        if encrypt:
            sealed = xmltodict.parse((crypto or self.mp_crypto).encrypt_message(
                xml, params["nonce"], params["timestamp"]))["xml"]
            params.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
            body = (f"<xml><ToUserName><![CDATA[{GH_ID}]]></ToUserName>"
                    f"<Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>")
        params.update(query)
        async with self.client.post("/wechat/mp", params=params, data=body.encode()) as resp:
            return resp.status, await resp.text()

    async def work(self, xml: str, *, crypto: WorkCrypto | None = None,
                   **query: str) -> tuple[int, str]:
        ts, nonce = self.ts(), f"w{next(self._nonces)}"
        sealed = xmltodict.parse((crypto or self.work_crypto).encrypt_message(
            xml, nonce, ts))["xml"]
        params = {"msg_signature": sealed["MsgSignature"], "timestamp": ts, "nonce": nonce,
                  **query}
        body = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
                f"<AgentID><![CDATA[{AGENT_ID}]]></AgentID>"
                f"<Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>")
        async with self.client.post("/wechat/work", params=params, data=body.encode()) as resp:
            return resp.status, await resp.text()

    def open_reply(self, body: str, *, work: bool = False) -> dict[str, Any]:
        """An encrypted reply, checked and decrypted as WeChat's servers would."""
        doc = xmltodict.parse(body)["xml"]
        crypto = self.work_crypto if work else self.mp_crypto
        plain = crypto.decrypt_message(body, doc["MsgSignature"], doc["TimeStamp"], doc["Nonce"])
        return xmltodict.parse(plain)["xml"]

    async def settled(self) -> None:
        """Wait (bounded) for every unit still running after its answer was sent."""
        await self.app[INBOUND].drain(5)
        assert not self.app[INBOUND].tasks

    async def inbound(self) -> list[InboundMessage]:
        async def q(s: AsyncSession) -> list[InboundMessage]:
            return list(await s.scalars(select(InboundMessage).order_by(InboundMessage.id)))

        return await self.db.read(q)

    async def outbox(self) -> list[Outbox]:
        async def q(s: AsyncSession) -> list[Outbox]:
            return list(await s.scalars(select(Outbox).order_by(Outbox.id)))

        return await self.db.read(q)


MakeGw = Callable[..., Awaitable[Gw]]
