"""URL verification and every way a callback is refused (403/400/413), with one log line each."""

from __future__ import annotations

import io
import logging

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WorkCrypto

from bot.gateway.crypto import sha1_signature
from storage.db import Database
from tests.support.gateway import (
    AES_KEY,
    APP_ID,
    CORP_ID,
    GH_ID,
    OTHER_KEY,
    TOKEN,
    Gw,
    MakeGw,
    text_xml,
)


async def test_mp_url_verification_echoes_echostr(gw: Gw) -> None:
    params = {**gw.signed(), "echostr": "7262839152710438"}
    async with gw.client.get("/wechat/mp", params=params) as resp:
        assert resp.status == 200
        assert await resp.text() == "7262839152710438"
    params["signature"] = "0" * 40
    async with gw.client.get("/wechat/mp", params=params) as resp:
        assert resp.status == 403


async def test_work_url_verification_answers_decrypted_echostr(gw: Gw) -> None:
    ts, nonce = gw.ts(), "1372623149"
    sealed = xmltodict.parse(gw.work_crypto.encrypt_message("5927782489442352469", nonce, ts))
    params = {"msg_signature": sealed["xml"]["MsgSignature"], "timestamp": ts, "nonce": nonce,
              "echostr": sealed["xml"]["Encrypt"]}
    async with gw.client.get("/wechat/work", params=params) as resp:
        assert resp.status == 200
        assert await resp.text() == "5927782489442352469"
    params["msg_signature"] = sha1_signature("wrong-token", ts, nonce, params["echostr"])
    async with gw.client.get("/wechat/work", params=params) as resp:
        assert resp.status == 403


