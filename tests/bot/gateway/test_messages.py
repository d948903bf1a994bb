"""Accepted callbacks: plain, compatible and safe mode on the Official Account, WeCom, and the
reply XML (passive, encrypted when the request was, well-formed whatever the text)."""

from __future__ import annotations

import pytest
import xmltodict

from tests.support.gateway import (
    AGENT_ID,
    CORP_ID,
    GH_ID,
    Gw,
    MakeGw,
    event_xml,
    text_xml,
)


async def test_plain_mode_passive_reply(make_gw: MakeGw) -> None:
    gw = await make_gw("plain")
    status, body = await gw.mp(text_xml("o-resident", "3号楼路灯坏了"))
    assert status == 200
    reply = xmltodict.parse(body)["xml"]
    assert reply["Content"] == "收到：3号楼路灯坏了"
    assert reply["ToUserName"] == "o-resident" and reply["FromUserName"] == GH_ID
    assert reply["MsgType"] == "text"
    [update] = gw.dispatcher.calls
    assert (update.channel, update.sender, update.type) == ("mp", "o-resident", "text")
    assert update.raw["Content"] == "3号楼路灯坏了"


async def test_safe_mode_reply_is_encrypted_and_decrypts_to_the_reply(gw: Gw) -> None:
    status, body = await gw.mp(text_xml("o-resident", "小区门口垃圾没人清"), encrypt=True)
    assert status == 200
    outer = xmltodict.parse(body)["xml"]
    assert set(outer) >= {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert "小区" not in body
    reply = gw.open_reply(body)
    assert reply["Content"] == "收到：小区门口垃圾没人清"
    assert reply["ToUserName"] == "o-resident"


async def test_compatible_mode_takes_both(make_gw: MakeGw) -> None:
    gw = await make_gw("compatible")
    status, body = await gw.mp(text_xml("o-resident", "明文消息"))
    assert status == 200
    assert xmltodict.parse(body)["xml"]["Content"] == "收到：明文消息"
    status, body = await gw.mp(text_xml("o-resident", "密文消息"), encrypt=True)
    assert status == 200
    assert "Encrypt" in xmltodict.parse(body)["xml"]
    assert gw.open_reply(body)["Content"] == "收到：密文消息"
    assert [u.text for u in gw.dispatcher.calls] == ["明文消息", "密文消息"]


async def test_compatible_body_with_both_parts_uses_the_ciphertext(make_gw: MakeGw) -> None:
    # in compatible mode WeChat sends the plaintext fields and <Encrypt> side by side
    gw = await make_gw("compatible")
    inner = text_xml("o-resident", "加密的内容", msg_id=77)
    params = gw.signed()
    sealed = xmltodict.parse(gw.mp_crypto.encrypt_message(inner, params["nonce"],
                                                          params["timestamp"]))["xml"]
    params.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
    body = inner.replace("</xml>", f"<Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>")
    async with gw.client.post("/wechat/mp", params=params, data=body.encode()) as resp:
        assert resp.status == 200
        assert gw.open_reply(await resp.text())["Content"] == "收到：加密的内容"


async def test_event_without_reply_answers_success(make_gw: MakeGw) -> None:
    gw = await make_gw("plain")
    gw.dispatcher.reply = lambda u: None
    status, body = await gw.mp(event_xml("o-resident", "subscribe", "qrscene_grid-12"))
    assert (status, body) == (200, "success")
    [update] = gw.dispatcher.calls
    assert (update.type, update.event, update.event_key) == ("event", "subscribe", "grid-12")


async def test_location_event_reply_goes_by_push(gw: Gw) -> None:
    # WeChat cannot show a passive reply to a LOCATION event: it must reach the outbox
    gw.dispatcher.reply = lambda u: f"已记录位置 {u.lat},{u.lng}"
    extra = ("<Latitude>31.2304</Latitude><Longitude>121.4737</Longitude>"
             "<Precision>30.0</Precision>")
    status, body = await gw.mp(event_xml("o-resident", "LOCATION", extra=extra), encrypt=True)
    assert (status, body) == (200, "success")
    await gw.settled()
    [row] = await gw.outbox()
    assert row.payload["text"] == "已记录位置 31.2304,121.4737"


async def test_work_message_gets_encrypted_reply(gw: Gw) -> None:
    gw.dispatcher.reply = lambda u: f"工单：{u.text}"
    xml = text_xml("ZhangWei", "我的工单", to=CORP_ID, extra=f"<AgentID>{AGENT_ID}</AgentID>")
    status, body = await gw.work(xml)
    assert status == 200
    reply = gw.open_reply(body, work=True)
    assert reply["Content"] == "工单：我的工单"
    assert reply["ToUserName"] == "ZhangWei" and reply["FromUserName"] == CORP_ID
    assert reply["AgentID"] == str(AGENT_ID)
    assert gw.dispatcher.calls[0].channel == "work"


async def test_work_no_reply_is_empty_body(gw: Gw) -> None:
    gw.dispatcher.reply = lambda u: None
    status, body = await gw.work(event_xml("ZhangWei", "enter_agent"))
    assert (status, body) == (200, "")


@pytest.mark.parametrize("encrypt", [False, True])
async def test_control_characters_are_stripped(make_gw: MakeGw, encrypt: bool) -> None:
    gw = await make_gw("compatible")
    # \x0b and \x01 are not allowed in XML 1.0: without stripping this would not even parse
    status, body = await gw.mp(text_xml("o-resident", "路灯\x0b坏了\x01，\t快修"), encrypt=encrypt)
    assert status == 200
    assert gw.dispatcher.calls[0].text == "路灯坏了，\t快修"
    reply = gw.open_reply(body) if encrypt else xmltodict.parse(body)["xml"]
    assert reply["Content"] == "收到：路灯坏了，\t快修"


@pytest.mark.parametrize("mode", ["plain", "safe"])
async def test_cdata_terminator_in_echoed_text_keeps_reply_well_formed(
        make_gw: MakeGw, mode: str) -> None:
    gw = await make_gw(mode)
    text = "a]]><MsgType>news</MsgType><![CDATA[ & ]]]]>"
    status, body = await gw.mp(text_xml("o-resident", text), encrypt=mode == "safe")
    assert status == 200
    reply = gw.open_reply(body) if mode == "safe" else xmltodict.parse(body)["xml"]
    assert reply["MsgType"] == "text"
    assert reply["Content"] == f"收到：{text}"
