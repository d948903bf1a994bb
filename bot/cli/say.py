"""`gridbot say TEXT`: send one message to a running `gridbot serve` (or `gridbot demo
--serve`) the way WeChat's servers send it, and print the reply.

The message is a text callback (or, on the Official Account, a location with `--location`, a
voice message with WeChat's speech recognition with `--voice`, a menu click or subscription with
`--event`) from `--from` (an openid on the Official Account, or a WeCom
member id with `--work`), signed with the account's Token and, unless the account is in plain
mode, encrypted with its EncodingAESKey by wechatpy (bot.demo.simulator, as the demo and the
end-to-end tests send it). The reply is checked and decrypted the same way. An answer that
comes later (the server replied `success` and pushes it through the customer-service API)
reaches the WeChat API stand-in, not this command.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from typing import Any

import aiohttp
from wechatpy.exceptions import InvalidSignatureException

from bot.demo.simulator import MpSide, Reply, WorkSide, event_xml, location_xml, media_xml
from storage.config import ConfigError, Settings, config_path, load_settings


class SayError(Exception):
    """The message could not be sent or its reply not read: one line for the operator."""


def base_url(settings: Settings, url: str | None) -> str:
    if url:
        return url.rstrip("/")
    host = settings.server.host
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:" \
           f"{settings.server.port}"


def _check(settings: Settings, work: bool) -> None:
    if work:
        w = settings.wechat.work
        if not (w.token and w.encoding_aes_key and w.corp_id):
            raise SayError("配置里缺少 [wechat.work] 的 token、encoding_aes_key 或 corp_id")
        return
    mp = settings.wechat.mp
    if not mp.token:
        raise SayError("配置里缺少 [wechat.mp] token")
    if mp.mode != "plain" and not (mp.encoding_aes_key and mp.app_id):
        raise SayError(f"[wechat.mp] mode 为 {mp.mode}，需要 encoding_aes_key 和 app_id")


def message_xml(settings: Settings, sender: str, *, location: str | None = None,
                voice: bool = False, event: str | None = None, text: str = "") -> str | None:
    """The Official Account callback for a location (「纬度,经度[,地点名]」), a recognised voice
    message (`text` is what WeChat's recognition heard) or an event (「subscribe」,
    「CLICK:KEY」); None for a plain text message. SayError for a malformed value."""
    to = settings.wechat.mp.app_id or "gh_demo"
    if location is not None:
        parts = [p.strip() for p in location.replace("，", ",").split(",", 2)]
        try:
            lat, lng = float(parts[0]), float(parts[1])
        except (ValueError, IndexError):
            raise SayError(f"--location 应为「纬度,经度[,地点名]」，例如 23.6865,113.0320,"
                           f"幸福花园3号楼，收到「{location}」") from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise SayError(f"--location 的纬度、经度超出范围：{lat},{lng}")
        return location_xml(to, sender, lat, lng, parts[2] if len(parts) > 2 else text)
    if voice:
        return media_xml(to, sender, "voice", f"say{secrets.token_hex(6)}", recognition=text)
    if event is not None:
        name, _, key = event.partition(":")
        return event_xml(to, sender, name, key)
    return None


async def say(settings: Settings, url: str, sender: str, text: str, *, work: bool = False,
              http: aiohttp.ClientSession | None = None, xml: str | None = None) -> str:
    """Send `text` from `sender` to the server at `url` (or, on the Official Account, the
    callback `xml` made by `message_xml`); the reply's text ("" when the server answered
    `success`), or SayError."""
    _check(settings, work)
    if xml is not None and work:
        raise SayError("--location、--voice、--event 只用于公众号，不能与 --work 同用")
    own = http is None
    client = http or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    try:
        side: Any = WorkSide(client, url, settings) if work else MpSide(client, url, settings)
        reply: Reply = await (side.post(xml, openid=sender) if xml is not None
                              else side.say(sender, text))
    except aiohttp.ClientError as e:
        raise SayError(f"连不上 {url}（{type(e).__name__}: {e}）") from None
    except InvalidSignatureException:
        raise SayError("回复的签名不对：服务器的 Token/EncodingAESKey 与配置里的不同") from None
    finally:
        if own:
            await client.close()
    if reply.status != 200:
        raise SayError(f"服务器回答 HTTP {reply.status}：{reply.body[:200]}")
    return reply.content or ""


def cmd_say(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(config_path(args.config))
    except ConfigError as e:
        print(str(e), file=sys.stderr)
        return 2
    text = " ".join(args.text).strip()
    if args.work and not args.sender:
        # a WeCom member of the district that was imported, not a name from examples/
        print("gridbot say：--work 需要 --from 企业微信成员账号（区划文件里人员的 wecom 账号，"
              "如 --from zhangwei）", file=sys.stderr)
        return 2
    sender = args.sender or "oLocalTester0001"
    url = base_url(settings, args.url)
    try:
        if not text and args.location is None and args.event is None:
            raise SayError("请写要发送的内容，或用 --location / --event")
        xml = message_xml(settings, sender, location=args.location, voice=args.voice,
                          event=args.event, text=text)
        reply = asyncio.run(say(settings, url, sender, text, work=args.work, xml=xml))
    except SayError as e:
        print(f"gridbot say：{e}", file=sys.stderr)
        return 1
    print(reply or "（服务器回复 success：答复稍后以客服消息推送，见 API 替身的日志）")
    return 0


def add_say_command(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("say", parents=[common],
                       help="send a signed, encrypted message to a running server as WeChat "
                            "does, and print the reply")
    p.set_defaults(fn=cmd_say)
    p.add_argument("text", nargs="*", help="the message (with --voice: what WeChat's speech "
                                           "recognition heard; with --location: the place name)")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--location", metavar="LAT,LNG[,NAME]",
                      help="send a location message (WeChat's 位置: latitude, longitude, GCJ-02)")
    kind.add_argument("--voice", action="store_true",
                      help="send a voice message whose recognition is TEXT")
    kind.add_argument("--event", metavar="EVENT[:KEY]",
                      help="send an event: subscribe, unsubscribe, CLICK:REPORT, SCAN:bind_…")
    p.add_argument("--from", dest="sender", metavar="ID",
                   help="the sender's openid (default oLocalTester0001); with --work a WeCom "
                        "member id of the imported district (required)")
    p.add_argument("--work", action="store_true",
                   help="as a WeCom member, to /wechat/work, instead of the Official Account")
    p.add_argument("--url", help="the server (default http://server.host:server.port)")