async def test_tampered_signature_is_403_with_one_warning(
        gw: Gw, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.gateway.routes")
    xml = text_xml("o-resident", "身份证 110101199003071234")
    params = gw.signed()
    params["signature"] = params["signature"][:-1] + ("0" if params["signature"][-1] != "0"
                                                      else "1")
    async with gw.client.post("/wechat/mp", params=params, data=xml.encode()) as resp:
        assert resp.status == 403
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "bad signature" in warnings[0].getMessage()
    assert "110101" not in caplog.text
    assert gw.dispatcher.calls == []


async def test_missing_signature_is_403(gw: Gw) -> None:
    params = gw.signed()
    del params["signature"]
    async with gw.client.post("/wechat/mp", params=params, data=b"<xml/>") as resp:
        assert resp.status == 403


async def test_tampered_msg_signature_is_403(gw: Gw) -> None:
    status, _ = await gw.mp(text_xml("o-resident", "路灯坏了"), encrypt=True,
                            msg_signature="f" * 40)
    assert status == 403
    status, _ = await gw.work(text_xml("zhangwei", "我的工单", to=CORP_ID),
                              msg_signature="f" * 40)
    assert status == 403
    assert gw.dispatcher.calls == []


@pytest.mark.parametrize("skew", [-301, 301])
async def test_timestamp_outside_window_is_403(gw: Gw, skew: int) -> None:
    status, body = await gw.mp(text_xml("o-resident", "路灯坏了"), encrypt=True,
                               ts=str(int(gw.ts()) + skew))
    assert status == 403
    assert "window" in body
    status, _ = await gw.mp(text_xml("o-resident", "路灯坏了"), encrypt=True,
                            ts=str(int(gw.ts()) + 299))
    assert status == 200


async def test_wrong_aes_key_is_400(gw: Gw, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.gateway.routes")
    status, _ = await gw.mp(text_xml("o-resident", "路灯坏了"), encrypt=True,
                            crypto=WeChatCrypto(TOKEN, OTHER_KEY, APP_ID))
    assert status == 400
    assert "does not decrypt" in caplog.text
    status, _ = await gw.work(text_xml("zhangwei", "我的工单", to=CORP_ID),
                              crypto=WorkCrypto(TOKEN, OTHER_KEY, CORP_ID))
    assert status == 400
    assert gw.dispatcher.calls == []


async def test_other_appid_or_corpid_is_400(gw: Gw) -> None:
    status, _ = await gw.mp(text_xml("o-resident", "路灯坏了"), encrypt=True,
                            crypto=WeChatCrypto(TOKEN, AES_KEY, "wxOtherApp"))
    assert status == 400
    status, _ = await gw.work(text_xml("zhangwei", "我的工单", to=CORP_ID),
                              crypto=WorkCrypto(TOKEN, AES_KEY, "wwOtherCorp"))
    assert status == 400
    assert gw.dispatcher.calls == []


@pytest.mark.parametrize("ciphertext", ["QUJD", "not base64 at all!", "A" * 64, ""])
async def test_corrupt_ciphertext_is_400(gw: Gw, ciphertext: str) -> None:
    params = gw.signed()
    # signed with the right token, so only the decryption can fail
    params["msg_signature"] = sha1_signature(TOKEN, params["timestamp"], params["nonce"],
                                             ciphertext)
    body = f"<xml><ToUserName>{GH_ID}</ToUserName><Encrypt>{ciphertext}</Encrypt></xml>"
    async with gw.client.post("/wechat/mp", params=params, data=body.encode()) as resp:
        assert resp.status == 400
    assert gw.dispatcher.calls == []


@pytest.mark.parametrize("body", [b"hello", b"<xml><Content>unclosed</xml>", b"\xff\xfe<xml/>",
                                  b"<other><MsgType>text</MsgType></other>", b"",
                                  b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><A>&a;</A></xml>'])
@pytest.mark.parametrize("mode", ["plain", "safe"])
async def test_body_that_is_not_xml_is_400(make_gw: MakeGw, body: bytes, mode: str) -> None:
    gw = await make_gw(mode)
    async with gw.client.post("/wechat/mp", params=gw.signed(), data=body) as resp:
        assert resp.status == 400
    assert gw.dispatcher.calls == []


async def test_message_without_sender_is_400(make_gw: MakeGw) -> None:
    gw = await make_gw("plain")
    status, _ = await gw.mp(text_xml("", "路灯坏了"))
    assert status == 400
    status, _ = await gw.mp("<xml><FromUserName>o-1</FromUserName></xml>")
    assert status == 400


async def test_oversized_body_is_413(make_gw: MakeGw) -> None:
    gw = await make_gw("plain")
    big = text_xml("o-resident", "楼" * 30000).encode()  # ≈ 90 KB of UTF-8
    assert len(big) > 64 * 1024
    async with gw.client.post("/wechat/mp", params=gw.signed(), data=big) as resp:
        assert resp.status == 413

    async def chunks():  # no Content-Length: the bound applies to the bytes read
        for _ in range(20):
            yield b"<xml>" + b" " * 4096

    async with gw.client.post("/wechat/mp", params=gw.signed(), data=chunks()) as resp:
        assert resp.status == 413
    assert gw.dispatcher.calls == []


async def test_safe_mode_refuses_plaintext_and_plain_mode_refuses_ciphertext(
        make_gw: MakeGw) -> None:
    safe = await make_gw("safe")
    status, _ = await safe.mp(text_xml("o-resident", "路灯坏了"))
    assert status == 400
    plain = await make_gw("plain")
    status, _ = await plain.mp(text_xml("o-resident", "路灯坏了"), encrypt=True)
    assert status == 400
    assert safe.dispatcher.calls == [] and plain.dispatcher.calls == []


async def test_wrong_method_and_unknown_path(gw: Gw) -> None:
    async with gw.client.put("/wechat/mp", params=gw.signed()) as resp:
        assert resp.status == 405
    async with gw.client.get("/wechat/other") as resp:
        assert resp.status == 404


async def test_healthz(gw: Gw) -> None:
    async with gw.client.get("/healthz") as resp:
        assert resp.status == 200
        assert await resp.json() == {"status": "ok"}


async def test_healthz_503_when_database_is_unreachable(make_gw: MakeGw, tmp_path) -> None:
    broken = Database(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}")
    try:
        gw = await make_gw("safe", database=broken)
        async with gw.client.get("/healthz") as resp:
            assert resp.status == 503
            assert (await resp.json())["status"] != "ok"
    finally:
        await broken.close()


async def test_log_lines_carry_no_openid_and_tracebacks_no_phone(
        make_gw: MakeGw, caplog: pytest.LogCaptureFixture) -> None:
    from handlers.ops.privacy import MaskPhones

    gw = await make_gw("plain")
    gw.dispatcher.error = RuntimeError("INSERT failed for 13912345678")
    caplog.set_level(logging.INFO)
    handler = logging.StreamHandler(io.StringIO())
    handler.addFilter(MaskPhones())
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger().addHandler(handler)
    try:
        await gw.mp(text_xml("oSecretOpenid123", "路灯坏了"))
        await gw.mp(text_xml("oSecretOpenid123", "再来", msg_id=1))
        await gw.mp(text_xml("oSecretOpenid123", "再来", msg_id=1))  # a retry: logged
    finally:
        logging.getLogger().removeHandler(handler)
    written = handler.stream.getvalue()
    assert "RuntimeError" in written  # the traceback is there...
    assert "13912345678" not in written and "139****5678" in written  # ...masked
    assert "oSecretOpenid123" not in written


@pytest.mark.parametrize("work", [False, True])
def test_a_sealed_reply_is_what_wechatpy_seals(work: bool,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The reply's envelope is wechatpy's, byte for byte (its random prefix held still), and
    wechatpy opens it with the signature it carries."""
    from wechatpy.crypto.base import BasePrpCrypto

    from bot.gateway.crypto import Envelope

    monkeypatch.setattr(BasePrpCrypto, "get_random_string", lambda self: "0123456789abcdef")
    receiver = CORP_ID if work else APP_ID
    envelope = Envelope(TOKEN, AES_KEY, receiver, work=work)
    crypto = (WorkCrypto if work else WeChatCrypto)(TOKEN, AES_KEY, receiver)
    reply = "<xml><Content><![CDATA[已收到，工单 GD20261203-0001]]></Content></xml>"
    for _ in range(2):  # the one cipher serves every reply
        sealed = envelope.seal(reply, "8f2c4d1e", 1795399200)
        assert sealed == crypto.encrypt_message(reply, "8f2c4d1e", "1795399200")
    doc = xmltodict.parse(sealed)["xml"]
    assert crypto.decrypt_message(sealed, doc["MsgSignature"], doc["TimeStamp"],
                                  doc["Nonce"]) == reply
