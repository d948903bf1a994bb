"""WeChat's side of a callback: builds requests exactly as WeChat's and WeCom's servers do
(signature, AES envelope) and reads the replies. Used by `gridbot demo` and the e2e tests."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import xmltodict
from aiohttp import ClientSession
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WorkCrypto
from wechatpy.utils import WeChatSigner

from storage.config import Settings

_msg_ids = itertools.count(int(time.time() * 1000))


def text_xml(to_user: str, from_user: str, content: str, *, msg_id: int | None = None,
             create_time: int | None = None, agent_id: int | None = None) -> str:
    agent = f"<AgentID>{agent_id}</AgentID>" if agent_id is not None else ""
    return (f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName>"
            f"<FromUserName><![CDATA[{from_user}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{escape(content)}</Content>"
            f"<MsgId>{msg_id or next(_msg_ids)}</MsgId>{agent}</xml>")


def media_xml(to_user: str, from_user: str, kind: str, media_id: str, *,
              recognition: str | None = None, msg_id: int | None = None) -> str:
    """An image or voice message (voice with WeChat's speech recognition when given)."""
    extra = f"<PicUrl><![CDATA[http://127.0.0.1/{media_id}.jpg]]></PicUrl>" if kind == "image" \
        else "<Format><![CDATA[amr]]></Format>"
    if recognition is not None:
        extra += f"<Recognition><![CDATA[{recognition}]]></Recognition>"
    return (f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName>"
            f"<FromUserName><![CDATA[{from_user}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>"
            f"<MediaId><![CDATA[{media_id}]]></MediaId>{extra}"
            f"<MsgId>{msg_id or next(_msg_ids)}</MsgId></xml>")


def location_xml(to_user: str, from_user: str, lat: float, lng: float, label: str) -> str:
    """A location message: Location_X is the latitude, Location_Y the longitude (GCJ-02)."""
    return (f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName>"
            f"<FromUserName><![CDATA[{from_user}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[location]]></MsgType>"
            f"<Location_X>{lat}</Location_X><Location_Y>{lng}</Location_Y><Scale>16</Scale>"
            f"<Label><![CDATA[{escape(label)}]]></Label><MsgId>{next(_msg_ids)}</MsgId></xml>")


def event_xml(to_user: str, from_user: str, event: str, key: str = "",
              create_time: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName>"
            f"<FromUserName><![CDATA[{from_user}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>"
            f"<EventKey><![CDATA[{key}]]></EventKey></xml>")


@dataclass
class Reply:
    status: int
    body: str
    content: str | None = None  # the reply's text, decrypted when needed
    fields: dict = field(default_factory=dict)


class MpSide:
    """The Official Account platform posting a follower's message to our server."""

    def __init__(self, http: ClientSession, base_url: str, settings: Settings) -> None:
        self.http, self.url, self.cfg = http, f"{base_url}/wechat/mp", settings.wechat.mp
        self.crypto = (WeChatCrypto(self.cfg.token, self.cfg.encoding_aes_key, self.cfg.app_id)
                       if self.cfg.mode != "plain" else None)

    async def post(self, xml: str, *, timestamp: int | None = None,
                   openid: str = "x") -> Reply:
        ts, nonce = str(timestamp or int(time.time())), secrets.token_hex(8)
        signer = WeChatSigner()
        signer.add_data(self.cfg.token, ts, nonce)
        # WeChat puts the follower's openid in the query too (the access log's tag of it)
        params = {"signature": signer.signature, "timestamp": ts, "nonce": nonce,
                  "openid": openid}
        body = xml
        if self.crypto is not None:
            envelope = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, ts))["xml"]
            params.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
            body = (f"<xml><ToUserName><![CDATA[{self.cfg.app_id}]]></ToUserName>"
                    f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
        async with self.http.post(self.url, params=params, data=body.encode()) as resp:
            text = await resp.text()
            return self._read(resp.status, text)

    def _read(self, status: int, text: str) -> Reply:
        if status != 200 or text in ("", "success"):
            return Reply(status, text)
        doc = xmltodict.parse(text)["xml"]
        if "Encrypt" in doc and self.crypto is not None:
            plain = self.crypto.decrypt_message(text, doc["MsgSignature"], doc["TimeStamp"],
                                                doc["Nonce"])
            doc = xmltodict.parse(plain)["xml"]
        return Reply(status, text, doc.get("Content"), doc)

    async def say(self, openid: str, content: str) -> Reply:
        return await self.post(text_xml(self.cfg.app_id or "gh_demo", openid, content),
                               openid=openid)

    async def event(self, openid: str, event: str, key: str = "") -> Reply:
        return await self.post(event_xml(self.cfg.app_id or "gh_demo", openid, event, key),
                               openid=openid)


class WorkSide:
    """WeCom posting a member's message to our app's callback."""

    def __init__(self, http: ClientSession, base_url: str, settings: Settings) -> None:
        self.http, self.url, self.cfg = http, f"{base_url}/wechat/work", settings.wechat.work
        self.crypto = WorkCrypto(self.cfg.token, self.cfg.encoding_aes_key, self.cfg.corp_id)

    async def say(self, userid: str, content: str) -> Reply:
        xml = text_xml(self.cfg.corp_id, userid, content, agent_id=self.cfg.agent_id)
        ts, nonce = str(int(time.time())), secrets.token_hex(8)
        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, ts))["xml"]
        params = {"msg_signature": envelope["MsgSignature"], "timestamp": ts, "nonce": nonce}
        body = (f"<xml><ToUserName><![CDATA[{self.cfg.corp_id}]]></ToUserName>"
                f"<AgentID><![CDATA[{self.cfg.agent_id}]]></AgentID>"
                f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
        async with self.http.post(self.url, params=params, data=body.encode()) as resp:
            text = await resp.text()
            if resp.status != 200 or not text:
                return Reply(resp.status, text)
            doc = xmltodict.parse(text)["xml"]
            plain = self.crypto.decrypt_message(text, doc["MsgSignature"], doc["TimeStamp"],
                                                doc["Nonce"])
            inner = xmltodict.parse(plain)["xml"]
            return Reply(resp.status, text, inner.get("Content"), inner)


def random_aes_key() -> str:
    """A 43-character EncodingAESKey as the WeChat console generates one."""
    import base64

    return base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
