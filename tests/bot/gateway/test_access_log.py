"""The access log names no WeChat id and carries no signature, nonce or one-time code: the
README's promise that logs hold WeChat ids only as a short hash (bot/access_log.py)."""

from __future__ import annotations

import logging

import pytest

from handlers.ops.privacy import tag
from tests.support.gateway import Gw, text_xml

OPENID = "o_aflooder_6f2c91"


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]


def secrets_of(params: dict[str, str]) -> list[str]:
    return [v for k, v in params.items() if k in ("signature", "msg_signature", "nonce",
                                                   "echostr", "code", "state")]


async def test_no_route_logs_an_openid_a_signature_or_a_nonce(
        gw: Gw, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    sent: list[dict[str, str]] = []

    # a resident's message in safe mode, as WeChat posts it (openid in the query)
    params = {**gw.signed(), "openid": OPENID, "encrypt_type": "aes",
              "msg_signature": "3f1e0c9a7b5d4e2f1a0b9c8d7e6f5a4b3c2d1e0f"}
    sent.append(params)
    async with gw.client.post("/wechat/mp", params=params,
                              data=text_xml(OPENID, "3号楼灯坏了").encode()) as resp:
        await resp.read()
    # the URL checks of the Official Account and of WeCom, a WeCom callback
    for path in ("/wechat/mp", "/wechat/work"):
        params = {**gw.signed(), "echostr": "echo-6512bd43d9caa6e02c990b0a82652dca",
                  "msg_signature": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b"}
        params.pop("openid")
        sent.append(params)
        async with gw.client.get(path, params=params) as resp:
            await resp.read()
    params = {"msg_signature": "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6", "timestamp": gw.ts(),
              "nonce": "w77123"}
    sent.append(params)
    async with gw.client.post("/wechat/work", params=params, data=b"<xml/>") as resp:
        await resp.read()
    # a WeCom sign-in coming back to the console with its one-time code
    params = {"code": "CODE-a1b2c3d4e5", "state": "st-99f0e1", "appid": "ww8a7b6c5d4e3f2a10"}
    sent.append(params)
    async with gw.client.get("/console/wecom/callback", params=params) as resp:
        await resp.read()

    lines = access_lines(caplog)
    assert len(lines) == 5
    text = "\n".join(lines)
    assert OPENID not in text
    for params in sent:
        for secret in secrets_of(params):
            assert secret not in text
    assert "signature" not in text and "nonce" not in text and "echostr" not in text
    mp_post = lines[0]
    assert f'"POST /wechat/mp?timestamp={sent[0]["timestamp"]}&openid={tag(OPENID)}' \
           '&encrypt_type=aes HTTP/1.1"' in mp_post  # the same hash as gridbot's own lines
    assert '"GET /wechat/work?timestamp=' in lines[2]
    assert '"GET /console/wecom/callback?appid=ww8a7b6c5d4e3f2a10 HTTP/1.1" 404 ' in lines[4]


async def test_with_info_off_no_request_is_timed_or_logged(
        gw: Gw, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """aiohttp asks the logger whether it is on (once a connection): at WARNING it is not, so
    it neither times a request nor hands it over to be logged (the test above: at INFO every
    request is)."""
    from bot.access_log import SafeAccessLogger

    called: list[str] = []
    monkeypatch.setattr(SafeAccessLogger, "log",
                        lambda self, request, response, time: called.append(request.path))
    caplog.set_level(logging.WARNING, logger="aiohttp.access")
    for _ in range(2):
        async with gw.client.get("/healthz") as resp:
            assert resp.status == 200
    assert called == [] and access_lines(caplog) == []
