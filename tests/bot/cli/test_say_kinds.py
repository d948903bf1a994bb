"""`gridbot say` sends more than text on the Official Account (trial 12's set-up stumble: a
tester could not try a location, a voice message or the menu): what reaches the server is the
callback WeChat would post, sealed as in safe mode; a malformed value is refused in one line."""

from __future__ import annotations

import base64

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from bot.cli.say import SayError, message_xml, say
from storage.config import Settings

TOKEN, APP_ID = "sayTestToken", "wx00112233aabbccdd"
KEY = base64.b64encode(bytes(range(1, 33))).decode().rstrip("=")
SETTINGS = Settings.model_validate({"wechat": {"mp": {
    "token": TOKEN, "encoding_aes_key": KEY, "app_id": APP_ID, "mode": "safe"}}})


async def _send(**kind: object) -> object:
    got: list[object] = []
    crypto = WeChatCrypto(TOKEN, KEY, APP_ID)

    async def callback(request: web.Request) -> web.Response:
        q = request.query
        plain = crypto.decrypt_message(await request.text(), q["msg_signature"],
                                       q["timestamp"], q["nonce"])
        got.append(parse_message(plain))
        return web.Response(text="success")

    app = web.Application()
    app.router.add_post("/wechat/mp", callback)
    async with TestServer(app) as server:
        text = str(kind.pop("text", ""))
        xml = message_xml(SETTINGS, "oSayer", text=text, **kind)  # type: ignore[arg-type]
        assert await say(SETTINGS, str(server.make_url("")).rstrip("/"), "oSayer", text,
                         xml=xml) == ""
    [msg] = got
    return msg


async def test_a_location_arrives_as_wechats_location_message() -> None:
    msg = await _send(location="23.6865,113.0320,幸福花园3号楼")
    assert msg.type == "location" and msg.source == "oSayer"
    assert (float(msg.location_x), float(msg.location_y), msg.label) == (
        23.6865, 113.032, "幸福花园3号楼")


async def test_a_voice_message_carries_the_recognition() -> None:
    msg = await _send(voice=True, text="三号楼电梯关人了")
    assert msg.type == "voice" and msg.recognition == "三号楼电梯关人了"


async def test_a_menu_click_and_a_subscription() -> None:
    msg = await _send(event="CLICK:REPORT")
    assert (msg.type, msg.event, msg.key) == ("event", "click", "REPORT")
    msg = await _send(event="subscribe")
    assert (msg.type, msg.event) == ("event", "subscribe")


@pytest.mark.parametrize("bad", ["幸福花园", "23.6", "123,113", "abc,def"])
def test_a_malformed_location_is_refused_in_one_line(bad: str) -> None:
    with pytest.raises(SayError) as e:
        message_xml(SETTINGS, "oSayer", location=bad)
    assert "--location" in str(e.value) and "\n" not in str(e.value)
